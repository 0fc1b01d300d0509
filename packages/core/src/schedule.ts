import type { Schedule } from "./config";

const DAY_MS = 86_400_000;

/**
 * The slots of a schedule are startAt + k × everyDays (k ≥ 0). The latest slot at or before
 * `now`, or null before the first one.
 */
export function dueSlot(schedule: Pick<Schedule, "everyDays" | "startAt">, now: Date): Date | null {
  const start = Date.parse(schedule.startAt);
  if (now.getTime() < start) return null;
  const period = schedule.everyDays * DAY_MS;
  const k = Math.floor((now.getTime() - start) / period);
  return new Date(start + k * period);
}

/** The first slot strictly after `now`. */
export function nextSlot(schedule: Pick<Schedule, "everyDays" | "startAt">, now: Date): Date {
  const start = Date.parse(schedule.startAt);
  if (now.getTime() < start) return new Date(start);
  const period = schedule.everyDays * DAY_MS;
  const k = Math.floor((now.getTime() - start) / period) + 1;
  return new Date(start + k * period);
}
