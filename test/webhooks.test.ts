import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./support/client";
import { type FileServer, serveFiles } from "./support/file-server";
import { velocidiFile } from "./support/files";
import { type Stack, startStack } from "./support/stack";
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  verifyWebhook,
  type WebhookReceiver,
} from "./support/webhook-receiver";

// Long keys, as real ones are: runs name them by their first 8 characters only.
const ACME_KEY = "key_acme_e2e_webhooks_0123456789abcdef";
const GLOBEX_KEY = "key_globex_e2e_webhooks_0123456789abcdef";
const INITECH_KEY = "key_initech_e2e_webhooks_0123456789abcdef";
const PUBLIC_API_URL = "https://imports.example.com";
const ALL_EVENTS = ["run.completed", "run.failed", "run.cancelled"];

let stack: Stack;
let receiver: WebhookReceiver;
let acme: ApiClient;
let globex: ApiClient;
let initech: ApiClient;
/** Every secret the API showed, and every other answer it gave: no answer may hold a secret. */
const secrets: string[] = [];
const answers: string[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // Retries in seconds rather than hours: each attempt waits 1 s for an answer, retries come 1
  // then 2 s apart for 16 s, and an endpoint failing for 10 s is disabled.
  stack = await startStack({
    vars: {
      webhooks: {
        WEBHOOK_TIMEOUT_MS: "1000",
        WEBHOOK_RETRY_BASE_SECONDS: "1",
        WEBHOOK_RETRY_MAX_DELAY_SECONDS: "2",
        WEBHOOK_RETRY_FOR_SECONDS: "16",
        WEBHOOK_DISABLE_AFTER_SECONDS: "10",
        WEBHOOK_WATCH_MAX_DELAY_SECONDS: "1",
        PUBLIC_API_URL,
      },
    },
  });
  for (const [tenant, key] of [
    ["acme", ACME_KEY],
    ["globex", GLOBEX_KEY],
    ["initech", INITECH_KEY],
  ] as const)
    await stack.createTenant(tenant, key);
  acme = new ApiClient(stack.url, ACME_KEY);
  globex = new ApiClient(stack.url, GLOBEX_KEY);
  initech = new ApiClient(stack.url, INITECH_KEY);
});
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

async function call<T = Record<string, unknown>>(
  client: ApiClient,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await client.call<T>(method, path, body);
  answers.push(res.text);
  return res;
}

interface Endpoint {
  id: string;
  secret: string;
}

/** Adds an endpoint at a path of the receiver; keeps its secret, shown only now. */
async function addEndpoint(
  client: ApiClient,
  path: string,
  events: string[] = ALL_EVENTS,
): Promise<Endpoint> {
  const res = await client.call<Endpoint>("POST", "/v1/webhooks", { url: `${receiver.url}${path}`, events });
  expect(res.status, res.text).toBe(201);
  secrets.push(res.body.secret);
  return res.body;
}

interface Delivery {
  id: string;
  eventId: string;
  event: string;
  runId: string | null;
  attempt: number;
  statusCode: number | null;
  response: string | null;
  error: string | null;
  latencyMs: number | null;
  outcome: string;
}

