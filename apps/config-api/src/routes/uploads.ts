import { newId, uploadPath } from "@cdp/core";
import { insertUpload } from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { errorResponses } from "../schemas";

/** How long a signed upload URL works. */
const UPLOAD_URL_TTL_SECONDS = 3600;

const route = createRoute({
  method: "post",
  path: "/v1/uploads",
  tags: ["Uploads"],
  summary: "Get a signed URL to upload a file",
  description:
    "PUT the file's raw bytes to `uploadUrl` (no Authorization header) before it expires; then use `key` in an upload source.",
  security: [{ apiKey: [] }],
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            filename: z.string().trim().min(1).max(255).openapi({ example: "orders.csv" }),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: "A signed upload URL.",
      content: {
        "application/json": {
          schema: z.object({
            key: z.string(),
            uploadUrl: z.string(),
            method: z.literal("PUT"),
            expiresAt: z.string(),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

/** A file name safe in an object key: no path, no control characters. */
function safeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  const cleaned = base.replace(/[^\w.\-() ]+/g, "_").replace(/^\.+/, "");
  return cleaned.slice(0, 200) || "file";
}

export function registerUploads(app: App): void {
  app.openapi(route, async (c) => {
    const { services, tenant } = c.var;
    const { filename } = c.req.valid("json");
    const now = services.now();
    const key = `${newId("up", now.getTime())}/${safeFilename(filename)}`;
    const expires = Math.floor(now.getTime() / 1000) + UPLOAD_URL_TTL_SECONDS;
    const expiresAt = new Date(expires * 1000).toISOString();
    await insertUpload(services.db, {
      key,
      tenantId: tenant.id,
      filename,
      now: now.toISOString(),
      expiresAt,
    });
    const path = await uploadPath(
      { method: "PUT", key, tenantId: tenant.id, expires },
      c.env.UPLOAD_SIGNING_SECRET,
    );
    return c.json(
      { key, uploadUrl: new URL(path, c.req.url).toString(), method: "PUT" as const, expiresAt },
      201,
    );
  });
}
