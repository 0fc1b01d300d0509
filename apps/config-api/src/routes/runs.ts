import { checkImportConfig, type Issue, IssueSeverity, Source, sealSource } from "@cdp/core";
import {
  cancelRun,
  getImport,
  getRun,
  listIssues,
  listRuns,
  type StoredImportConfig,
  summarizeIssues,
} from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ApiError } from "../errors";
import { checkSource, configError, refuseSealedSecrets } from "../imports-service";
import { issuesCsv } from "../issues-csv";
import { presentRun, queueRunEvent, startRun } from "../runs-service";
import {
  errorResponses,
  ImportIdParam,
  IssueResource,
  IssuesCursor,
  PageQuery,
  RunIdParam,
  RunResource,
} from "../schemas";

const security = [{ apiKey: [] }];
const json = <T>(schema: T) => ({ "application/json": { schema } });
const RunPage = z.object({ items: z.array(RunResource), nextCursor: z.string().nullable() });

const startRoute = createRoute({
  method: "post",
  path: "/v1/imports/{id}/runs",
  tags: ["Runs"],
  summary: "Start a run",
  description:
    "`source` runs the same configuration once on another file. The body is optional: none is a real run of the import's own source.",
  operationId: "startRun",
  security,
  request: {
    params: ImportIdParam,
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.strictObject({ dryRun: z.boolean().default(false), source: Source.optional() }),
          example: { dryRun: true },
        },
      },
    },
  },
  responses: { 202: { description: "The queued run.", content: json(RunResource) }, ...errorResponses },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/imports/{id}/runs",
  tags: ["Runs"],
  summary: "List the runs of an import",
  operationId: "listRuns",
  security,
  request: { params: ImportIdParam, query: PageQuery },
  responses: {
    200: { description: "A page of runs, newest first.", content: json(RunPage) },
    ...errorResponses,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/runs/{runId}",
  tags: ["Runs"],
  summary: "Get a run: status, progress and stats",
  operationId: "getRun",
  security,
  request: { params: RunIdParam },
  responses: { 200: { description: "The run.", content: json(RunResource) }, ...errorResponses },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/v1/runs/{runId}/cancel",
  tags: ["Runs"],
  summary: "Cancel a run",
  description: "The run stops at its next chunk.",
  operationId: "cancelRun",
  security,
  request: { params: RunIdParam },
  responses: {
    200: { description: "The cancelled run.", content: json(RunResource) },
    409: {
      description: "The run had already ended.",
      content: json(errorResponses[404].content["application/json"].schema),
    },
    ...errorResponses,
  },
});

const cloneRoute = createRoute({
  method: "post",
  path: "/v1/runs/{runId}/clone",
  tags: ["Runs"],
  summary: "Run again with a run's own configuration",
  description:
    "Starts a run of the same import with the configuration the given run read with (for instance the real run after a dry run), even if the import was edited since. `dryRun` defaults to false.",
  operationId: "cloneRun",
  security,
  request: {
    params: RunIdParam,
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.strictObject({ dryRun: z.boolean().default(false) }),
          example: { dryRun: false },
        },
      },
    },
  },
  responses: { 202: { description: "The queued run.", content: json(RunResource) }, ...errorResponses },
});

/** Which stored issues to list: each one given must match exactly. */
const IssueFilterQuery = {
  severity: IssueSeverity.optional().openapi({ description: "Only errors, or only warnings." }),
  code: z.string().min(1).max(100).optional().openapi({ example: "invalid_email" }),
  field: z.string().min(1).max(200).optional().openapi({ example: "email" }),
};

