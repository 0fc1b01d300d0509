import { QUEUE_BINDINGS, type WebhookMessage } from "@cdp/core";
import { pruneWebhookLog, queueSends, runStatusOf, takeDueSends } from "@cdp/store";
import type { WebhookSettings } from "./settings";

const ENDED = new Set(["completed", "failed", "cancelled"]);

/** A run is watched for a week at most; the periodic check sends the event of one that ends later. */
export const MAX_WATCH_CHECKS = 20_000;

/**
 * Looks at a run: once it has ended, queues the deliveries of its event (written with its final
 * status); until then, looks again later, soon at first and at most every
 * WEBHOOK_WATCH_MAX_DELAY_SECONDS.
 */
export async function watchRun(
  env: Env,
  settings: WebhookSettings,
  message: { runId: string; checks: number },
): Promise<void> {
  const status = await runStatusOf(env.CONFIG_DB, message.runId);
  if (status === null) return;
  if (ENDED.has(status)) {
    await queueSends(
      env[QUEUE_BINDINGS.webhooks],
      await takeDueSends(env.CONFIG_DB, { runId: message.runId, now: new Date().toISOString() }),
    );
    return;
  }
  if (message.checks >= MAX_WATCH_CHECKS) return;
  const checks = message.checks + 1;
  await env[QUEUE_BINDINGS.webhooks].send(
    { kind: "watch", runId: message.runId, checks } satisfies WebhookMessage,
    { delaySeconds: Math.min(2 ** Math.min(checks, 16), settings.watchMaxDelaySeconds) },
  );
}

/** How late an attempt may be before its message counts as lost and is queued again. */
export const OVERDUE_MS = 15 * 60 * 1000;

/**
 * The periodic check: queues the sends no watch queued (an endpoint added while the run was
 * going, a watch that was lost) and those whose next attempt is long overdue (a lost message).
 * Once an hour it also forgets what is older than WEBHOOK_LOG_DAYS.
 */
export async function sweep(
  env: Env,
  settings: WebhookSettings,
  now: Date,
): Promise<{ queued: number; pruned: number }> {
  const sends = await takeDueSends(env.CONFIG_DB, {
    overdueBefore: new Date(now.getTime() - OVERDUE_MS).toISOString(),
    now: now.toISOString(),
  });
  await queueSends(env[QUEUE_BINDINGS.webhooks], sends);
  const pruned =
    now.getUTCMinutes() === 0
      ? await pruneWebhookLog(
          env.CONFIG_DB,
          new Date(now.getTime() - settings.logDays * 86_400_000).toISOString(),
        )
      : 0;
  return { queued: sends.length, pruned };
}
