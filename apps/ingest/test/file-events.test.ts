import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { BUCKET, type FileEventMessage, QUEUE_NAMES } from "@cdp/core";
import { beforeAll, describe, expect, it } from "vitest";
import { uploadObjectKey } from "../src/http";
import worker from "../src/index";

const TENANT = "acme";

async function addImport(id: string, source: Record<string, unknown>, tenantId = TENANT) {
  const config = {
    name: id,
    type: "orders",
    format: "velocidi_csv",
    source,
    options: {},
    transformations: [],
    schedule: null,
  };
  await env.CONFIG_DB.prepare(
    `INSERT INTO imports (id, tenant_id, name, type, format, source_type, config, watch_prefix, created_at, updated_at)
     VALUES (?1, ?2, ?1, 'orders', 'velocidi_csv', ?3, ?4, ?5, '', '')`,
  )
    .bind(
      id,
      tenantId,
      source.type,
      JSON.stringify(config),
      (source.watchPrefix as string | undefined) ?? null,
    )
    .run();
}

async function addUpload(key: string, filename: string, tenantId = TENANT) {
  await env.CONFIG_DB.prepare(
    "INSERT INTO uploads (key, tenant_id, filename, created_at, expires_at) VALUES (?1, ?2, ?3, '', '')",
  )
    .bind(key, tenantId, filename)
    .run();
}

/** An R2 object-create notification, as Cloudflare delivers it to the queue. */
function notification(key: string, overrides: Partial<FileEventMessage> = {}): FileEventMessage {
  return {
    account: "0123456789abcdef",
    action: "PutObject",
    bucket: BUCKET.name,
    object: { key, size: 12, eTag: "c846ff7a18f28c2e262116d6e8719ef0" },
    eventTime: "2026-11-20T10:00:00.000Z",
    ...overrides,
  };
}

async function deliver(...bodies: FileEventMessage[]) {
  const batch = createMessageBatch(
    QUEUE_NAMES.fileEvents,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function runsOf(importId: string) {
  const rows = await env.CONFIG_DB.prepare(
    "SELECT trigger, trigger_key, config FROM runs WHERE import_id = ?1 ORDER BY id",
  )
    .bind(importId)
    .all<{ trigger: string; trigger_key: string; config: string }>();
  return rows.results.map((row) => ({
    trigger: row.trigger,
    triggerKey: row.trigger_key,
    sourceKey: (JSON.parse(row.config) as { source: { key: string } }).source.key,
  }));
}

beforeAll(async () => {
  await addImport("imp_daily", { type: "upload", key: "up_0/template.csv", watchPrefix: "daily/" });
  await addImport("imp_other", { type: "upload", key: "up_0/template.csv" });
  await addImport("imp_theirs", { type: "upload", key: "up_9/x.csv", watchPrefix: "daily/" }, "globex");
});

describe("R2 object-create notifications", () => {
  it("start the imports watching the upload's name, once, however often they are delivered", async () => {
    await addUpload("up_1/orders.csv", "daily/orders.csv");
    const objectKey = uploadObjectKey(TENANT, "up_1/orders.csv");
    const first = await deliver(notification(objectKey));
    expect(first.explicitAcks).toEqual(["m0"]);
    // Redelivered, and announced again by a multipart completion of the same object.
    const again = await deliver(
      notification(objectKey),
      notification(objectKey, { action: "CompleteMultipartUpload" }),
    );
    expect(again.explicitAcks).toEqual(["m0", "m1"]);

    expect(await runsOf("imp_daily")).toEqual([
      { trigger: "upload", triggerKey: objectKey, sourceKey: "up_1/orders.csv" },
    ]);
    expect(await runsOf("imp_other")).toEqual([]);
    expect(await runsOf("imp_theirs")).toEqual([]);
  });

  it("ignore uploads outside the watched prefix, other actions, other buckets and other objects", async () => {
    await addUpload("up_2/weekly.csv", "weekly/orders.csv");
    await addUpload("up_3/orders.csv", "daily/later.csv");
    const result = await deliver(
      notification(uploadObjectKey(TENANT, "up_2/weekly.csv")),
      notification(uploadObjectKey(TENANT, "up_3/orders.csv"), { action: "DeleteObject" }),
      notification(uploadObjectKey(TENANT, "up_3/orders.csv"), { bucket: "someone-elses-bucket" }),
      notification(`tenants/${TENANT}/runs/run_1/source`),
      notification(uploadObjectKey(TENANT, "up_404/never-registered.csv")),
    );
    expect(result.explicitAcks).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect((await runsOf("imp_daily")).map((run) => run.sourceKey)).toEqual(["up_1/orders.csv"]);
  });

  it("drop a message that is not a notification", async () => {
    const batch = createMessageBatch(QUEUE_NAMES.fileEvents, [
      { id: "bad", timestamp: new Date(), attempts: 1, body: { hello: "world" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["bad"]);
  });
});

describe("a file event that failed its retries", () => {
  const late = (body: FileEventMessage, id = "late") =>
    createMessageBatch(QUEUE_NAMES.fileEventsDeadLetter, [{ id, timestamp: new Date(), attempts: 1, body }]);

  it("starts the imports watching the file from the dead-letter queue", async () => {
    await addImport("imp_late", { type: "upload", key: "up_0/template.csv", watchPrefix: "late/" });
    await addUpload("up_8/orders.csv", "late/orders.csv");
    const batch = late(notification(uploadObjectKey(TENANT, "up_8/orders.csv")));
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["late"]);
    expect((await runsOf("imp_late")).map((run) => run.sourceKey)).toEqual(["up_8/orders.csv"]);
  });

  it("is tried again in 5 minutes when it fails there too, instead of being dropped", async () => {
    const { FILE_EVENT_LATE_RETRY_SECONDS } = await import("../src/file-events");
    const down = {
      ...env,
      CONFIG_DB: {
        prepare() {
          throw new Error("D1 is unavailable");
        },
      } as unknown as D1Database,
    };
    const batch = late(notification(uploadObjectKey(TENANT, "up_8/orders.csv")));
    const ctx = createExecutionContext();
    await worker.queue(batch, down);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    // Retried, not acknowledged (the test pool does not record the delay it asks for).
    expect(result.retryMessages).toEqual([expect.objectContaining({ msgId: "late" })]);
    expect(FILE_EVENT_LATE_RETRY_SECONDS).toBe(300);
  });
});
