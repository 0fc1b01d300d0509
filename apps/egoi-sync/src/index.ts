import { EgoiMessage, QUEUE_NAMES } from "@cdp/core";
import { deadLetterPage, syncPage } from "./sync";

export default {
  async queue(batch, env, _ctx) {
    for (const message of batch.messages) {
      const parsed = EgoiMessage.safeParse(message.body);
      if (!parsed.success) {
        console.error("egoi-sync: dropped a malformed message", JSON.stringify(parsed.error.issues));
        message.ack();
        continue;
      }
      try {
        if (batch.queue === QUEUE_NAMES.egoiDeadLetter) {
          await deadLetterPage(env, parsed.data);
          message.ack();
          continue;
        }
        const outcome = await syncPage(env, parsed.data, message.attempts);
        if (outcome.kind === "retry") message.retry({ delaySeconds: outcome.delaySeconds });
        else message.ack();
      } catch (err) {
        // Never log the message or the source: they may hold the API key.
        console.error(
          `egoi-sync: page at ${parsed.data.offset} of ${parsed.data.runId} failed:`,
          err instanceof Error ? err.name : "error",
        );
        message.retry({ delaySeconds: Math.min(2 ** message.attempts, 300) });
      }
    }
  },
} satisfies ExportedHandler<Env, unknown>;
