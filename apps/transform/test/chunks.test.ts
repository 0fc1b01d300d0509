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
});
