import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";

describe("transform consumer", () => {
  it("acknowledges the chunks of a run that was cancelled, doing nothing", async () => {
    await env.CONFIG_DB.prepare(
      `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at)
       VALUES ('run_c', 'acme', 'imp_1', 'cancelled', 'manual', '{}', '')`,
    ).run();
    const batch = createMessageBatch("cdp-import-chunks", [
      {
        id: "m1",
        timestamp: new Date(),
        attempts: 1,
        body: {
          runId: "run_c",
          key: "k",
          chunkNo: 0,
          chunkCount: 1,
          start: 10,
          end: 20,
          firstRow: 2,
          prologueEnd: 10,
        },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(result.retryMessages).toEqual([]);
    const chunks = await env.CONFIG_DB.prepare("SELECT COUNT(*) AS n FROM run_chunks").first();
    expect(chunks).toEqual({ n: 0 });
  });

  it("fails a run whose stored configuration cannot be read, naming the field, without retrying", async () => {
    const config = JSON.stringify({ type: "orders", format: "velocidi_csv", options: { delimiter: ";;" } });
    await env.CONFIG_DB.prepare(
      `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at)
       VALUES ('run_bad', 'acme', 'imp_1', 'in_progress', 'manual', ?1, '')`,
    )
      .bind(config)
      .run();
    const batch = createMessageBatch("cdp-import-chunks", [
      {
        id: "m2",
        timestamp: new Date(),
        attempts: 1,
        body: {
          runId: "run_bad",
          key: "k",
          chunkNo: 0,
          chunkCount: 2,
          start: 10,
          end: 20,
          firstRow: 2,
          prologueEnd: 10,
        },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m2"]);
    expect(result.retryMessages).toEqual([]);
    const run = await env.CONFIG_DB.prepare(
      "SELECT status, error_code, error_message FROM runs WHERE id = 'run_bad'",
    ).first();
    expect(run).toEqual({
      status: "failed",
      error_code: "invalid_config",
      error_message:
        "The import's configuration is not valid: options.delimiter must be exactly 1 character long.",
    });
  });
});
