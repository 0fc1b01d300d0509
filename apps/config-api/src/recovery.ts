import { type EgoiMessage, QUEUE_BINDINGS, type RunMessage, wholeNumberVar } from "@cdp/core";
import { listStalledRuns, touchRuns } from "@cdp/store";
import type { Services } from "./app";

/** A run with no progress for this long is resumed by the scheduled check. */
export const RESUME_STALLED_AFTER_MS = 15 * 60 * 1000;

/**
 * Resumes runs that stopped moving (Cron Trigger): a run not ended, with no chunk finished and
 * no other sign of life (touchRuns) for RESUME_STALLED_AFTER_MS, may have lost its queue messages (a runtime that restarts drops what
 * is in flight). Its run message goes to ingest again, which sends the chunks of the stored plan
 * that have no outcome yet (or plans the run, if it never was); an E-goi run's first page goes
 * to egoi-sync again. A chunk or page already imported is skipped, so a resumed run counts
 * nothing twice. The var RESUME_STALLED_AFTER_SECONDS overrides
 * the delay (tests).
 */
export async function resumeStalledRuns(env: Env, services: Services): Promise<string[]> {
  const setting = (env as unknown as { RESUME_STALLED_AFTER_SECONDS?: string }).RESUME_STALLED_AFTER_SECONDS;
  const afterMs = wholeNumberVar(setting, RESUME_STALLED_AFTER_MS / 1000, 0) * 1000;
  const before = new Date(services.now().getTime() - afterMs).toISOString();
  const runs = await listStalledRuns(services.db, before);
  // Resumed now: the next checks leave them alone while they get going again.
  await touchRuns(
    services.db,
    runs.map((run) => run.id),
    services.now().toISOString(),
  );
  const egoi = runs.filter((run) => run.sourceType === "egoi");
  const files = runs.filter((run) => run.sourceType !== "egoi");
  for (let i = 0; i < files.length; i += 100) {
    await env[QUEUE_BINDINGS.runs].sendBatch(
      files.slice(i, i + 100).map(({ id }) => ({ body: { runId: id } satisfies RunMessage })),
    );
  }
  // An E-goi run starts again from its first page: pages already imported are skipped, each
  // passing the sync on to the next one.
  for (let i = 0; i < egoi.length; i += 100) {
    await env[QUEUE_BINDINGS.egoi].sendBatch(
      egoi.slice(i, i + 100).map(({ id }) => ({ body: { runId: id, offset: 0 } satisfies EgoiMessage })),
    );
  }
  return runs.map((run) => run.id);
}
