import { verifyUpload } from "@cdp/core";
import { type IRequest, Router } from "itty-router";
import { startWatchingImports } from "./file-events";
import { putStream, singlePutMaxBytes } from "./r2-put";

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

async function putUpload(request: IRequest, env: Env): Promise<Response> {
  const url = new URL(request.url);
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
  const length = Number(request.headers.get("content-length"));
  if (
    !request.headers.has("content-length") ||
    !Number.isSafeInteger(length) ||
    length < 0 ||
    !request.body
  ) {
    return errorResponse(411, "length_required", "Send the file with a Content-Length header.");
  }
  // R2 takes the body as it arrives (in parts past R2's single-put size), never all in memory.
  const object = await putStream(
    env.FILES,
    uploadObjectKey(tenantId, key),
    request.body,
    length,
    singlePutMaxBytes(env),
  );
  const upload = await env.CONFIG_DB.prepare(
    "UPDATE uploads SET size = ?1, completed_at = ?2 WHERE key = ?3 AND tenant_id = ?4 RETURNING filename",
  )
    .bind(object.size, new Date().toISOString(), key, tenantId)
    .first<{ filename: string }>();
  if (upload) {
    // Locally R2 sends no notifications, so the upload itself starts the imports watching it;
    // deployed, the notification does too, and the object key makes that one start nothing more.
    try {
      await startWatchingImports(env, {
        tenantId,
        uploadKey: key,
        filename: upload.filename,
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
  return Response.json({ key, size: object.size }, { status: 201 });
}

export const router = Router<IRequest, [Env, ExecutionContext]>({
  catch: (err) => {
    console.error("ingest http error", err instanceof Error ? (err.stack ?? err.message) : String(err));
    return errorResponse(500, "internal_error", "An internal error occurred.");
  },
});

router
  .put("/uploads/*", putUpload)
  .all("/uploads/*", () =>
    errorResponse(405, "method_not_allowed", "Upload URLs take a PUT of the file's bytes.", { Allow: "PUT" }),
  )
  .all("*", () => errorResponse(404, "not_found", "Not found."));
