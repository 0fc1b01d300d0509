import { QUEUE_NAMES, RunMessage } from "@cdp/core";
import { router } from "./http";
import { deadLetterRun, ingestRun } from "./runs";

/** Exponential backoff of retried messages, in seconds. */
export const backoff = (attempts: number) => Math.min(2 ** attempts, 300);

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  async queue(batch, env) {
    for (const message of batch.messages) {
      const parsed = RunMessage.safeParse(message.body);
      if (!parsed.success) {
        console.error("ingest: dropped a malformed message", JSON.stringify(parsed.error.issues));
        message.ack();
        continue;
      }
      try {
        if (batch.queue === QUEUE_NAMES.runsDeadLetter) await deadLetterRun(env, parsed.data);
        else await ingestRun(env, parsed.data);
        message.ack();
      } catch (err) {
        console.error(
          "ingest: run failed, retrying",
          parsed.data.runId,
          err instanceof Error ? err.message : String(err),
        );
        message.retry({ delaySeconds: backoff(message.attempts) });
      }
    }
  },
} satisfies ExportedHandler<Env, unknown>;
