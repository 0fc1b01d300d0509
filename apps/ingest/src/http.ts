import { PREVIEW_PATH, verifyUpload } from "@cdp/core";
import { type IRequest, Router } from "itty-router";
import { startWatchingImports } from "./file-events";
import { fileTooLargeMessage, maxFileBytes } from "./limits";
import { servePreview } from "./preview";
import { putStream, singlePutMaxBytes } from "./r2-put";
import { isPartsRequest, MAX_PART_BYTES, MIN_PART_BYTES, serveParts } from "./upload-parts";

/** The JSON error envelope of the public API, for the few answers ingest gives itself. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers?: HeadersInit,
): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

/** Where an uploaded file lives in R2. */
export function uploadObjectKey(tenantId: string, key: string): string {
  return `tenants/${tenantId}/uploads/${key}`;
}

interface SignedUpload {
  key: string;
  tenantId: string;
}

/** The upload a signed URL grants, or the 403 that refuses it. */
async function signedUpload(url: URL, env: Env): Promise<SignedUpload | Response> {
  const key = decodeURIComponent(url.pathname.slice("/uploads/".length));
  const tenantId = url.searchParams.get("tenant") ?? "";
  const expires = Number(url.searchParams.get("expires"));
  const signature = url.searchParams.get("sig") ?? "";
  const grant = { method: "PUT" as const, key, tenantId, expires };
  if (
    !key ||
    !tenantId ||
    !Number.isInteger(expires) ||
    !(await verifyUpload(grant, signature, env.UPLOAD_SIGNING_SECRET))
  ) {
    return errorResponse(
      403,
      "forbidden",
      "This upload URL is not valid: it was changed or not issued by this service.",
    );
  }
  if (expires * 1000 < Date.now()) {
    return errorResponse(
      403,
      "forbidden",
      "This upload URL has expired: ask for a new one with POST /v1/uploads.",
    );
  }
  return { key, tenantId };
}

/**
 * Records a stored upload as complete and starts the imports watching it. Locally R2 sends no
 * notifications, so the upload itself starts them; deployed, the notification does too, and
 * the object key makes that one start nothing more.
 */
async function finishUpload(env: Env, upload: SignedUpload, size: number): Promise<Response> {
  const { key, tenantId } = upload;
  const row = await env.CONFIG_DB.prepare(
    "UPDATE uploads SET size = ?1, completed_at = ?2 WHERE key = ?3 AND tenant_id = ?4 RETURNING filename",
  )
    .bind(size, new Date().toISOString(), key, tenantId)
    .first<{ filename: string }>();
  if (row) {
    try {
      await startWatchingImports(env, {
        tenantId,
        uploadKey: key,
        filename: row.filename,
        objectKey: uploadObjectKey(tenantId, key),
      });
    } catch (err) {
      console.error(
        "ingest: watching imports not started",
        key,
        err instanceof Error ? err.message : String(err),
      );
    }
  }
  return Response.json({ key, size }, { status: 201 });
}

async function putUpload(request: Request, env: Env, upload: SignedUpload): Promise<Response> {
  const length = Number(request.headers.get("content-length"));
  if (
    !request.headers.has("content-length") ||
    !Number.isSafeInteger(length) ||
    length < 0 ||
    !request.body
  ) {
    return errorResponse(411, "length_required", "Send the file with a Content-Length header.");
  }
  const limit = maxFileBytes(env);
  if (length > limit) {
    return errorResponse(413, "file_too_large", fileTooLargeMessage(length, limit));
  }
  // R2 takes the body as it arrives (in parts past R2's single-put size), never all in memory.
  const object = await putStream(
    env.FILES,
    uploadObjectKey(upload.tenantId, upload.key),
    request.body,
    length,
    singlePutMaxBytes(env),
  );
  return finishUpload(env, upload, object.size);
}

/** The multipart verbs of an upload URL (see upload-parts.ts). */
async function partsUpload(request: Request, env: Env, upload: SignedUpload): Promise<Response> {
  const answer = await serveParts(request, env.FILES, uploadObjectKey(upload.tenantId, upload.key));
  switch (answer.kind) {
    case "started":
      return Response.json(
        { uploadId: answer.uploadId, minPartBytes: MIN_PART_BYTES, maxPartBytes: MAX_PART_BYTES },
        { status: 201 },
      );
    case "part":
      return Response.json({ partNumber: answer.partNumber, etag: answer.etag });
    case "completed": {
      // Parts are not counted as they come: the joined file is measured once, and removed if
      // it is over the limit, as a single PUT of that size would have been refused.
      const limit = maxFileBytes(env);
      if (answer.size > limit) {
        await env.FILES.delete(uploadObjectKey(upload.tenantId, upload.key));
        return errorResponse(413, "file_too_large", fileTooLargeMessage(answer.size, limit));
      }
      return finishUpload(env, upload, answer.size);
    }
    case "aborted":
      return new Response(null, { status: 204 });
    case "refused":
      return errorResponse(answer.status, answer.code, answer.message);
  }
}

/**
 * An upload URL stores one file, once: after a completed upload it refuses every verb, so a
 * replayed URL cannot replace a file that an import may already have read.
 */
async function spentUpload(env: Env, upload: SignedUpload): Promise<Response | null> {
  const row = await env.CONFIG_DB.prepare(
    "SELECT completed_at FROM uploads WHERE key = ?1 AND tenant_id = ?2",
  )
    .bind(upload.key, upload.tenantId)
    .first<{ completed_at: string | null }>();
  if (!row?.completed_at) return null;
  return errorResponse(
    409,
    "upload_already_used",
    `This upload URL was already used at ${row.completed_at}; the file it stored stays as it is. Ask for a new URL with POST /v1/uploads to send another file.`,
  );
}

async function serveUpload(request: IRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const upload = await signedUpload(url, env);
  if (upload instanceof Response) return upload;
  const spent = await spentUpload(env, upload);
  if (spent) return spent;
  if (isPartsRequest(url)) return partsUpload(request, env, upload);
  if (request.method !== "PUT") {
    return errorResponse(405, "method_not_allowed", "Upload URLs take a PUT of the file's bytes.", {
      Allow: "PUT",
    });
  }
  return putUpload(request, env, upload);
}

export const router = Router<IRequest, [Env, ExecutionContext]>({
  catch: (err) => {
    console.error("ingest http error", err instanceof Error ? (err.stack ?? err.message) : String(err));
    return errorResponse(500, "internal_error", "An internal error occurred.");
  },
});

router
  .all("/uploads/*", serveUpload)
  .post(PREVIEW_PATH, (request, env) => servePreview(request, env))
  .all("*", () => errorResponse(404, "not_found", "Not found."));
