import { ChunkMessage, QUEUE_NAMES } from "@cdp/core";
import { deadLetterChunk, transformChunk } from "./chunk";
import { chunkFaults } from "./faults";

/** Exponential backoff of retried chunks, in seconds. */
export const backoff = (attempts: number) => Math.min(2 ** attempts, 300);

export default {
  async queue(batch, env, _ctx) {
    // The chunks of a batch take turns to read: each starts once the one before it has read its
    // part of the file and handed its last write to the store (for orders, once the identity
    // shard has the buyers and the orders are on their way), so that one chunk is read while the
    // one before it is stored. In a 250k-row import, bench:import's run took 3.8-4.0 s, against
    // 4.6-4.7 s one chunk at a time. The chunk before that must be stored by then: one chunk's
    // items are in memory, and the rows of at most two writes. Each message is acknowledged or
    // retried on its own; chunks are independent, as they are when consumers run side by side.
    let turn: Promise<void> = Promise.resolve();
    const finished: Promise<void>[] = [];
    const handled = batch.messages.map((message, index) => {
      const parsed = ChunkMessage.safeParse(message.body);
      if (!parsed.success) {
        console.error("transform: dropped a malformed message", JSON.stringify(parsed.error.issues));
        message.ack();
        return Promise.resolve();
      }
      // This chunk reads once the one before it has read and the one before that is stored.
      const mine = Promise.all([turn, finished.at(-2)]);
      let read = () => {};
      turn = new Promise<void>((resolve) => {
        read = resolve;
      });
      const done = (async () => {
        try {
          await mine;
          // First a turn of the event loop, in which the calls of the chunk before go out: a busy
          // isolate sends nothing (timers fire only once it is idle, so this waits for just that).
          if (index > 0) await new Promise((resolve) => setTimeout(resolve, 0));
          if (batch.queue === QUEUE_NAMES.chunksDeadLetter) await deadLetterChunk(env, parsed.data);
          else {
            const faults = chunkFaults(env, parsed.data, message.attempts);
            await transformChunk(env, parsed.data, faults, message.attempts, read);
            faults.at("before-ack");
          }
          message.ack();
        } catch (err) {
          console.error(
            `transform: chunk ${parsed.data.chunkNo} of ${parsed.data.runId} failed (attempt ${message.attempts})`,
            err instanceof Error ? err.message : String(err),
          );
          message.retry({ delaySeconds: backoff(message.attempts) });
        } finally {
          read();
        }
      })();
      finished.push(done);
      return done;
    });
    await Promise.all(handled);
  },
} satisfies ExportedHandler<Env, unknown>;
