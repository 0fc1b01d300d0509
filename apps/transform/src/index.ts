import { ChunkMessage, QUEUE_NAMES } from "@cdp/core";
import { deadLetterChunk, transformChunk } from "./chunk";
import { chunkFaults } from "./faults";

/** Exponential backoff of retried chunks, in seconds. */
export const backoff = (attempts: number) => Math.min(2 ** attempts, 300);

export default {
  async queue(batch, env, _ctx) {
    for (const message of batch.messages) {
      const parsed = ChunkMessage.safeParse(message.body);
      if (!parsed.success) {
        console.error("transform: dropped a malformed message", JSON.stringify(parsed.error.issues));
        message.ack();
        continue;
      }
      try {
        if (batch.queue === QUEUE_NAMES.chunksDeadLetter) await deadLetterChunk(env, parsed.data);
        else {
          const faults = chunkFaults(env, parsed.data, message.attempts);
          await transformChunk(env, parsed.data, faults, message.attempts);
          faults.at("before-ack");
        }
        message.ack();
      } catch (err) {
        console.error(
          `transform: chunk ${parsed.data.chunkNo} of ${parsed.data.runId} failed (attempt ${message.attempts})`,
          err instanceof Error ? err.message : String(err),
        );
        message.retry({ delaySeconds: backoff(message.attempts) });
      }
    }
  },
} satisfies ExportedHandler<Env, unknown>;
