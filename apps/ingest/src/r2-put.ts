import { readBlocks, wholeNumberVar } from "@cdp/core";

/** R2 multipart parts are at least 5 MiB (but the last); 10 MiB keeps memory low and calls few. */
const PART_BYTES = 10 * 1024 * 1024;

/**
 * The largest object one R2 `put` takes (5 GiB less 5 MiB); a longer body goes up in parts.
 * `SINGLE_PUT_MAX_BYTES` lowers it (tests use it to exercise the multipart path).
 */
export const R2_SINGLE_PUT_MAX_BYTES = 5 * 1024 ** 3 - 5 * 1024 ** 2;

export interface PutResult {
  key: string;
  size: number;
}

/** The single-put ceiling of this Worker: the `SINGLE_PUT_MAX_BYTES` var, or R2's own. */
export function singlePutMaxBytes(vars: { SINGLE_PUT_MAX_BYTES?: string }): number {
  return Math.min(
    wholeNumberVar(vars.SINGLE_PUT_MAX_BYTES, R2_SINGLE_PUT_MAX_BYTES),
    R2_SINGLE_PUT_MAX_BYTES,
  );
}

/**
 * Streams a body into R2 without holding it in memory: one put through a fixed-length stream
 * when its length is known and R2 takes it in one piece, multipart otherwise (unknown length, or
 * longer than `maxSinglePut`). An error of the body (a damaged archive, a lost connection) is the
 * one thrown, not R2's view of it; a failed multipart upload is aborted.
 */
export async function putStream(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  length: number | null,
  maxSinglePut = R2_SINGLE_PUT_MAX_BYTES,
): Promise<PutResult> {
  if (length !== null && length <= maxSinglePut) {
    const { readable, writable } = new FixedLengthStream(length);
    const [piped, put] = await Promise.allSettled([body.pipeTo(writable), bucket.put(key, readable)]);
    if (piped.status === "rejected") throw piped.reason;
    if (put.status === "rejected") throw put.reason;
    return { key, size: put.value?.size ?? length };
  }
  const upload = await bucket.createMultipartUpload(key);
  try {
    const parts: R2UploadedPart[] = [];
    let size = 0;
    for await (const part of readBlocks(body, PART_BYTES)) {
      size += part.byteLength;
      parts.push(await upload.uploadPart(parts.length + 1, part));
    }
    if (length !== null && size !== length) {
      throw new Error(`the body was ${size} bytes, not the ${length} announced`);
    }
    if (parts.length === 0) parts.push(await upload.uploadPart(1, new Uint8Array(0)));
    await upload.complete(parts);
    return { key, size };
  } catch (err) {
    await upload.abort();
    throw err;
  }
}