const issuesRoute = createRoute({
  method: "get",
  path: "/v1/runs/{runId}/issues",
  tags: ["Runs"],
  summary: "The issues of a run, line by line",
  description:
    "Each issue names the file's `column` as the file writes it when a transformation (rename or copy) mapped it onto `field`. `?format=csv` downloads them all as CSV (columns row,item,field,code,severity,message,value, and `column` last when some issue has one). `severity`, `code` and `field` list only the stored issues that match each one given.",
  operationId: "listRunIssues",
  security,
  request: {
    params: RunIdParam,
    query: PageQuery.extend({
      cursor: IssuesCursor.optional(),
      format: z.enum(["json", "csv"]).default("json"),
      ...IssueFilterQuery,
    }).strict(),
  },
  responses: {
    200: {
      description:
        "A page of issues in file order, how many the run found (`total`), how many are stored (`stored`: fewer when the run found more than MAX_STORED_ISSUES_PER_RUN; all are counted) and how many stored ones match the filter (`matching`).",
      content: {
        ...json(
          z.object({
            items: z.array(IssueResource),
            total: z.number().int(),
            stored: z.number().int(),
            matching: z.number().int(),
            nextCursor: z.string().nullable(),
          }),
        ),
        "text/csv": { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

const IssueSummaryResource = z
  .object({
    total: z.number().int().openapi({ description: "Issues the run found, stored or not." }),
    stored: z.number().int().openapi({ description: "Issues stored: the counts below are of these." }),
    codes: z.array(z.object({ code: z.string(), severity: IssueSeverity, count: z.number().int() })),
    fields: z.array(z.object({ field: z.string(), count: z.number().int() })),
  })
  .openapi("IssueSummary");

const issueSummaryRoute = createRoute({
  method: "get",
  operationId: "summarizeRunIssues",
  path: "/v1/runs/{runId}/issues/summary",
  tags: ["Runs"],
  summary: "The issues of a run counted by code and by field",
  description:
    "How the stored issues of a run fall into codes (each with its severity: errors make items invalid, warnings do not) and fields, most frequent first. Filter the list of issues by one of them with `GET /v1/runs/{runId}/issues?code=...`.",
  security,
  request: { params: RunIdParam, query: z.object({}).strict() },
  responses: {
    200: { description: "The counts.", content: json(IssueSummaryResource) },
    ...errorResponses,
  },
});

const runNotFound = (id: string) => new ApiError("not_found", `No run '${id}'.`);

export function registerRuns(app: App): void {
  app.openapi(startRoute, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") ?? { dryRun: false };
    const record = await getImport(services.db, tenant.id, id);
    if (!record) throw new ApiError("not_found", `No import '${id}'.`);
    let config = record.config;
    if (body.source) {
      const candidate = { ...record.config, source: body.source };
      const checked = z
        .any()
        .superRefine((value, ctx) => checkImportConfig(value, ctx))
        .safeParse(candidate);
      if (!checked.success) throw configError(checked.error, candidate);
      refuseSealedSecrets(body.source);
      await checkSource(body.source, {
        services,
        tenantId: tenant.id,
        allowPrivate: c.env.ALLOW_PRIVATE_SOURCES === "true",
      });
      config = {
        ...record.config,
        source: await sealSource(await services.keyring(), body.source, tenant.id),
      };
    }
    if (config.source.type === "r2" && config.source.key === undefined) {
      throw new ApiError(
        "validation_failed",
        "This import reads the files that arrive under its watchPrefix and names no key to read now: send a source with a key to run it once on a file.",
        [{ path: "source.key", message: "Required to start this import by hand." }],
      );
    }
    const run = await startRun(c.env, services, {
      record,
      trigger: "manual",
      startedBy: c.var.caller,
      dryRun: body.dryRun ?? false,
      config,
    });
    if (!run) throw new ApiError("conflict", "The run could not be started.");
    return c.json(presentRun(run), 202);
  });

  app.openapi(listRoute, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    if (!(await getImport(services.db, tenant.id, id))) throw new ApiError("not_found", `No import '${id}'.`);
    const page = await listRuns(services.db, tenant.id, id, c.req.valid("query"));
    return c.json({ items: page.items.map(presentRun), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { services, tenant } = c.var;
    const { runId } = c.req.valid("param");
    const run = await getRun(services.db, tenant.id, runId);
    if (!run) throw runNotFound(runId);
    return c.json(presentRun(run), 200);
  });

  app.openapi(cancelRoute, async (c) => {
    const { services, tenant } = c.var;
    const { runId } = c.req.valid("param");
    const before = await getRun(services.db, tenant.id, runId);
    if (!before) throw runNotFound(runId);
    if (!(await cancelRun(services.db, tenant.id, runId, services.now().toISOString()))) {
      throw new ApiError("conflict", `The run has already ended: it is ${before.status}.`);
    }
    await queueRunEvent(c.env, services, runId);
    const run = await getRun(services.db, tenant.id, runId);
    if (!run) throw runNotFound(runId);
    return c.json(presentRun(run), 200);
  });

  app.openapi(cloneRoute, async (c) => {
    const { services, tenant } = c.var;
    const { runId } = c.req.valid("param");
    const body = c.req.valid("json") ?? { dryRun: false };
    const original = await getRun(services.db, tenant.id, runId);
    if (!original) throw runNotFound(runId);
    const record = await getImport(services.db, tenant.id, original.importId);
    if (!record) throw new ApiError("not_found", `The import of run '${runId}' was deleted.`);
    const run = await startRun(c.env, services, {
      record,
      trigger: "manual",
      startedBy: c.var.caller,
      dryRun: body.dryRun ?? false,
      config: JSON.parse(original.config) as StoredImportConfig,
    });
    if (!run) throw new ApiError("conflict", "The run could not be started.");
    return c.json(presentRun(run), 202);
  });

  app.openapi(issuesRoute, async (c) => {
    const { services, tenant } = c.var;
    const { runId } = c.req.valid("param");
    const query = c.req.valid("query");
    if (!(await getRun(services.db, tenant.id, runId))) throw runNotFound(runId);
    const filter = { severity: query.severity, code: query.code, field: query.field };
    if (query.format === "csv") {
      const issues: Issue[] = [];
      let cursor: string | undefined;
      do {
        const page = await listIssues(services.db, runId, { limit: 1000, cursor }, filter);
        for (const issue of page.items) issues.push(issue);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return c.body(issuesCsv(issues), 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${runId}-issues.csv"`,
      });
    }
    const page = await listIssues(services.db, runId, { limit: query.limit, cursor: query.cursor }, filter);
    return c.json(page, 200);
  });

  app.openapi(issueSummaryRoute, async (c) => {
    const { services, tenant } = c.var;
    const { runId } = c.req.valid("param");
    if (!(await getRun(services.db, tenant.id, runId))) throw runNotFound(runId);
    return c.json(await summarizeIssues(services.db, runId), 200);
  });
}
