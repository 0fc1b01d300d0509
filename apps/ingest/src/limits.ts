import { ImportFileError, wholeNumberVar } from "@cdp/core";
import { formatBytes } from "./decompress";

/** The largest file a run imports, or an upload takes, when MAX_FILE_BYTES is not set. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 ** 3;

/** The largest file (as stored or fetched, before unpacking) of this Worker: MAX_FILE_BYTES. */
export function maxFileBytes(vars: { MAX_FILE_BYTES?: string }): number {
  return wholeNumberVar(vars.MAX_FILE_BYTES, DEFAULT_MAX_FILE_BYTES);
}

/** What a user reads about a file over the limit; `size` when it is known. */
export function fileTooLargeMessage(size: number | null, limit: number): string {
  const shown = size === null ? "" : formatBytes(size);
  const exact = size === null || shown.endsWith(" bytes") ? "" : ` (${size.toLocaleString("en")} bytes)`;
  const what = size === null ? "The file is larger than" : `The file is ${shown}${exact}, more than`;
  return `${what} ${formatBytes(limit)}, the largest file this service imports (MAX_FILE_BYTES): split it into smaller files.`;
}

/**
 * The source's body, refused at once when its announced size is over `limit`, and stopped with
 * the same error once more than `limit` bytes have come when no size was announced (or it was
 * wrong).
 */
export function limitFileSize<T extends { body: ReadableStream<Uint8Array>; size: number | null }>(
  raw: T,
  limit: number,
): T {
  if (raw.size !== null && raw.size > limit) {
    void raw.body.cancel().catch(() => {});
    throw new ImportFileError("file_too_large", fileTooLargeMessage(raw.size, limit));
  }
  let seen = 0;
  const counted = raw.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) throw new ImportFileError("file_too_large", fileTooLargeMessage(null, limit));
        controller.enqueue(chunk);
      },
    }),
  );
  return { ...raw, body: counted };
}
