/**
 * Uploads in parts, for files larger than one request may carry (Cloudflare caps a request body
 * at 100 MB on most plans): the same signed URL, with the verbs of S3's multipart upload.
 *
 * - `POST <uploadUrl>&uploads` starts one and answers `{ uploadId, minPartBytes, maxPartBytes }`;
 * - `PUT <uploadUrl>&uploadId=…&partNumber=N` sends part N (1 to 10,000) and answers its `etag`.
 *   Every part but the last has the same size, at least `minPartBytes`;
 * - `POST <uploadUrl>&uploadId=…` with `{ "parts": [{ "partNumber": 1, "etag": "…" }, …] }`
 *   completes it: the file is then there, exactly as after a single PUT;
 * - `DELETE <uploadUrl>&uploadId=…` gives it up.
 *
 * The signed URL names the object, so the parts of one URL can only ever make that object.
 */

/** R2: parts but the last are at least 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** One request body: under Cloudflare's 100 MB request limit. */
export const MAX_PART_BYTES = 95 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** The parts named by a completion body, or null when it is not `{ parts: [{ partNumber, etag }] }`. */
export function completeParts(body: unknown): R2UploadedPart[] | null {
  const parts = (body as { parts?: unknown } | null)?.parts;
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > MAX_PARTS) return null;
  const out: R2UploadedPart[] = [];
  for (const part of parts as { partNumber?: unknown; etag?: unknown }[]) {
    if (!Number.isInteger(part?.partNumber) || typeof part?.etag !== "string" || part.etag === "")
      return null;
    out.push({ partNumber: part.partNumber as number, etag: part.etag });
  }
  return out;
}

export type PartsAnswer =
  | { kind: "started"; uploadId: string }
  | { kind: "part"; partNumber: number; etag: string }
  | { kind: "completed"; size: number }
  | { kind: "aborted" }
  | { kind: "refused"; status: number; code: string; message: string };

type PartsRefusal = Extract<PartsAnswer, { kind: "refused" }>;

const refused = (status: number, code: string, message: string): PartsRefusal => ({
  kind: "refused",
  status,
  code,
  message,
});

/** Whether a request to a signed upload URL is one of the multipart verbs. */
export function isPartsRequest(url: URL): boolean {
  return url.searchParams.has("uploads") || url.searchParams.has("uploadId");
}

/** Whether a request to a signed upload URL starts an upload in parts (`POST <uploadUrl>&uploads`). */
export function isPartsStart(request: Request, url: URL): boolean {
  return request.method === "POST" && url.searchParams.has("uploads");
}

/** R2's answer to an upload id it does not know. */
function unknownUpload(err: unknown): boolean {
  return /multipart upload|does not exist|no such upload|10024|NoSuchUpload/i.test(
    err instanceof Error ? err.message : String(err),
  );
}

export const noSuchUpload = () =>
  refused(404, "upload_not_found", "No such upload in progress: start one with POST <uploadUrl>&uploads.");

/**
 * Serves one multipart verb for the object `objectKey` of a verified, unexpired upload URL.
 * Completing stores nothing but the object: the caller records the upload as done.
 */
export async function serveParts(
  request: Request,
  bucket: R2Bucket,
  objectKey: string,
): Promise<PartsAnswer> {
  const url = new URL(request.url);
  const uploadId = url.searchParams.get("uploadId");
  if (isPartsStart(request, url)) {
    const upload = await bucket.createMultipartUpload(objectKey);
    return { kind: "started", uploadId: upload.uploadId };
  }
  if (!uploadId) return refused(400, "bad_request", "Name the upload with uploadId.");
  const upload = bucket.resumeMultipartUpload(objectKey, uploadId);
  try {
    if (request.method === "PUT") {
      const partNumber = Number(url.searchParams.get("partNumber"));
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
        return refused(400, "bad_request", `partNumber must be a whole number from 1 to ${MAX_PARTS}.`);
      }
      const length = Number(request.headers.get("content-length"));
      if (!request.headers.has("content-length") || !Number.isSafeInteger(length) || !request.body) {
        return refused(411, "length_required", "Send each part with a Content-Length header.");
      }
      if (length > MAX_PART_BYTES) {
        return refused(
          413,
          "payload_too_large",
          `A part may be at most ${MAX_PART_BYTES} bytes; this one is ${length}.`,
        );
      }
      const { readable, writable } = new FixedLengthStream(length);
      const [piped, part] = await Promise.allSettled([
        request.body.pipeTo(writable),
        upload.uploadPart(partNumber, readable),
      ]);
      if (piped.status === "rejected") throw piped.reason;
      if (part.status === "rejected") throw part.reason;
      return { kind: "part", partNumber, etag: part.value.etag };
    }
    if (request.method === "POST") {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return refused(
          400,
          "bad_request",
          'Complete an upload with a JSON body: {"parts": [{"partNumber": 1, "etag": "..."}]}.',
        );
      }
      const parts = completeParts(body);
      if (!parts) {
        return refused(
          400,
          "bad_request",
          'Complete an upload with {"parts": [{"partNumber": 1, "etag": "..."}]}.',
        );
      }
      if (parts.some((p, i) => p.partNumber !== i + 1)) {
        return refused(400, "bad_request", "List every part once, in order, numbered from 1.");
      }
      let object: R2Object;
      try {
        object = await upload.complete(parts);
      } catch (err) {
        if (unknownUpload(err)) return noSuchUpload();
        return refused(
          400,
          "bad_request",
          "The parts could not be joined: check each etag, and that every part but the last has the same size of at least 5 MiB.",
        );
      }
      return { kind: "completed", size: object.size };
    }
    if (request.method === "DELETE") {
      await upload.abort();
      return { kind: "aborted" };
    }
    return refused(
      405,
      "method_not_allowed",
      "Parts take PUT; POST completes an upload and DELETE gives it up.",
    );
  } catch (err) {
    if (unknownUpload(err)) return noSuchUpload();
    throw err;
  }
}
