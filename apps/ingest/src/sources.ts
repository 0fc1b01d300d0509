import { fetchPublic, ImportFileError, openSource, type SecretKeyring, type Source } from "@cdp/core";
import { uploadObjectKey } from "./http";

/** Where a run's file lives in R2 when the source is not an upload (the audit copy). */
export const landedObjectKey = (tenantId: string, runId: string) =>
  `tenants/${tenantId}/runs/${runId}/source`;

/** R2 multipart parts are at least 5 MiB (but the last); 10 MiB keeps memory low and calls few. */
const PART_BYTES = 10 * 1024 * 1024;

export interface OpenedFile {
  /** R2 key of the file the run reads. */
  key: string;
  size: number;
}

/**
 * Opens the run's source and makes sure the file is in R2: an upload is already there; any
 * other source is streamed into R2 under the run, so the file that was imported is kept.
 */
export async function landSource(
  env: Env,
  run: { id: string; tenantId: string },
  sealed: Source,
  keyring: () => Promise<SecretKeyring>,
): Promise<OpenedFile> {
  if (sealed.type === "upload") {
    const key = uploadObjectKey(run.tenantId, sealed.key);
    const head = await env.FILES.head(key);
    if (!head) {
      throw new ImportFileError(
        "source_not_found",
        `The uploaded file '${sealed.key}' was not found: PUT it to the URL from POST /v1/uploads before running the import.`,
      );
    }
    return { key, size: head.size };
  }
  const source = await openSource(await keyring(), sealed);
  if (source.type === "url") {
    const response = await fetchPublic(
      source.url,
      source.headers ?? {},
      env.ALLOW_PRIVATE_SOURCES === "true",
    );
    return putStream(env, landedObjectKey(run.tenantId, run.id), response);
  }
  throw new ImportFileError(
    "invalid_config",
    `Sources of type '${source.type}' are not supported by this service yet.`,
  );
}

/** Streams a response body into R2: one put when its length is known, multipart otherwise. */
async function putStream(env: Env, key: string, response: Response): Promise<OpenedFile> {
  const body = response.body;
  if (!body) throw new ImportFileError("empty_file", "The source answered with no body.");
  const length = Number(response.headers.get("content-length"));
  if (
    response.headers.has("content-length") &&
    Number.isSafeInteger(length) &&
    !response.headers.has("content-encoding")
  ) {
    const { readable, writable } = new FixedLengthStream(length);
    const [object] = await Promise.all([env.FILES.put(key, readable), body.pipeTo(writable)]);
    return { key, size: object?.size ?? length };
  }
  const upload = await env.FILES.createMultipartUpload(key);
  try {
    const parts: R2UploadedPart[] = [];
    let buffer = new Uint8Array(PART_BYTES);
    let filled = 0;
    let size = 0;
    const flush = async () => {
      parts.push(await upload.uploadPart(parts.length + 1, buffer.slice(0, filled)));
      filled = 0;
    };
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      let offset = 0;
      while (offset < chunk.byteLength) {
        const take = Math.min(PART_BYTES - filled, chunk.byteLength - offset);
        buffer.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === PART_BYTES) {
          await flush();
          buffer = new Uint8Array(PART_BYTES);
        }
      }
    }
    if (filled > 0 || parts.length === 0) await flush();
    await upload.complete(parts);
    return { key, size };
  } catch (err) {
    await upload.abort();
    throw err;
  }
}
