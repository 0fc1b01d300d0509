import { ImportFileError } from "@cdp/core";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ApiError } from "../errors";
import { checkSource, parseImportConfig, refuseSealedSecrets } from "../imports-service";
import { previewImport } from "../preview";
import { errorResponses, IssueResource } from "../schemas";

const route = createRoute({
  method: "post",
  path: "/v1/imports/preview",
  tags: ["Imports"],
  summary: "Preview the first items of a source",
  description:
    "Reads the first records of the source with the configuration (transformations, validation, hashing) and answers the valid normalised items and the issues, storing nothing. Every source can be previewed (upload, r2 with a key, url, s3, sftp, egoi; gzip and zip files unpacked), and only its beginning is read. A source that cannot be read answers 422 with the error a run would fail with in `details.code`.",
  security: [{ apiKey: [] }],
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            config: z
              .record(z.string(), z.unknown())
              .openapi({ description: "An import configuration; `name` is optional." }),
            limit: z.number().int().min(1).max(100).default(20),
          }),
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
            items: z.array(z.unknown()),
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
    const config = parseImportConfig({ name: "Preview", ...body.config });
    refuseSealedSecrets(config.source);
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
