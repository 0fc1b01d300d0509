import { zodToOpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import {
  CustomerRecord,
  EgoiSource,
  ImportConfigInput,
  ImportFormat,
  ImportOptions,
  ImportType,
  Issue,
  LineItem,
  Order,
  Price,
  Product,
  R2Source,
  Run,
  RunStats,
  RunStatus,
  RunTrigger,
  S3Source,
  Schedule,
  SftpSource,
  Source,
  Transformation,
  UploadSource,
  UrlSource,
  UserId,
  ValueTransform,
} from "@cdp/core";
import { z } from "@hono/zod-openapi";

/**
 * Names a schema of @cdp/core (which knows nothing of OpenAPI) as a component of the API's
 * document: wherever a route uses it, the document refers to #/components/schemas/<name>.
 */
function nameComponent(schema: z.ZodType, name: string): void {
  const metadata = zodToOpenAPIRegistry.get(schema) ?? {};
  zodToOpenAPIRegistry.add(schema, { ...metadata, _internal: { ...metadata._internal, refId: name } });
}

for (const [schema, name] of [
  [Run, "Run"],
  [RunStats, "RunStats"],
  [Issue, "Issue"],
  [Order, "Order"],
  [LineItem, "LineItem"],
  [Product, "Product"],
  [Price, "Price"],
  [CustomerRecord, "CustomerRecord"],
  [UserId, "UserId"],
  [ImportConfigInput, "ImportConfig"],
  [ImportOptions, "ImportOptions"],
  [Source, "Source"],
  [UploadSource, "UploadSource"],
  [UrlSource, "UrlSource"],
  [S3Source, "S3Source"],
  [SftpSource, "SftpSource"],
  [EgoiSource, "EgoiSource"],
  [R2Source, "R2Source"],
  [Transformation, "Transformation"],
  [ValueTransform, "ValueTransform"],
  [Schedule, "Schedule"],
] as const) {
  nameComponent(schema, name);
}

/** One bad field of a request (400): its path, what is wrong, and for an unknown field the close known name. */
export const FieldError = z
  .object({
    path: z.string().openapi({ example: "options.hashUserIDs" }),
    message: z.string().openapi({ example: 'is not a known field; did you mean "hashUserIds"?' }),
    suggestion: z.string().optional().openapi({ example: "hashUserIds" }),
  })
  .openapi("FieldError");

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "unknown_field" }),
      message: z.string(),
      details: z
        .union([z.array(FieldError), z.record(z.string(), z.unknown())])
        .optional()
        .openapi({
          description:
            "For a 400, each bad field by its path; for a 422 of a preview, `{ code }` of the file error a run would fail with.",
        }),
    }),
  })
  .openapi("Error");

export const errorResponses = {
  400: {
    description:
      "Bad input; details lists each bad field by path. An unknown field is `unknown_field` (with the close known name), a missing one `is required`.",
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

/** The text of a list cursor, or null when it is none this API gave (a list never restarts silently). */
export function cursorText(cursor: string): string | null {
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    return null;
  }
  // A cursor is the unpadded base64 of printable text, written one way only.
  const canonical = btoa(text).replaceAll("=", "") === cursor;
  return canonical && /^[\x20-\x7e]+$/.test(text) ? text : null;
}

const NOT_A_CURSOR = "is not a cursor this API gave: pass the previous page's nextCursor as it is";

/** A page of a list: `cursor` is the previous page's nextCursor, refused when it is not one. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z
    .string()
    .refine((cursor) => cursorText(cursor) !== null, NOT_A_CURSOR)
    .optional(),
});

/** The cursor of a run's issues: a place in the run's chunks and their issues. */
export const IssuesCursor = z
  .string()
  .refine((cursor) => /^\d+:\d+$/.test(cursorText(cursor) ?? ""), NOT_A_CURSOR);

const pathId = (name: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: "path" } });
export const ImportIdParam = z.object({ id: pathId("id") });
export const RunIdParam = z.object({ runId: pathId("runId") });
