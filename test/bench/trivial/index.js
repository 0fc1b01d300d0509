// The peer of `npm run bench:api`: a Worker that answers a constant JSON, on the same runtime.
const body = JSON.stringify({ ok: true, items: [] });

export default {
  fetch() {
    return new Response(body, { headers: { "content-type": "application/json" } });
  },
};
