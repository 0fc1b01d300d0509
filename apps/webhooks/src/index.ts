import { QUEUE_BINDINGS, QUEUE_NAMES, WebhookMessage } from "@cdp/core";
import { failSend } from "@cdp/store";
import { deliver } from "./deliver";
import { settingsOf } from "./settings";
import { sweep, watchRun } from "./watch";

/** A message whose handling failed (the database, say) is tried again after this many seconds. */
const ERROR_RETRY_SECONDS = 10;

export default {
  async queue(batch, env, _ctx) {
    const settings = settingsOf(env);
    const deadLetters = batch.queue === QUEUE_NAMES.webhooksDeadLetter;
    // Endpoints answer independently: one slow endpoint does not hold up the others of a batch.
    await Promise.all(
      batch.messages.map(async (message) => {
        const parsed = WebhookMessage.safeParse(message.body);
        if (!parsed.success) {
          console.error("webhooks: dropped a malformed message", JSON.stringify(parsed.error.issues));
          message.ack();
          return;
        }
        const body = parsed.data;
        try {
          if (body.kind === "watch") {
            // A watch that failed every time: the periodic check queues the run's event instead.
            if (!deadLetters) await watchRun(env, settings, body);
          } else if (deadLetters) {
            // Retried for WEBHOOK_RETRY_FOR_SECONDS, or not sendable at all: the event has failed.
            await failSend(env.CONFIG_DB, body, body.gaveUpAfter);
          } else {
            const decision = await deliver(env, settings, body);
            if ("retryAfterSeconds" in decision) {
              message.retry({ delaySeconds: decision.retryAfterSeconds });
              return;
            }
            if ("gaveUpAfter" in decision) {
              await env[QUEUE_BINDINGS.webhooksDeadLetter].send({
                ...body,
                gaveUpAfter: decision.gaveUpAfter,
              });
            }
          }
          message.ack();
        } catch (err) {
          console.error(
            `webhooks: a ${body.kind} message failed (attempt ${message.attempts})`,
            err instanceof Error ? err.message : String(err),
          );
          message.retry({ delaySeconds: ERROR_RETRY_SECONDS });
        }
      }),
    );
  },

  async scheduled(controller, env, _ctx) {
    const { queued, pruned } = await sweep(env, settingsOf(env), new Date(controller.scheduledTime));
    if (queued > 0) console.log(`webhooks: ${queued} deliveries queued by the periodic check`);
    if (pruned > 0) console.log(`webhooks: ${pruned} rows older than the delivery log keeps forgotten`);
  },
} satisfies ExportedHandler<Env, unknown>;
