import { type EgoiMessage, newId, QUEUE_BINDINGS, type RunMessage, type RunTrigger } from "@cdp/core";
import { getRun, type ImportRecord, insertRun, type RunRecord, type StoredImportConfig } from "@cdp/store";
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
  return getRun(services.db, request.record.tenantId, id);
}

/** A run as users see it (no internal fields). */
export function presentRun(run: RunRecord) {
  return {
    id: run.id,
    importId: run.importId,
    status: run.status,
    trigger: run.trigger,
    dryRun: run.dryRun,
    progress: run.progress,
    stats: run.stats,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}
