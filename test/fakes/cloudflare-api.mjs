// A fake of the part of Cloudflare's REST API that wrangler's list commands read (D1 databases,
// R2 buckets and their event notification rules, queues, a Worker's secrets, who is logged in),
// for recording what those commands print about an account in a given state
// (test/deploy/record.mjs). Answers in Cloudflare's envelope; every request is logged.
import { createHash } from "node:crypto";
import { createServer } from "node:http";

const ok = (result, resultInfo) => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...(resultInfo ? { result_info: resultInfo } : {}),
});
const notFound = (code, message) => ({
  success: false,
  errors: [{ code, message }],
  messages: [],
  result: null,
});

/**
 * `state`: { d1: [name], buckets: [name], queues: [name], notifications: { bucket: [{ queue, prefix, actions }] },
 * workers: { name: [secret names] } } (a Worker absent from `workers` does not exist).
 */
export async function startFakeCloudflareApi(state) {
  const requests = [];
  const account = "0123456789abcdef0123456789abcdef";
  const created = "2026-11-20T10:00:00.000Z";
  const queueId = (name) => createHash("md5").update(name).digest("hex");
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const path = url.pathname.replace(/^\/client\/v4/, "");
    const accountPath = `/accounts/${account}`;
    if (path === "/user") return send(200, ok({ id: "user1", email: "ops@example.com" }));
    if (path === "/memberships")
      return send(
        200,
        ok([{ id: "m1", account: { id: account, name: "Example account" }, status: "accepted" }]),
      );
    if (path === "/accounts") return send(200, ok([{ id: account, name: "Example account" }]));
    if (path === "/user/tokens/verify") return send(200, ok({ id: "t1", status: "active" }));
    if (path === `${accountPath}/d1/database`) {
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = state.d1.map((name, i) => ({
        uuid: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
        name,
        created_at: created,
        version: "production",
        num_tables: 8,
        file_size: 98304,
      }));
      return send(
        200,
        ok(page === 1 ? all : [], { page, per_page: 1000, count: all.length, total_count: all.length }),
      );
    }
    if (path === `${accountPath}/r2/buckets`)
      return send(200, ok({ buckets: state.buckets.map((name) => ({ name, creation_date: created })) }));
    const rules = /^\/accounts\/[^/]+\/event_notifications\/r2\/([^/]+)\/configuration$/.exec(path);
    if (rules) {
      const bucket = decodeURIComponent(rules[1]);
      if (!state.buckets.includes(bucket))
        return send(404, notFound(10006, "The specified bucket does not exist."));
      const byQueue = new Map();
      for (const rule of state.notifications?.[bucket] ?? []) {
        const list = byQueue.get(rule.queue) ?? [];
        list.push({
          ruleId: `rule-${list.length + 1}`,
          createdAt: created,
          prefix: rule.prefix,
          actions: rule.actions,
        });
        byQueue.set(rule.queue, list);
      }
      return send(
        200,
        ok({
          bucketName: bucket,
          queues: [...byQueue].map(([queueName, rulesOf]) => ({
            queueId: queueId(queueName),
            queueName,
            rules: rulesOf,
          })),
        }),
      );
    }
    if (path === `${accountPath}/queues`) {
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = state.queues.map((name) => ({
        queue_id: queueId(name),
        queue_name: name,
        created_on: created,
        modified_on: created,
        producers_total_count: 1,
        producers: [],
        consumers_total_count: 1,
        consumers: [],
      }));
      return send(
        200,
        ok(page === 1 ? all : [], { page, per_page: 100, count: all.length, total_count: all.length }),
      );
    }
    const secrets = /^\/accounts\/[^/]+\/workers\/scripts\/([^/]+)\/secrets$/.exec(path);
    if (secrets) {
      const names = state.workers?.[decodeURIComponent(secrets[1])];
      if (!names) return send(404, notFound(10007, "This Worker does not exist on your account."));
      return send(200, ok(names.map((name) => ({ name, type: "secret_text" }))));
    }
    return send(404, notFound(7003, `No route for ${req.method} ${path}`));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/client/v4`,
    account,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
