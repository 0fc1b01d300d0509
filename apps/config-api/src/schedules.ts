import { dueSlot } from "@cdp/core";
import { hasActiveRun, listScheduledImports, recordScheduleSkip, slotTaken } from "@cdp/store";
import type { Services } from "./app";
import { startRun } from "./runs-service";

export interface ScheduleOutcome {
  started: string[];
  skipped: string[];
}

/**
 * The scheduled-imports check (Cron Trigger). Each import's latest due slot — startAt + k ×
 * everyDays — starts one run, however often the check fires and however long it was down: the
 * unique (import, slot) index lets one run in, whatever overlaps. Slots from before the
 * schedule was set never run; a slot that comes while a run is still going is skipped, and the
 * skip is recorded: a skipped slot never runs, not even once that run has ended.
 */
export async function runDueSchedules(env: Env, services: Services): Promise<ScheduleOutcome> {
  const now = services.now();
  const outcome: ScheduleOutcome = { started: [], skipped: [] };
  for (const record of await listScheduledImports(services.db)) {
    const schedule = record.config.schedule;
    if (!schedule?.enabled) continue;
    const slot = dueSlot(schedule, now);
    if (!slot || (record.scheduleSetAt && slot.getTime() < Date.parse(record.scheduleSetAt))) continue;
    const slotIso = slot.toISOString();
    if (await slotTaken(services.db, record.id, slotIso)) continue;
    if (await hasActiveRun(services.db, record.id)) {
      await recordScheduleSkip(
        services.db,
        record.id,
        slotIso,
        "a run was still in progress",
        now.toISOString(),
      );
      outcome.skipped.push(record.id);
      continue;
    }
    const run = await startRun(env, services, {
      record,
      trigger: "schedule",
      startedBy: "schedule",
      dryRun: false,
      slot: slotIso,
    });
    if (run) outcome.started.push(run.id);
  }
  return outcome;
}
