import * as z from "zod";

export const RUN_STATUSES = ["queued", "in_progress", "completed", "failed", "cancelled"] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunTrigger = z.enum(["manual", "schedule", "upload"]);
export type RunTrigger = z.infer<typeof RunTrigger>;

export const RunStats = z.object({
  rowsRead: z.number().int(),
  itemsRead: z.number().int(),
  itemsValid: z.number().int(),
  itemsInvalid: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
export type RunStats = z.infer<typeof RunStats>;

export const emptyStats = (): RunStats => ({
  rowsRead: 0,
  itemsRead: 0,
  itemsValid: 0,
  itemsInvalid: 0,
  added: 0,
  updated: 0,
  unchanged: 0,
});

export const Run = z.object({
  id: z.string(),
  importId: z.string(),
  status: RunStatus,
  trigger: RunTrigger,
  /**
   * Who started the run: `key:<prefix>` (an API key, by the first characters it is told apart
   * by), `dashboard:<prefix>` (the dashboard, signed in with that key), `schedule` or `upload`.
   * Null for runs older than this field.
   */
  startedBy: z.string().nullable(),
  dryRun: z.boolean(),
  progress: z.object({ bytesRead: z.number().int(), bytesTotal: z.number().int() }),
  stats: RunStats,
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Run = z.infer<typeof Run>;
