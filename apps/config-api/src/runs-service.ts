import {
  type EgoiMessage,
  newId,
  QUEUE_BINDINGS,
  type RunMessage,
  type RunTrigger,
  type WebhookMessage,
} from "@cdp/core";
import {
  getRun,
  type ImportRecord,
  insertRun,
  publicRun,
  queueSends,
  type RunRecord,
  type StoredImportConfig,
  takeDueSends,
  tenantHasWebhooks,
} from "@cdp/store";
import type { Services } from "./app";

/**
 * Inserts a queued run of an import and hands it to the Worker that does it: E-goi imports to
 * egoi-sync, file imports to ingest. Null when the run's slot or trigger already started one.
 */
export async function startRun(
  env: Env,
  services: Services,
  request: {
    record: ImportRecord;
    trigger: RunTrigger;
    /** `key:<prefix>`, `dashboard:<prefix>` or `schedule`. */
    startedBy: string;
    dryRun: boolean;
    config?: StoredImportConfig;
    slot?: string;
    triggerKey?: string;
  },
): Promise<RunRecord | null> {
  const now = services.now();
  const id = newId("run", now.getTime());
  const config = request.config ?? request.record.config;
  const inserted = await insertRun(services.db, {
    id,
    tenantId: request.record.tenantId,
    importId: request.record.id,
    trigger: request.trigger,
    startedBy: request.startedBy,
    dryRun: request.dryRun,
    config: JSON.stringify(config),
    now: now.toISOString(),
    slot: request.slot,
    triggerKey: request.triggerKey,
  });
  if (!inserted) return null;
  if (config.source.type === "egoi") {
    await env[QUEUE_BINDINGS.egoi].send({ runId: id, offset: 0 } satisfies EgoiMessage);
  } else {
    await env[QUEUE_BINDINGS.runs].send({ runId: id } satisfies RunMessage);
  }
  await watchRun(env, services, request.record.tenantId, id);
  return getRun(services.db, request.record.tenantId, id);
}

/**
 * When the tenant has webhooks, the webhooks Worker watches the run until it ends and then
 * sends its event (the Workers that end runs send nothing themselves).
 */
export async function watchRun(env: Env, services: Services, tenantId: string, runId: string): Promise<void> {
  if (!(await tenantHasWebhooks(services.db, tenantId))) return;
  await env[QUEUE_BINDINGS.webhooks].send({ kind: "watch", runId, checks: 0 } satisfies WebhookMessage, {
    delaySeconds: 1,
  });
}

/** Queues the deliveries of a run's event at once (a run cancelled here), ahead of its watch. */
export async function queueRunEvent(env: Env, services: Services, runId: string): Promise<void> {
  await queueSends(
    env[QUEUE_BINDINGS.webhooks],
    await takeDueSends(services.db, { runId, now: services.now().toISOString() }),
  );
}

/** A run as users see it (no internal fields). */
export const presentRun = publicRun;
