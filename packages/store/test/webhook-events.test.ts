import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  cancelRun,
  DELETE_TENANT_WEBHOOKS,
  failRun,
  insertRun,
  insertWebhook,
  pruneWebhookLog,
  recordAttempt,
  recordChunk,
  setRunPlan,
  takeDueSends,
} from "../src/index";

interface StoreEnv {
  CONFIG_DB: D1Database;
}
const db = (env as unknown as StoreEnv).CONFIG_DB;
const NOW = "2026-12-01T02:00:00.000Z";

async function run(id: string, tenantId: string): Promise<void> {
  await insertRun(db, {
    id,
    tenantId,
    importId: `imp_${tenantId}`,
    trigger: "schedule",
    startedBy: "schedule",
    dryRun: false,
    config: "{}",
    now: NOW,
  });
  await db.prepare("UPDATE runs SET status = 'in_progress' WHERE id = ?1").bind(id).run();
}

const eventsOf = async (runId: string) =>
  (
    await db
      .prepare(
        `SELECT e.type, s.webhook_id FROM webhook_events e LEFT JOIN webhook_sends s ON s.event_id = e.id
         WHERE e.run_id = ?1 ORDER BY s.webhook_id`,
      )
      .bind(runId)
      .all<{ type: string; webhook_id: string | null }>()
  ).results;

async function endpoint(id: string, tenantId: string, events: string[], enabled = true): Promise<void> {
  await insertWebhook(db, {
    id,
    tenantId,
    url: "https://hooks.example.com/",
    events: events as ["run.completed"],
    description: null,
    secret: "enc:v2:k1:x:y",
    now: NOW,
  });
  if (!enabled) await db.prepare("UPDATE webhooks SET enabled = 0 WHERE id = ?1").bind(id).run();
}

describe("the event of a run's end", () => {
  it("is written with the final status, with a send for each enabled endpoint subscribed to it", async () => {
    await endpoint("wh_a1", "acme", ["run.completed", "run.failed"]);
    await endpoint("wh_a2", "acme", ["run.failed"]);
    await endpoint("wh_a3", "acme", ["run.failed"], false);
    await endpoint("wh_b1", "beta", ["run.failed"]);

    await run("run_failed", "acme");
    await failRun(db, "run_failed", { code: "empty_file", message: "The file is empty." }, NOW);
    expect(await eventsOf("run_failed")).toEqual([
      { type: "run.failed", webhook_id: "wh_a1" },
      { type: "run.failed", webhook_id: "wh_a2" },
    ]);
    // Failing it again, or cancelling it, changes nothing: a run ends once.
    await failRun(db, "run_failed", { code: "chunk_failed", message: "Again." }, NOW);
    expect(await cancelRun(db, "acme", "run_failed", NOW)).toBe(false);
    expect(await eventsOf("run_failed")).toHaveLength(2);

    await run("run_done", "acme");
    await setRunPlan(db, "run_done", { fileKey: "k", bytesTotal: 10, chunksTotal: 1 });
    const chunk = {
      runId: "run_done",
      chunkNo: 0,
      bytesRead: 10,
      rowsRead: 1,
      itemsRead: 1,
      itemsValid: 1,
      itemsInvalid: 0,
      added: 1,
      updated: 0,
      unchanged: 0,
      issues: [],
      now: NOW,
    };
    expect(await recordChunk(db, chunk)).toBe(true);
    // A redelivered last chunk completes nothing twice.
    expect(await recordChunk(db, chunk)).toBe(false);
    expect(await eventsOf("run_done")).toEqual([{ type: "run.completed", webhook_id: "wh_a1" }]);
  });

  it("is not written when no enabled endpoint of the tenant listens to it", async () => {
    await run("run_cancelled", "beta");
    expect(await cancelRun(db, "beta", "run_cancelled", NOW)).toBe(true);
    expect(await eventsOf("run_cancelled")).toEqual([]);
  });

  it("waits in the outbox until taken once, by the run's watch or the periodic check", async () => {
    const first = await takeDueSends(db, { runId: "run_failed", now: NOW });
    expect(first.map((s) => s.webhookId).sort()).toEqual(["wh_a1", "wh_a2"]);
    expect(await takeDueSends(db, { runId: "run_failed", now: NOW })).toEqual([]);
    // The periodic check takes what is left (the completed run's send), then what is overdue.
    expect((await takeDueSends(db, { now: NOW })).map((s) => s.eventId)).toHaveLength(1);
    expect(await takeDueSends(db, { now: NOW, overdueBefore: NOW })).toEqual([]);
    expect(await takeDueSends(db, { now: NOW, overdueBefore: "2026-12-01T03:00:00.000Z" })).toHaveLength(3);
  });
});

describe("the delivery log", () => {
  it("forgets attempts, ended sends and their events older than it keeps, never a pending send", async () => {
    const count = async (table: string) =>
      (await db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? 0;
    const [failedSend] = await eventsOf("run_failed");
    expect(failedSend).toBeDefined();
    const event = await db
      .prepare("SELECT id FROM webhook_events WHERE run_id = 'run_failed'")
      .first<{ id: string }>();
    await recordAttempt(db, {
      id: "dlv_old",
      eventId: event?.id ?? "",
      webhookId: "wh_a1",
      tenantId: "acme",
      attempt: 1,
      statusCode: 200,
      response: "ok",
      error: null,
      latencyMs: 5,
      outcome: "delivered",
      at: NOW,
    });
    const before = { deliveries: await count("webhook_deliveries"), sends: await count("webhook_sends") };
    expect(before).toEqual({ deliveries: 1, sends: 3 });
    // Nothing is older than the day before NOW.
    expect(await pruneWebhookLog(db, "2026-11-30T00:00:00.000Z")).toBe(0);
    // A day later: the attempt and the delivered send go; the pending sends (and so their events) stay.
    expect(await pruneWebhookLog(db, "2026-12-02T00:00:00.000Z")).toBe(2);
    expect(await count("webhook_deliveries")).toBe(0);
    expect(await count("webhook_sends")).toBe(2);
    expect(await count("webhook_events")).toBe(2);
  });
});

describe("a tenant's deletion", () => {
  it("takes all of its webhook rows, and no other tenant's", async () => {
    const rows = async (tenant: string) =>
      Promise.all(
        ["webhooks", "webhook_events", "webhook_sends", "webhook_deliveries"].map(
          async (table) =>
            (
              await db
                .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?1`)
                .bind(tenant)
                .first<{ n: number }>()
            )?.n ?? 0,
        ),
      );
    await run("run_beta", "beta");
    await failRun(db, "run_beta", { code: "empty_file", message: "The file is empty." }, NOW);
    const acme = await rows("acme");
    expect(await rows("beta")).toEqual([1, 1, 1, 0]);
    await db.batch(DELETE_TENANT_WEBHOOKS.map((sql) => db.prepare(sql).bind("beta")));
    expect(await rows("beta")).toEqual([0, 0, 0, 0]);
    expect(await rows("acme")).toEqual(acme);
  });
});
