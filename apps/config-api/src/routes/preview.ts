import { CustomerRecord, ImportFileError, Order, Product } from "@cdp/core";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ApiError } from "../errors";
import { checkSource, parseImportConfig, sourceToRead } from "../imports-service";
import { previewImport } from "../preview";
import { errorResponses, IssueResource } from "../schemas";

const route = createRoute({
  method: "post",
  path: "/v1/imports/preview",
  tags: ["Imports"],
  summary: "Preview the first items of a source",
  description:
    'Reads the first records of the source with the configuration (transformations, validation, hashing) and answers the valid normalised items and the issues, storing nothing. Every source can be previewed (upload, r2 with a key, url, s3, sftp, egoi; gzip and zip files unpacked), and only its beginning is read. A source that cannot be read answers 422 with the error a run would fail with in `details.code`. To preview an edited import without its secrets, send its `importId`: each `"***"` in `config.source` is then the import\'s stored secret at that place, under the rule of a PATCH (kept only when the source still sends it to the same destination; otherwise 400 `validation_failed` names each secret to send again).',
  operationId: "previewImport",
  security: [{ apiKey: [] }],
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            config: z.record(z.string(), z.unknown()).openapi({
              description:
                "An import configuration (ImportConfig); `name` is optional. Its problems are named by their path inside it, as on create: `options.delimiter`.",
            }),
            limit: z.number().int().min(1).max(100).default(20),
            importId: z.string().min(1).optional().openapi({
              description:
                'The stored import being edited (404 when it is not one of the tenant\'s). Each "***" in `config.source` is replaced by its stored secret at the same place, as a PATCH does: only while the source sends its secrets to the same destination (the same URL origin; S3 endpoint (or none) and access key id; SFTP host, port and user name; the same type). A "***" that cannot be kept answers 400 `validation_failed` with its path, like `source.password`: send that secret itself.',
            }),
          }),
          example: {
            config: {
              type: "orders",
              format: "velocidi_csv",
              source: { type: "upload", key: "up_0mxc1b6135lsvnro7fizq/orders.csv" },
            },
            limit: 20,
          },
        },
      },
    },
  },
  responses: {
    200: {
      description: "The first items and their issues.",
      content: {
        "application/json": {
          schema: z.object({
            columns: z.array(z.string()),
            items: z
              .array(z.union([Order, CustomerRecord, Product]))
              .openapi({ description: "The valid items, normalised as a run stores them." }),
            issues: z.array(IssueResource),
          }),
        },
      },
    },
    ...errorResponses,
    422: errorResponses[400],
  },
});

export function registerPreview(app: App): void {
  app.openapi(route, async (c) => {
    const { services, tenant } = c.var;
    const body = c.req.valid("json");
    const sent = parseImportConfig({ name: "Preview", ...body.config });
    const config = { ...sent, source: await sourceToRead(services, tenant.id, sent.source, body.importId) };
    await checkSource(config.source, {
      services,
      tenantId: tenant.id,
      allowPrivate: c.env.ALLOW_PRIVATE_SOURCES === "true",
    });
    try {
      return c.json(await previewImport(c.env, services, tenant.id, config, body.limit ?? 20), 200);
    } catch (err) {
      // The file as a whole cannot be read: say why, as a run would.
      if (err instanceof ImportFileError)
        throw new ApiError("unprocessable", err.message, { code: err.code });
      throw err;
    }
  });
}
