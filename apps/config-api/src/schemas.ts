import {
  ImportConfigInput,
  ImportFormat,
  ImportOptions,
  ImportType,
  Issue,
  Run,
  RunStats,
  RunStatus,
  RunTrigger,
  Schedule,
  Source,
  Transformation,
} from "@cdp/core";
import { z } from "@hono/zod-openapi";

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not_found" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export const errorResponses = {
  400: {
    description: "Bad input; details lists each bad field by path.",
    content: { "application/json": { schema: ErrorResponse } },
  },
  401: {
    description: "No API key, or a refused one.",
    content: { "application/json": { schema: ErrorResponse } },
  },
  404: {
    description: "Not found (or another tenant's).",
    content: { "application/json": { schema: ErrorResponse } },
  },
} as const;

export const ImportConfigBody = ImportConfigInput;

export const ScheduleStatus = Schedule.extend({
  nextRunAt: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  lastRunStatus: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  lastSkippedSlot: z.string().nullable(),
  lastSkippedReason: z.string().nullable().openapi({ example: "a run was still in progress" }),
});

export const ImportResource = z
  .object({
    id: z.string().openapi({ example: "imp_mb2x1k9q0a8f3k2l9xq1zz" }),
    name: z.string(),
    type: ImportType,
    format: ImportFormat,
    source: Source,
    options: ImportOptions,
    transformations: z.array(Transformation),
    schedule: ScheduleStatus.nullable(),
    lastRun: z
      .object({
        id: z.string(),
        status: RunStatus,
        trigger: RunTrigger,
        dryRun: z.boolean(),
        stats: RunStats,
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
        createdAt: z.string(),
        startedAt: z.string().nullable(),
        finishedAt: z.string().nullable(),
      })
      .nullable()
      .openapi({
        description: "The latest run (dry runs included), with its counts: `GET /v1/runs/{id}` has the rest.",
      }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Import");

export const RunResource = Run;
export const IssueResource = Issue;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().optional(),
});

const pathId = (name: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: "path" } });
export const ImportIdParam = z.object({ id: pathId("id") });
export const RunIdParam = z.object({ runId: pathId("runId") });
