import { FileEventMessage, QUEUE_NAMES, RunMessage } from "@cdp/core";
import { runFaults } from "./faults";
import { FILE_EVENT_LATE_RETRY_SECONDS, handleFileEvent } from "./file-events";
import { router } from "./http";
import { deadLetterRun, ingestRun } from "./runs";

/** Exponential backoff of retried messages, in seconds. */
export const backoff = (attempts: number) => Math.min(2 ** attempts, 300);

/**
 * R2 object-create notifications: uploads that start the imports watching them. An event that
 * fails its retries goes to the dead-letter queue, where it is tried again every 5 minutes; one
 * that fails there too is logged with its file, as nothing else can announce it.
 */
async function fileEvents(batch: MessageBatch<unknown>, env: Env, late: boolean): Promise<void> {
  for (const message of batch.messages) {
    const parsed = FileEventMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error("ingest: dropped a malformed file event", JSON.stringify(parsed.error.issues));
      message.ack();
      continue;
    }
    try {
      await handleFileEvent(env, parsed.data);
      message.ack();
    } catch (err) {
      console.error(
        late ? "ingest: file event failed again, retrying later" : "ingest: file event failed, retrying",
        parsed.data.object.key,
        String(err),
      );
      message.retry({ delaySeconds: late ? FILE_EVENT_LATE_RETRY_SECONDS : backoff(message.attempts) });
    }
  }
}

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  async queue(batch, env) {
    if (batch.queue === QUEUE_NAMES.fileEvents || batch.queue === QUEUE_NAMES.fileEventsDeadLetter) {
      await fileEvents(batch, env, batch.queue === QUEUE_NAMES.fileEventsDeadLetter);
      return;
    }
    for (const message of batch.messages) {
      const parsed = RunMessage.safeParse(message.body);
      if (!parsed.success) {
        console.error("ingest: dropped a malformed message", JSON.stringify(parsed.error.issues));
        message.ack();
        continue;
      }
      try {
        if (batch.queue === QUEUE_NAMES.runsDeadLetter) await deadLetterRun(env, parsed.data);
        else {
          const faults = runFaults(env, {
            id: parsed.data.runId,
            label: `run ${parsed.data.runId}`,
            attempts: message.attempts,
          });
          await ingestRun(env, parsed.data, faults);
          faults.at("before-ack");
        }
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
