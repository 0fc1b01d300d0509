import { ImportFormat, ImportOptions, ImportType, newId, Schedule, Source, Transformation } from "@cdp/core";
import { deleteImport, getImport, insertImport, listImports, updateImport } from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import {
  checkSource,
  importNotFound,
  parseImportConfig,
  presentImport,
  refuseSealedSecrets,
  sealConfig,
  withStoredSecrets,
} from "../imports-service";
import { errorResponses, ImportConfigBody, ImportIdParam, ImportResource, PageQuery } from "../schemas";

const security = [{ apiKey: [] }];
const json = <T>(schema: T) => ({ "application/json": { schema } });

const ImportPatch = z
  .strictObject({
    name: z.string(),
    type: ImportType,
    format: ImportFormat,
    source: Source,
    options: ImportOptions,
    transformations: z.array(Transformation),
    schedule: Schedule.nullable(),
  })
  .partial()
  .openapi("ImportPatch");

const createImport = createRoute({
  method: "post",
  path: "/v1/imports",
  tags: ["Imports"],
  summary: "Create an import",
  operationId: "createImport",
  security,
  request: {
    body: {
      content: {
        "application/json": {
          schema: ImportConfigBody,
          example: {
            name: "Historic orders",
            type: "orders",
            format: "velocidi_csv",
            source: { type: "upload", key: "up_0mxc1b6135lsvnro7fizq/orders.csv" },
            options: { hashUserIds: true },
            transformations: [
              {
                op: "rename",
                from: "Order Date",
                to: "createdAt",
                values: [{ type: "timestamp", pattern: "yyyy/MM/dd HH:mm" }],
              },
            ],
            schedule: { everyDays: 1, startAt: "2026-12-01T02:00:00Z", enabled: true },
          },
        },
      },
      required: true,
    },
  },
  responses: { 201: { description: "The stored import.", content: json(ImportResource) }, ...errorResponses },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/imports",
  tags: ["Imports"],
  summary: "List the imports",
  operationId: "listImports",
  security,
  request: { query: PageQuery },
  responses: {
    200: {
      description: "A page of imports, newest first.",
      content: json(z.object({ items: z.array(ImportResource), nextCursor: z.string().nullable() })),
    },
    ...errorResponses,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/imports/{id}",
  tags: ["Imports"],
  summary: "Get an import",
  operationId: "getImport",
  security,
  request: { params: ImportIdParam },
  responses: { 200: { description: "The import.", content: json(ImportResource) }, ...errorResponses },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/v1/imports/{id}",
  tags: ["Imports"],
  summary: "Update an import",
  description:
    'Replaces each top-level field sent. A "***" inside a sent source keeps the stored secret at that place.',
  operationId: "updateImport",
  security,
  request: {
    params: ImportIdParam,
    body: {
      content: {
        "application/json": {
          schema: ImportPatch,
          example: { name: "Nightly orders", schedule: { everyDays: 1, startAt: "2026-12-01T02:00:00Z" } },
        },
      },
      required: true,
    },
  },
  responses: {
    200: { description: "The updated import.", content: json(ImportResource) },
    ...errorResponses,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/imports/{id}",
  tags: ["Imports"],
  summary: "Delete an import",
  description: "Its runs that have not started are cancelled.",
  operationId: "deleteImport",
  security,
  request: { params: ImportIdParam },
  responses: {
    204: { description: "Deleted." },
    ...errorResponses,
  },
});

export function registerImports(app: App): void {
  app.openapi(createImport, async (c) => {
    const { services, tenant } = c.var;
    const config = parseImportConfig(c.req.valid("json"));
    refuseSealedSecrets(config.source);
    await checkSource(config.source, {
      services,
      tenantId: tenant.id,
      allowPrivate: c.env.ALLOW_PRIVATE_SOURCES === "true",
    });
    const now = services.now();
    const id = newId("imp", now.getTime());
    await insertImport(services.db, {
      id,
      tenantId: tenant.id,
      config: await sealConfig(services, config, tenant.id),
      now: now.toISOString(),
    });
    const record = await getImport(services.db, tenant.id, id);
    if (!record) throw importNotFound(id);
    return c.json(await presentImport(record, now), 201);
  });

  app.openapi(listRoute, async (c) => {
    const { services, tenant } = c.var;
    const page = await listImports(services.db, tenant.id, c.req.valid("query"));
    const now = services.now();
    return c.json(
      { items: await Promise.all(page.items.map((r) => presentImport(r, now))), nextCursor: page.nextCursor },
      200,
    );
  });

  app.openapi(getRoute, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const record = await getImport(services.db, tenant.id, id);
    if (!record) throw importNotFound(id);
    return c.json(await presentImport(record, services.now()), 200);
  });

  app.openapi(patchRoute, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const stored = await getImport(services.db, tenant.id, id);
    if (!stored) throw importNotFound(id);
    const patch = c.req.valid("json");
    const merged = { ...stored.config, ...patch };
    if (patch.source) merged.source = withStoredSecrets(patch.source, stored.config.source);
    const config = parseImportConfig(merged);
    if (patch.source) {
      await checkSource(config.source, {
        services,
        tenantId: tenant.id,
        allowPrivate: c.env.ALLOW_PRIVATE_SOURCES === "true",
      });
    }
    const now = services.now();
    const updated = await updateImport(services.db, {
      id,
      tenantId: tenant.id,
      config: await sealConfig(services, config, tenant.id),
      now: now.toISOString(),
    });
    const record = updated ? await getImport(services.db, tenant.id, id) : null;
    if (!record) throw importNotFound(id);
    return c.json(await presentImport(record, now), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    if (!(await deleteImport(services.db, tenant.id, id, services.now().toISOString())))
      throw importNotFound(id);
    return c.body(null, 204);
  });
}
