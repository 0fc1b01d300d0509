import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";

/** Adds a run with this status and stored config, as config-api would. */
async function addRun(id: string, status: string, config: string) {
  await env.CONFIG_DB.prepare(
    `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at)
     VALUES (?1, 'acme', 'imp_1', ?2, 'manual', ?3, '')`,
  )
    .bind(id, status, config)
    .run();
}

/** Delivers chunk 0 of the run to the consumer; answers what it acknowledged and retried. */
async function deliverChunk(runId: string, messageId: string, chunkCount: number) {
  const batch = createMessageBatch("cdp-import-chunks", [
    {
      id: messageId,
      timestamp: new Date(),
      attempts: 1,
      body: { runId, key: "k", chunkNo: 0, chunkCount, start: 10, end: 20, firstRow: 2, prologueEnd: 10 },
    },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("transform consumer", () => {
  it("acknowledges the chunks of a run that was cancelled, doing nothing", async () => {
    await addRun("run_c", "cancelled", "{}");
    const result = await deliverChunk("run_c", "m1", 1);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(result.retryMessages).toEqual([]);
    const chunks = await env.CONFIG_DB.prepare("SELECT COUNT(*) AS n FROM run_chunks").first();
    expect(chunks).toEqual({ n: 0 });
  });

  it("fails a run whose stored configuration cannot be read, naming the field, without retrying", async () => {
    const config = JSON.stringify({ type: "orders", format: "velocidi_csv", options: { delimiter: ";;" } });
    await addRun("run_bad", "in_progress", config);
    const result = await deliverChunk("run_bad", "m2", 2);
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
