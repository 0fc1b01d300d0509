// A fake of the E-goi API v3 that behaves like the real one for what the product uses:
// the `Apikey` header, GET /my-account, GET /lists/{id}/contacts with offset paging (limit at
// most 1000, default 10), RFC 7807 error bodies, and 429 with the real rate-limit headers.
// Used by the tests and by `npm start` (run it: node test/fakes/egoi.mjs --port 8788).
import { createServer } from "node:http";
import { rateLimitHeaders } from "./egoi-limits.mjs";

const STATUSES = ["active", "inactive", "removed", "unconfirmed"];
const CONSENTS = ["any", "consent", "contract", "legitimate_interest", "none"];

/** A deterministic contact, as E-goi returns it. */
export function fakeContact(listId, n) {
  const base = {
    contact_id: `${listId}${String(n).padStart(6, "0")}`,
    status: STATUSES[n % STATUSES.length],
    consent: CONSENTS[n % CONSENTS.length],
    consent_date: "2026-01-15T10:00:00+00:00",
    first_name: `First${n}`,
    last_name: `Last${n}`,
    language: "en",
    change_date: "2026-02-01",
  };
  if (n % 7 !== 0)
    Object.assign(base, {
      email: ` Contact${n}.L${listId}@Example.com `,
      email_status: n % 2 ? "active" : "inactive",
    });
  if (n % 3 === 0)
    Object.assign(base, { cellphone: `351-91${String(n).padStart(7, "0")}`, cellphone_status: "active" });
  if (n % 5 === 0)
    Object.assign(base, { phone: `351-21${String(n).padStart(7, "0")}`, phone_status: "inactive" });
  return { base, extra: [{ field_id: 1, format: "text", value: `note ${n}` }], tags: [n % 4] };
}

function problem(res, status, title, detail, headers = {}) {
  res.writeHead(status, { "content-type": "application/problem+json", ...headers });
  res.end(
    JSON.stringify({
      type: `https://developers.e-goi.com/api/v3/#section/Errors/${status}`,
      title,
      status,
      detail,
    }),
  );
}

/**
 * Starts the fake. `lists` maps a list id to its contacts (or a count of generated ones).
 * `faults` returns, for a request, an injected answer: { status: 429, reset: 1 } or
 * { status: 503 } or null. `pageCaps` maps a list id to the most contacts one page of it
 * answers, whatever the limit asked for (a server that pages below the requested limit).
 */
export function startFakeEgoi({
  port = 0,
  apiKey = "egoi-test-key",
  clientId = "123",
  lists = { 321: 25 },
  faults = () => null,
  pageCaps = {},
} = {}) {
  const state = { apiKey, requests: [], lists: new Map() };
  for (const [id, contacts] of Object.entries(lists)) {
    const list =
      typeof contacts === "number"
        ? Array.from({ length: contacts }, (_, i) => fakeContact(id, i + 1))
        : contacts;
    state.lists.set(String(id), list);
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const entry = {
      method: req.method,
      path: url.pathname,
      offset: Number(url.searchParams.get("offset") ?? 0),
      status: 0,
    };
    state.requests.push(entry);
    const send = (status, body, headers = {}) => {
      entry.status = status;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.apikey !== state.apiKey) {
      entry.status = 401;
      return problem(res, 401, "Unauthorized", "Your API key is not valid.");
    }
    const fault = faults(entry);
    if (fault) {
      entry.status = fault.status;
      if (fault.status === 429) {
        return problem(
          res,
          429,
          "Too Many Requests",
          "You have exceeded the rate limit.",
          rateLimitHeaders(fault.reset),
        );
      }
      const titles = { 408: "Request Timeout", 500: "Internal Server Error", 503: "Service Unavailable" };
      return problem(res, fault.status, titles[fault.status] ?? "Error", "Injected fault.");
    }
    if (req.method === "GET" && url.pathname === "/my-account") {
      return send(200, {
        general_info: {
          name: "Fake Shop",
          website: "https://shop.example",
          cellphone: "351-910000000",
          client_id: state.clientId ?? clientId,
        },
        billing_info: { vat: "PT000000000" },
        plan_info: { type: "free" },
        balance_info: { balance: 0, currency: "EUR" },
        module_info: {},
      });
    }
    const match = /^\/lists\/(\d+)\/contacts$/.exec(url.pathname);
    if (req.method === "GET" && match) {
      const list = state.lists.get(match[1]);
      if (!list) return problem(res, 404, "Not Found", `List ${match[1]} does not exist.`);
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 10);
      if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
        return problem(res, 422, "Unprocessable Entity", "offset must be >= 0 and limit between 1 and 1000.");
      }
      const size = Math.min(limit, pageCaps[match[1]] ?? limit);
      return send(200, { total_items: list.length, items: list.slice(offset, offset + size) });
    }
    return problem(res, 404, "Not Found", "Unknown path.");
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        state,
        revokeKey() {
          state.apiKey = `revoked-${Date.now()}`;
        },
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const portArg = process.argv.indexOf("--port");
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8788;
  const fake = await startFakeEgoi({ port, lists: { 321: 40, 322: 5 } });
  console.log(`fake E-goi API on ${fake.url} (Apikey: egoi-test-key, lists 321 and 322)`);
}
