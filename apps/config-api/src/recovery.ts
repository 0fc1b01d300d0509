import { QUEUE_BINDINGS, type RunMessage } from "@cdp/core";
import { listStalledRuns } from "@cdp/store";
import type { Services } from "./app";

/** A run with no progress for this long is resumed by the scheduled check. */
export const RESUME_STALLED_AFTER_MS = 15 * 60 * 1000;

/**
 * Resumes runs that stopped moving (Cron Trigger): a run not ended, with no chunk finished for
 * RESUME_STALLED_AFTER_MS, may have lost its queue messages (a runtime that restarts drops what
 * is in flight). Its run message goes to ingest again, which sends the chunks of the stored plan
 * that have no outcome yet (or plans the run, if it never was); a chunk already imported is
 * skipped, so a resumed run counts nothing twice. The var RESUME_STALLED_AFTER_SECONDS overrides
 * the delay (tests).
 */
export async function resumeStalledRuns(env: Env, services: Services): Promise<string[]> {
  const seconds = Number(
    (env as unknown as { RESUME_STALLED_AFTER_SECONDS?: string }).RESUME_STALLED_AFTER_SECONDS,
  );
  const afterMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : RESUME_STALLED_AFTER_MS;
  const before = new Date(services.now().getTime() - afterMs).toISOString();
  const runIds = await listStalledRuns(services.db, before);
  for (let i = 0; i < runIds.length; i += 100) {
    await env[QUEUE_BINDINGS.runs].sendBatch(
      runIds.slice(i, i + 100).map((runId) => ({ body: { runId } satisfies RunMessage })),
    );
  }
  return runIds;
}