async function deliveries(client: ApiClient, webhookId: string): Promise<Delivery[]> {
  const res = await call<{ items: Delivery[] }>(
    client,
    "GET",
    `/v1/webhooks/${webhookId}/deliveries?limit=100`,
  );
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Waits until the endpoint's delivery log satisfies `done`; returns it. */
async function waitForLog(
  client: ApiClient,
  webhookId: string,
  done: (items: Delivery[]) => boolean,
  timeoutMs = 90_000,
): Promise<Delivery[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await deliveries(client, webhookId);
    if (done(items)) return items;
    if (Date.now() > deadline) throw new Error(`delivery log of ${webhookId}: ${JSON.stringify(items)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The part of a D1 binding these tests read through. */
interface D1Reader {
  prepare(sql: string): { all(): Promise<{ results: unknown[] }> };
}

const bodyOf = (request: ReceivedWebhook) =>
  JSON.parse(request.body) as {
    id: string;
    type: string;
    timestamp: string;
    data: {
      run: Record<string, unknown> & { id: string; startedBy: string; error: { code: string } | null };
      import: { id: string; name: string };
      links: { run: string; issues: string; issuesCsv: string };
    };
  };

const ofType = (type: string, runId?: string) => (request: ReceivedWebhook) => {
  const body = bodyOf(request);
  return body.type === type && (runId === undefined || body.data.run?.id === runId);
};

/** A url source whose server holds the file back until `release()`: its run stays in progress. */
async function heldFile(content: string): Promise<{ url: string; release(): void; close(): Promise<void> }> {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const files: FileServer = await serveFiles(new Map(), {
    intercept: (_req: IncomingMessage, res: ServerResponse) => {
      held.then(() => res.writeHead(200, { "content-type": "text/csv" }).end(content));
      return true;
    },
  });
  return { url: `${files.url}/orders.csv`, release, close: () => files.close() };
}

async function ordersImport(
  client: ApiClient,
  content: string,
  name = "Orders",
  source = {},
): Promise<string> {
  const key = await client.upload("orders.csv", content);
  return client.createImport({
    name,
    type: "orders",
    format: "velocidi_csv",
    source: { type: "upload", key, ...source },
  });
}

describe("webhook events", () => {
  let events: Endpoint;

  it("sends each event type, signed with the endpoint's secret, with the run as the API shows it", async () => {
    receiver.answer("/events", () => ({ status: 200, body: `accepted:${"x".repeat(2000)}` }));
    events = await addEndpoint(acme, "/events");

    const importId = await ordersImport(acme, velocidiFile(6, { bad: new Set([2]) }));
    const completed = await acme.run(importId);
    expect(completed).toMatchObject({ status: "completed", stats: { itemsInvalid: 1 } });
    const [done] = await receiver.waitFor("/events", 1, ofType("run.completed", completed.id));
    const failedImport = await ordersImport(acme, "", "Empty orders");
    const failed = await acme.run(failedImport);
    expect(failed.status).toBe("failed");
    const held = await heldFile(velocidiFile(2));
    const heldImport = await acme.createImport({
      name: "Held orders",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "url", url: held.url },
    });
    const cancelledRun = await call<{ id: string }>(acme, "POST", `/v1/imports/${heldImport}/runs`, {});
    const cancel = await call<{ status: string }>(acme, "POST", `/v1/runs/${cancelledRun.body.id}/cancel`);
    expect(cancel.body.status).toBe("cancelled");
    held.release();
    await held.close();
    const test = await call<{ eventId: string }>(acme, "POST", `/v1/webhooks/${events.id}/test`);
    expect(test.status).toBe(202);

    const [fail] = await receiver.waitFor("/events", 1, ofType("run.failed", failed.id));
    const [cancelled] = await receiver.waitFor("/events", 1, ofType("run.cancelled", cancelledRun.body.id));
    const [tested] = await receiver.waitFor("/events", 1, (r) => bodyOf(r).id === test.body.eventId);
    for (const request of [done, fail, cancelled, tested]) {
      if (!request) throw new Error("an event did not arrive");
      expect(verifyWebhook(events.secret, request)).toBe(true);
      expect(verifyWebhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", request)).toBe(false);
      expect(request.headers["webhook-id"]).toBe(bodyOf(request).id);
      expect(request.headers["content-type"]).toBe("application/json");
    }

    if (!done || !fail || !cancelled || !tested) throw new Error("an event did not arrive");
    const shown = await call(acme, "GET", `/v1/runs/${completed.id}`);
    const event = bodyOf(done);
    expect(event.data.run).toEqual(shown.body);
    expect(event.data.run.startedBy).toBe("key:key_acme");
    expect(event.data.import).toEqual({ id: importId, name: "Orders" });
    expect(event.data.links).toEqual({
      run: `${PUBLIC_API_URL}/v1/runs/${completed.id}`,
      issues: `${PUBLIC_API_URL}/v1/runs/${completed.id}/issues`,
      issuesCsv: `${PUBLIC_API_URL}/v1/runs/${completed.id}/issues?format=csv`,
    });
    expect(bodyOf(fail).data.run.error?.code).toBe("empty_file");
    expect(bodyOf(fail).data.import.name).toBe("Empty orders");
    expect(bodyOf(cancelled).data.run.status).toBe("cancelled");
    expect(bodyOf(tested).type).toBe("test");

    const log = await waitForLog(acme, events.id, (items) => items.length >= 4);
    expect(log.map((d) => d.event).sort()).toEqual(["run.cancelled", "run.completed", "run.failed", "test"]);
    for (const delivery of log) {
      expect(delivery).toMatchObject({ attempt: 1, statusCode: 200, outcome: "delivered", error: null });
      // The first 1 KB of the answer.
      expect(delivery.response).toBe(`accepted:${"x".repeat(1015)}`);
      expect(delivery.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(log.find((d) => d.event === "run.completed")?.runId).toBe(completed.id);
  });

  it("records who started a run that an upload started, and sends its event too", async () => {
    const importId = await ordersImport(acme, velocidiFile(2), "Nightly orders", { watchPrefix: "nightly-" });
    await acme.upload("nightly-2026-12-01.csv", velocidiFile(3));
    const [arrived] = await receiver.waitFor(
      "/events",
      1,
      (r) => ofType("run.completed")(r) && bodyOf(r).data.import.id === importId,
    );
    if (!arrived) throw new Error("no event");
    expect(bodyOf(arrived).data.run).toMatchObject({ trigger: "upload", startedBy: "upload" });
    expect(verifyWebhook(events.secret, arrived)).toBe(true);
  });

  it("retries an answer of 500 with the same webhook-id, and logs each attempt", async () => {
    receiver.answer("/flaky", (n) =>
      n <= 2 ? { status: 500, body: "try later" } : { status: 200, body: "ok" },
    );
    const flaky = await addEndpoint(acme, "/flaky");
    const test = await call<{ eventId: string }>(acme, "POST", `/v1/webhooks/${flaky.id}/test`);
    const requests = await receiver.waitFor("/flaky", 3);
    expect(requests.map((r) => r.headers["webhook-id"])).toEqual([
      test.body.eventId,
      test.body.eventId,
      test.body.eventId,
    ]);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const request of requests) expect(verifyWebhook(flaky.secret, request)).toBe(true);
    const log = await waitForLog(acme, flaky.id, (items) => items[0]?.outcome === "delivered");
    expect(log.map((d) => [d.eventId, d.attempt, d.statusCode, d.response, d.outcome])).toEqual([
      [test.body.eventId, 3, 200, "ok", "delivered"],
      [test.body.eventId, 2, 500, "try later", "retrying"],
      [test.body.eventId, 1, 500, "try later", "retrying"],
    ]);
    const endpoint = await call(acme, "GET", `/v1/webhooks/${flaky.id}`);
    expect(endpoint.body).toMatchObject({ enabled: true, failingSince: null });
  });

  it("retries an endpoint that never answers, then marks the event failed and disables the endpoint; enabled again, Resend delivers it", async () => {
    receiver.answer("/silent", () => "no answer");
    const silent = await addEndpoint(acme, "/silent");
    const test = await call<{ eventId: string }>(acme, "POST", `/v1/webhooks/${silent.id}/test`);
    const log = await waitForLog(acme, silent.id, (items) => items[0]?.outcome === "failed");
    expect(log.length).toBeGreaterThanOrEqual(3);
    for (const delivery of log) {
      expect(delivery).toMatchObject({
        eventId: test.body.eventId,
        statusCode: null,
        response: null,
        error: "No answer within 1 s.",
      });
    }
    expect(log.slice(1).every((d) => d.outcome === "retrying")).toBe(true);
    expect(receiver.at("/silent").map((r) => r.headers["webhook-id"])).toEqual(
      log.map(() => test.body.eventId),
    );
    const disabled = await call(acme, "GET", `/v1/webhooks/${silent.id}`);
    expect(disabled.body).toMatchObject({
      enabled: false,
      disabledReason:
        "Disabled after its deliveries failed for 10 seconds: fix the endpoint, then enable it again.",
      failingSince: expect.any(String),
    });
    const refused = await call(acme, "POST", `/v1/webhooks/${silent.id}/resend`, {
      eventId: test.body.eventId,
    });
    expect(refused.status).toBe(409);

    const enabled = await call(acme, "PATCH", `/v1/webhooks/${silent.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    receiver.answer("/silent", () => ({ status: 204 }));
    const resent = await call(acme, "POST", `/v1/webhooks/${silent.id}/resend`, {
      eventId: test.body.eventId,
    });
    expect(resent.status).toBe(202);
    const after = await waitForLog(acme, silent.id, (items) => items[0]?.outcome === "delivered");
    expect(after[0]).toMatchObject({ eventId: test.body.eventId, statusCode: 204, attempt: log.length + 1 });
    const last = receiver.at("/silent").at(-1);
    if (!last) throw new Error("no request");
    expect(last.headers["webhook-id"]).toBe(test.body.eventId);
    expect(verifyWebhook(silent.secret, last)).toBe(true);
  });

  it("signs with the previous secret too for a day after a rotation", async () => {
    const rotating = await addEndpoint(acme, "/rotating");
    const rotated = await acme.call<Endpoint & { previousSecretExpiresAt: string }>(
      "POST",
      `/v1/webhooks/${rotating.id}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.secret);
    expect(rotated.body.secret).not.toBe(rotating.secret);
    await call(acme, "POST", `/v1/webhooks/${rotating.id}/test`);
    const [request] = await receiver.waitFor("/rotating", 1);
    if (!request) throw new Error("no request");
    expect(String(request.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifyWebhook(rotating.secret, request)).toBe(true);
    expect(verifyWebhook(rotated.body.secret, request)).toBe(true);
  });

  it("queues, by the periodic check, the event of a run that ended after its endpoint was added mid-run", async () => {
    // A url source whose server holds the file back until the endpoint exists.
    const held = await heldFile(velocidiFile(2));
    try {
      const importId = await initech.createImport({
        name: "Held orders",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "url", url: held.url },
      });
      const started = await call<{ id: string }>(initech, "POST", `/v1/imports/${importId}/runs`, {});
      const late = await addEndpoint(initech, "/late");
      held.release();
      const run = await initech.waitForRun(started.body.id);
      expect(run.status).toBe("completed");
      // No watch was asked for (the tenant had no endpoint when the run started): nothing yet.
      expect(await deliveries(initech, late.id)).toEqual([]);
      await stack.server
        .getWorker("cdp-webhooks")
        .scheduled({ cron: "* * * * *", scheduledTime: new Date() });
      const [request] = await receiver.waitFor("/late", 1);
      if (!request) throw new Error("no request");
      expect(bodyOf(request)).toMatchObject({ type: "run.completed", data: { run: { id: run.id } } });
      expect(verifyWebhook(late.secret, request)).toBe(true);
    } finally {
      await held.close();
    }
  });
});

describe("webhooks of another tenant", () => {
  it("cannot be seen, changed, tested or deleted, and never receive this tenant's events", async () => {
    const theirs = await addEndpoint(globex, "/theirs");
    const theirTest = await call<{ eventId: string }>(globex, "POST", `/v1/webhooks/${theirs.id}/test`);
    await receiver.waitFor("/theirs", 1);
    const attempts: [string, string, unknown?][] = [
      ["GET", `/v1/webhooks/${theirs.id}`],
      ["PATCH", `/v1/webhooks/${theirs.id}`, { url: `${receiver.url}/stolen` }],
      ["DELETE", `/v1/webhooks/${theirs.id}`],
      ["POST", `/v1/webhooks/${theirs.id}/rotate-secret`],
      ["POST", `/v1/webhooks/${theirs.id}/test`],
      ["POST", `/v1/webhooks/${theirs.id}/resend`, { eventId: theirTest.body.eventId }],
      ["GET", `/v1/webhooks/${theirs.id}/deliveries`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(acme, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const listed = await call<{ items: { id: string }[] }>(acme, "GET", "/v1/webhooks?limit=1000");
    expect(listed.body.items.map((w) => w.id)).not.toContain(theirs.id);

    // Another run of acme ends: its event goes to acme's endpoints only.
    const importId = await ordersImport(acme, velocidiFile(2), "More orders");
    const run = await acme.run(importId);
    await receiver.waitFor("/events", 1, ofType("run.completed", run.id));
    expect(receiver.at("/theirs").map((r) => bodyOf(r).id)).toEqual([theirTest.body.eventId]);
    expect(receiver.at("/stolen")).toEqual([]);
    const theirLog = await deliveries(globex, theirs.id);
    expect(theirLog.map((d) => d.eventId)).toEqual([theirTest.body.eventId]);
    expect((await call(globex, "GET", `/v1/webhooks/${theirs.id}`)).body).toMatchObject({
      url: `${receiver.url}/theirs`,
    });
  });
});

describe("secrets and duplicates", () => {
  it("shows no secret in any answer, log line, delivery record or delivery after it was shown", async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    const env = await stack.server.getWorker("cdp-webhooks").getEnv();
    const db = env.CONFIG_DB as D1Reader;
    const stored = [];
    for (const table of ["webhooks", "webhook_events", "webhook_sends", "webhook_deliveries"]) {
      stored.push(JSON.stringify((await db.prepare(`SELECT * FROM ${table}`).all()).results));
    }
    const logs = JSON.stringify(stack.server.getLogs());
    const delivered = JSON.stringify(receiver.received);
    for (const secret of secrets) {
      const key = secret.slice("whsec_".length);
      for (const [where, text] of [
        ["answers", answers.join("\n")],
        ["logs", logs],
        ["stored rows", stored.join("\n")],
        ["deliveries", delivered],
      ] as const) {
        expect(text.includes(key), `${where} hold a secret`).toBe(false);
      }
    }
    expect(stored[0]).toMatch(/enc:v2:/);
  });

  it("sends one event per run and final status, once to each endpoint that answered 2xx", async () => {
    const env = await stack.server.getWorker("cdp-webhooks").getEnv();
    const db = env.CONFIG_DB as D1Reader;
    const twice = await db
      .prepare(
        "SELECT run_id, type, COUNT(*) AS n FROM webhook_events WHERE run_id IS NOT NULL GROUP BY run_id, type HAVING n > 1",
      )
      .all();
    expect(twice.results).toEqual([]);
    const byRun = new Map<string, Set<string>>();
    for (const request of receiver.at("/events")) {
      const body = bodyOf(request);
      if (!body.data.run) continue;
      const ids = byRun.get(body.data.run.id) ?? new Set();
      ids.add(String(request.headers["webhook-id"]));
      byRun.set(body.data.run.id, ids);
    }
    expect(byRun.size).toBeGreaterThanOrEqual(4);
    for (const ids of byRun.values()) expect(ids.size).toBe(1);
    expect(receiver.at("/events").length).toBe(
      new Set(receiver.at("/events").map((r) => r.headers["webhook-id"])).size,
    );
  });
});
