import { BUCKET, type FileEventMessage, inboxObjectKey, wholeNumberVar } from "@cdp/core";
import { S3Error } from "./errors";
import type { CheckedBody } from "./payload";
import type { VerifiedSignature } from "./sigv4";

/** One authenticated request to the tenant's bucket. */
export interface S3Context {
  env: Env;
  request: Request;
  url: URL;
  tenantId: string;
  /** When the tenant was created: the bucket's creation date. */
  tenantCreatedAt: string;
  auth: VerifiedSignature;
  /** The object key inside the inbox ("" for the bucket). */
  key: string;
}

/** Where a key of the tenant's bucket lives in R2. */
export const objectKeyOf = (c: S3Context, key = c.key) => inboxObjectKey(c.tenantId, key);

/** The tenant's inbox prefix in R2 (`tenants/<tenant>/inbox/`). */
export const inboxPrefixOf = (c: S3Context) => inboxObjectKey(c.tenantId, "");

/** The largest file an inbox takes when MAX_FILE_BYTES is not set: 50 GiB, as ingest's. */
const DEFAULT_MAX_FILE_BYTES = 50 * 1024 ** 3;

export const maxFileBytes = (env: Env) => wholeNumberVar(env.MAX_FILE_BYTES, DEFAULT_MAX_FILE_BYTES);

export function tooLarge(size: number, limit: number, what = "Your proposed upload"): S3Error {
  return new S3Error(
    "EntityTooLarge",
    `${what} is ${size.toLocaleString("en")} bytes, more than ${limit.toLocaleString("en")} bytes, the largest this inbox takes.`,
    { ProposedSize: String(size), MaxSizeAllowed: String(limit) },
  );
}

/**
 * Streams a checked body into R2 through `write` (a put, or an upload part), which needs its
 * length. The body's own error (a bad signature, checksum or length) is the one thrown, not the
 * writer's view of it; a body that fails its checks leaves nothing written.
 */
export async function writeChecked<T>(
  body: CheckedBody,
  write: (stream: ReadableStream | Uint8Array) => Promise<T>,
): Promise<T> {
  if (body.length === 0) {
    // An empty body would be stored before its checks ran: they run first.
    await body.pipeTo(new WritableStream());
    return write(new Uint8Array(0));
  }
  const { readable, writable } = new FixedLengthStream(body.length);
  const piping = body.pipeTo(writable).then(
    () => null,
    (err: unknown) => err,
  );
  let written: T;
  try {
    written = await write(readable);
  } catch (err) {
    const bodyError = await piping;
    throw bodyError ?? err;
  }
  const bodyError = await piping;
  if (bodyError) throw bodyError;
  return written;
}

/**
 * Announces a file written to an inbox as R2's own object-create notification does, to the same
 * queue: ingest starts the imports watching it, once per version of the object (its eTag), so the
 * notification R2 sends too (deployed) starts nothing more.
 */
export async function announceFile(
  c: S3Context,
  action: "PutObject" | "CopyObject" | "CompleteMultipartUpload",
  object: R2Object,
): Promise<void> {
  await c.env.FILE_EVENTS.send({
    action,
    bucket: BUCKET.name,
    object: { key: object.key, size: object.size, eTag: object.etag },
    eventTime: new Date().toISOString(),
  } satisfies FileEventMessage);
}
