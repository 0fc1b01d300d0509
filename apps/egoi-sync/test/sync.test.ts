import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";

describe("egoi-sync consumer", () => {
  it("drops the message of a run that no longer exists", async () => {
    const batch = createMessageBatch("cdp-import-egoi", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { runId: "run_gone" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m1"]);
  });
});
