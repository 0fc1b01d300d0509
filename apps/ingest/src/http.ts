import { PREVIEW_PATH, verifyUpload } from "@cdp/core";
import {
  claimUpload as claimUploadRow,
  getUploadState,
  releaseUploadMultipart,
  releaseUploadStarted,
  setUploadMultipartId,
  type UploadState,
} from "@cdp/store";
import { type IRequest, Router } from "itty-router";
import { startWatchingImports } from "./file-events";
import { fileTooLargeMessage, maxFileBytes } from "./limits";
import { servePreview } from "./preview";
import { putStream, singlePutMaxBytes } from "./r2-put";
import {
  isPartsRequest,
  isPartsStart,
  MAX_PART_BYTES,
  MIN_PART_BYTES,
  noSuchUpload,
  type PartsAnswer,
  serveParts,
} from "./upload-parts";

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

const invalidUploadUrl = () =>
  errorResponse(
    403,
    "forbidden",
    "This upload URL is not valid: it was changed or not issued by this service.",
  );

/** The upload a signed URL grants, or the 403 that refuses it. */
async function signedUpload(url: URL, env: Env): Promise<SignedUpload | Response> {
  let key: string;
  try {
    key = decodeURIComponent(url.pathname.slice("/uploads/".length));
  } catch {
    // A malformed percent-escape: no URL this service issues has one.
    return invalidUploadUrl();
  }
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
    return invalidUploadUrl();
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
  const startedAt = await claimUpload(env, upload);
  if (startedAt instanceof Response) return startedAt;
  let size: number;
  try {
    // R2 takes the body as it arrives (in parts past R2's single-put size), never all in memory.
    ({ size } = await putStream(
      env.FILES,
      uploadObjectKey(upload.tenantId, upload.key),
      request.body,
      length,
      singlePutMaxBytes(env),
    ));
  } catch (err) {
    // Nothing was stored: the URL may be used again.
    await releaseUpload(env, upload, { startedAt });
    throw err;
  }
  return finishUpload(env, upload, size);
}

/**
 * Starts an upload in parts once it holds the URL's claim, and records its R2 upload id as the
 * one that may send parts, complete or abort.
 */
async function startPartsUpload(request: Request, env: Env, upload: SignedUpload): Promise<Response> {
  const startedAt = await claimUpload(env, upload);
  if (startedAt instanceof Response) return startedAt;
  try {
    const answer = await serveParts(request, env.FILES, uploadObjectKey(upload.tenantId, upload.key));
    if (answer.kind === "started") {
      await setUploadMultipartId(env.CONFIG_DB, upload, startedAt, answer.uploadId);
    }
    return partsResponse(env, upload, answer);
  } catch (err) {
    // The caller never learns an upload id, so nothing can be sent under this claim.
    await releaseUpload(env, upload, { startedAt });
    throw err;
  }
}

/** The multipart verbs of an upload URL (see upload-parts.ts), of an upload not completed. */
async function partsUpload(
  request: Request,
  env: Env,
  upload: SignedUpload,
  state: UploadState | null,
): Promise<Response> {
  const url = new URL(request.url);
  if (isPartsStart(request, url)) return startPartsUpload(request, env, upload);
  const uploadId = url.searchParams.get("uploadId");
  // Only the upload in parts that holds the URL's claim may go on (the id is checked by R2 too).
  if (uploadId && state?.multipartUploadId !== uploadId) {
    return partsResponse(env, upload, noSuchUpload());
  }
  const answer = await serveParts(request, env.FILES, uploadObjectKey(upload.tenantId, upload.key));
  return partsResponse(env, upload, answer, uploadId);
}

async function partsResponse(
  env: Env,
  upload: SignedUpload,
  answer: PartsAnswer,
  uploadId?: string | null,
): Promise<Response> {
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
        if (uploadId) await releaseUpload(env, upload, { uploadId });
        return errorResponse(413, "file_too_large", fileTooLargeMessage(answer.size, limit));
      }
      return finishUpload(env, upload, answer.size);
    }
    case "aborted":
      if (uploadId) await releaseUpload(env, upload, { uploadId });
      return new Response(null, { status: 204 });
    case "refused":
      return errorResponse(answer.status, answer.code, answer.message);
  }
}

const alreadyUsed = (completedAt: string) =>
  errorResponse(
    409,
    "upload_already_used",
    `This upload URL was already used at ${completedAt}; the file it stored stays as it is. Ask for a new URL with POST /v1/uploads to send another file.`,
  );

/**
 * Claims the URL for the one upload that may store its file, in one statement: of two uploads
 * to the same URL at once (a replay, a retry racing the first try, a PUT beside an upload in
 * parts) only one ever writes, and the other is refused as a used URL is. Answers the claim's
 * `started_at`, which releases it.
 */
async function claimUpload(env: Env, upload: SignedUpload): Promise<string | Response> {
  const startedAt = new Date().toISOString();
  if (await claimUploadRow(env.CONFIG_DB, upload, startedAt)) return startedAt;
  const state = await getUploadState(env.CONFIG_DB, upload);
  if (state?.completedAt) return alreadyUsed(state.completedAt);
  if (state) {
    return errorResponse(
      409,
      "upload_already_used",
      `This upload URL is in use: another upload to it began at ${state.startedAt} and has not finished (if it fails, the URL can be used again). Ask for a new URL with POST /v1/uploads to send another file.`,
    );
  }
  return errorResponse(
    404,
    "upload_not_found",
    "No upload was issued for this URL: ask for a new one with POST /v1/uploads.",
  );
}

/**
 * Gives up the claim of an upload that stored nothing, so the URL may be used again. Only the
 * claim's own holder releases it: the PUT or start that took it (`startedAt`), or the upload in
 * parts it names (`uploadId`).
 */
async function releaseUpload(
  env: Env,
  upload: SignedUpload,
  holder: { startedAt: string } | { uploadId: string },
): Promise<void> {
  try {
    if ("startedAt" in holder) await releaseUploadStarted(env.CONFIG_DB, upload, holder.startedAt);
    else await releaseUploadMultipart(env.CONFIG_DB, upload, holder.uploadId);
  } catch (err) {
    // The URL stays claimed until it expires; a new one from POST /v1/uploads still works.
    console.error(
      "ingest: upload claim not released",
      upload.key,
      err instanceof Error ? err.message : String(err),
    );
  }
}

async function serveUpload(request: IRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const upload = await signedUpload(url, env);
  if (upload instanceof Response) return upload;
  // An upload URL stores one file, once: after a completed upload it refuses every verb, so a
  // replayed URL cannot replace a file that an import may already have read.
  const state = await getUploadState(env.CONFIG_DB, upload);
  if (state?.completedAt) return alreadyUsed(state.completedAt);
  if (isPartsRequest(url)) return partsUpload(request, env, upload, state);
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
