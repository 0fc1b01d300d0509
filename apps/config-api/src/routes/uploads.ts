import { newId, uploadPath } from "@cdp/core";
import { insertUpload } from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ErrorResponse, errorResponses } from "../schemas";

/** How long a signed upload URL works. */
const UPLOAD_URL_TTL_SECONDS = 3600;

const route = createRoute({
  method: "post",
  path: "/v1/uploads",
  tags: ["Uploads"],
  summary: "Get a signed URL to upload a file",
  description:
    "PUT the file's raw bytes to `uploadUrl` (no Authorization header) before it expires; then use `key` in an upload source.",
  operationId: "createUpload",
  security: [{ apiKey: [] }],
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            filename: z.string().trim().min(1).max(255).openapi({ example: "orders.csv" }),
          }),
          example: { filename: "orders.csv" },
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

// The signed upload URL is served by the ingest Worker behind the same origin (/uploads/*): it is
// documented here, next to the request that issues it, so that the document has every request a
// client makes. Its query (tenant, expires, sig) is the signature: send the URL as it was given.
const signedUrlParams = z.object({
  upload: z.string().openapi({ param: { name: "upload", in: "path" }, example: "up_0mxc1b6135lsvnro7fizq" }),
  filename: z.string().openapi({ param: { name: "filename", in: "path" }, example: "orders.csv" }),
});
const signature = z.object({
  tenant: z.string().openapi({ description: "Part of the signed URL, as given." }),
  expires: z.string().openapi({ description: "Part of the signed URL, as given (Unix seconds)." }),
  sig: z.string().openapi({ description: "Part of the signed URL, as given." }),
});
const uploadError = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorResponse } },
});
const signedUrlErrors = {
  403: uploadError("The URL was changed, or it has expired (`forbidden`)."),
  404: uploadError("No upload or upload in parts of that id (`upload_not_found`)."),
  409: uploadError("The URL already stored a file, or an upload to it is under way (`upload_already_used`)."),
} as const;
const StoredUpload = z
  .object({ key: z.string(), size: z.number().int().openapi({ example: 1048576 }) })
  .openapi("StoredUpload");
const UploadedPart = z
  .object({ partNumber: z.number().int().openapi({ example: 1 }), etag: z.string() })
  .openapi("UploadedPart");
const PartsUploadStarted = z
  .object({
    uploadId: z.string(),
    minPartBytes: z.number().int().openapi({ example: 5242880 }),
    maxPartBytes: z.number().int().openapi({ example: 99614720 }),
  })
  .openapi("PartsUploadStarted");
const PartsList = z
  .strictObject({
    parts: z.array(z.strictObject({ partNumber: z.number().int().min(1), etag: z.string().min(1) })).min(1),
  })
  .openapi("PartsList");
const signedUrl = [] as { [name: string]: string[] }[];

function documentSignedUrl(app: App): void {
  app.openAPIRegistry.registerPath({
    method: "put",
    path: "/uploads/{upload}/{filename}",
    tags: ["Uploads"],
    summary: "Upload a file (or one part of it) to a signed URL",
    description:
      "The `uploadUrl` of POST /v1/uploads, with the file's raw bytes and a Content-Length, without an Authorization header (the URL is signed for one file of one tenant, until `expiresAt`). A URL stores one file once. Past a plan's request size, send the file in parts: start with POST `<uploadUrl>&uploads`, then PUT each part to `<uploadUrl>&uploadId=U&partNumber=N` (N from 1; every part but the last of one size from `minPartBytes` to `maxPartBytes`), then complete with POST `<uploadUrl>&uploadId=U`.",
    operationId: "uploadFile",
    security: signedUrl,
    request: {
      params: signedUrlParams,
      query: signature.extend({
        uploadId: z.string().optional().openapi({ description: "The upload in parts this part belongs to." }),
        partNumber: z
          .string()
          .optional()
          .openapi({ description: "The part's number, from 1.", example: "1" }),
      }),
      body: {
        required: true,
        content: {
          "application/octet-stream": {
            schema: { type: "string", contentMediaType: "application/octet-stream" },
            example: "orderId,userIdType,userId,...",
          },
        },
      },
    },
    responses: {
      200: { description: "A part is stored.", content: { "application/json": { schema: UploadedPart } } },
      201: { description: "The file is stored.", content: { "application/json": { schema: StoredUpload } } },
      400: uploadError("A part number out of range (`bad_request`)."),
      411: uploadError("No Content-Length (`length_required`)."),
      413: uploadError("The file is over MAX_FILE_BYTES (`file_too_large`)."),
      ...signedUrlErrors,
    },
  });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/uploads/{upload}/{filename}",
    tags: ["Uploads"],
    summary: "Start or complete an upload in parts",
    description:
      "`<uploadUrl>&uploads` (no body) starts an upload in parts and answers its `uploadId`. `<uploadUrl>&uploadId=U` with the list of parts completes it: the file is stored as one.",
    operationId: "startOrCompleteMultipartUpload",
    security: signedUrl,
    request: {
      params: signedUrlParams,
      query: signature.extend({
        uploads: z
          .string()
          .optional()
          .openapi({ description: "Present (empty) to start an upload in parts." }),
        uploadId: z.string().optional().openapi({ description: "The upload in parts to complete." }),
      }),
      body: {
        required: false,
        content: {
          "application/json": {
            schema: PartsList,
            example: { parts: [{ partNumber: 1, etag: "3858f62230ac3c915f300c664312c11f" }] },
          },
        },
      },
    },
    responses: {
      201: {
        description: "Started (`uploadId`), or completed (`key`, `size`).",
        content: { "application/json": { schema: z.union([PartsUploadStarted, StoredUpload]) } },
      },
      400: uploadError("The parts are not listed once each, in order, from 1 (`bad_request`)."),
      413: uploadError("The joined file is over MAX_FILE_BYTES (`file_too_large`)."),
      ...signedUrlErrors,
    },
  });
  app.openAPIRegistry.registerPath({
    method: "delete",
    path: "/uploads/{upload}/{filename}",
    tags: ["Uploads"],
    summary: "Give up an upload in parts",
    description: "`<uploadUrl>&uploadId=U`: its parts are dropped, and the URL can be used again.",
    operationId: "abortMultipartUpload",
    security: signedUrl,
    request: {
      params: signedUrlParams,
      query: signature.extend({
        uploadId: z.string().openapi({ description: "The upload in parts to give up." }),
      }),
    },
    responses: { 204: { description: "The parts are given up." }, ...signedUrlErrors },
  });
}

/** A file name safe in an object key: no path, no control characters. */
function safeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? "";
  const cleaned = base.replace(/[^\w.\-() ]+/g, "_").replace(/^\.+/, "");
  return cleaned.slice(0, 200) || "file";
}

export function registerUploads(app: App): void {
  documentSignedUrl(app);
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
