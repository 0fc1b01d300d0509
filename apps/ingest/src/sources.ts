import {
  BUCKET,
  fetchPublic,
  ImportFileError,
  inboxObjectKey,
  openSource,
  type SecretKeyring,
  type Source,
  wholeNumberVar,
} from "@cdp/core";
import { detectCompression, gunzip, peek } from "./decompress";
import { uploadObjectKey } from "./http";
import { limitFileSize, maxFileBytes } from "./limits";
import { guardHost } from "./network";
import { putStream, singlePutMaxBytes } from "./r2-put";
import { openS3 } from "./s3";
import { openSftp } from "./sftp";
import { type ArchiveReader, openEntry, readZipDirectory, selectEntries } from "./zip";

/** Where a run keeps its files in R2: the audit copy of what was imported. */
const runFolder = (tenantId: string, runId: string) => `tenants/${tenantId}/runs/${runId}`;

/**
 * The file a run reads when the source is not a plain upload: the copy of a remote file, the
 * unpacked .gz, or (with `entry`) the nth file taken out of a zip archive.
 */
export const landedObjectKey = (tenantId: string, runId: string, entry?: number) =>
  `${runFolder(tenantId, runId)}/source${entry === undefined ? "" : `-${entry}`}`;

/** A remote zip archive, kept as it came: its files are read from it by range. */
export const archiveObjectKey = (tenantId: string, runId: string) =>
  `${runFolder(tenantId, runId)}/archive.zip`;

/** What a compressed file may expand to when MAX_DECOMPRESSED_BYTES is not set. */
const DEFAULT_MAX_DECOMPRESSED_BYTES = 10 * 1024 ** 3;

export interface LandedFile {
  /** R2 key of a file the run reads. */
  key: string;
  size: number;
  /** The zip entry it came from, if it did. */
  entry: string | null;
}

export interface RawFile {
  body: ReadableStream<Uint8Array>;
  size: number | null;
  /** Set when the file is already in R2 (an upload): it is read in place, never copied. */
  objectKey: string | null;
}

export interface RunRef {
  id: string;
  tenantId: string;
  importId: string;
}

export function maxDecompressedBytes(env: Env): number {
  return wholeNumberVar(env.MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_DECOMPRESSED_BYTES);
}

/**
 * Opens the run's source and makes sure the files to read are in R2, uncompressed. A plain
 * upload is read where it is; any other source streams into R2 under the run. Compression is
 * told by the first bytes: gzip is unpacked while it lands; a zip archive is kept (or, as an
 * upload, left) in R2 and its file, or the files matching `entry`, are unpacked next to it.
 */
export async function landSource(
  env: Env,
  run: RunRef,
  sealed: Source,
  keyring: () => Promise<SecretKeyring>,
  options: { entry?: string } = {},
): Promise<LandedFile[]> {
  const raw = limitFileSize(await openRaw(env, run, sealed, keyring), maxFileBytes(env));
  const { head, stream } = await peek(raw.body, 8);
  const compression = detectCompression(head);
  const limit = maxDecompressedBytes(env);
  if (compression === "none") {
    if (raw.objectKey !== null) {
      await stream.cancel();
      return [{ key: raw.objectKey, size: raw.size ?? 0, entry: null }];
    }
    return [await putBody(env, landedObjectKey(run.tenantId, run.id), stream, raw.size, null)];
  }
  if (compression === "gzip") {
    return [
      await putBody(
        env,
        landedObjectKey(run.tenantId, run.id),
        stream.pipeThrough(gunzip(limit)),
        null,
        null,
      ),
    ];
  }
  let archiveKey = raw.objectKey;
  let archiveSize = raw.size ?? 0;
  if (archiveKey === null) {
    const kept = await putBody(env, archiveObjectKey(run.tenantId, run.id), stream, raw.size, null);
    archiveKey = kept.key;
    archiveSize = kept.size;
  } else {
    await stream.cancel();
  }
  const archive = r2Archive(env, archiveKey, archiveSize);
  const entries = selectEntries(await readZipDirectory(archive), options.entry, limit);
  const budget = { remaining: limit, limit };
  const files: LandedFile[] = [];
  for (const [n, entry] of entries.entries()) {
    const body = await openEntry(archive, entry, budget);
    files.push(await putBody(env, landedObjectKey(run.tenantId, run.id, n), body, entry.size, entry.name));
  }
  return files;
}

/** The source's bytes as they are (still compressed, if they are), from where they live. */
export async function openRaw(
  env: Env,
  run: RunRef,
  sealed: Source,
  keyring: () => Promise<SecretKeyring>,
  /**
   * headBytes: only the beginning is wanted (a preview): S3 and http(s) servers are asked for
   * that range only (a server that ignores it is cut off when the stream is cancelled).
   */
  options: { headBytes?: number } = {},
): Promise<RawFile> {
  const allowPrivate = env.ALLOW_PRIVATE_SOURCES === "true";
  if (sealed.type === "upload") {
    const key = uploadObjectKey(run.tenantId, sealed.key);
    const object = await env.FILES.get(key);
    if (!object) {
      throw new ImportFileError(
        "source_not_found",
        `The uploaded file '${sealed.key}' was not found: PUT it to the URL from POST /v1/uploads before running the import.`,
      );
    }
    return { body: object.body, size: object.size, objectKey: key };
  }
  if (sealed.type === "r2") {
    if (sealed.key === undefined) {
      throw new ImportFileError(
        "invalid_config",
        `This R2 source names no key, only the watchPrefix '${sealed.watchPrefix}': it runs when a file is put under ${inboxObjectKey(run.tenantId, sealed.watchPrefix ?? "")}. Give it a key to run it by hand.`,
      );
    }
    const key = inboxObjectKey(run.tenantId, sealed.key);
    const object = await env.FILES.get(key);
    if (!object) {
      throw new ImportFileError(
        "source_not_found",
        `No file at '${key}' in the bucket ${BUCKET.name}: put it there first (r2 keys are read from your inbox, tenants/${run.tenantId}/inbox/).`,
      );
    }
    return { body: object.body, size: object.size, objectKey: key };
  }
  const source = await openSource(await keyring(), sealed, run.tenantId);
  if (source.type === "url") {
    const connection = new AbortController();
    const file = fromResponse(
      await fetchPublic(
        source.url,
        { ...source.headers, ...(options.headBytes ? { range: `bytes=0-${options.headBytes - 1}` } : {}) },
        allowPrivate,
        connection.signal,
        // The URL's host and the host of every redirect, as they resolve now.
        (host) => guardHost(host, "URL host", allowPrivate),
      ),
    );
    return { ...file, body: abortOnCancel(file.body, connection) };
  }
  if (source.type === "s3") {
    if (source.endpoint) await guardHost(new URL(source.endpoint).hostname, "S3 endpoint", allowPrivate);
    return fromResponse(
      await openS3(source, options.headBytes ? { offset: 0, length: options.headBytes } : undefined),
    );
  }
  if (source.type === "sftp") {
    await guardHost(source.host, "SFTP host", allowPrivate);
    const recorded = await env.CONFIG_DB.prepare(
      "SELECT host_key_sha256 AS fingerprint FROM imports WHERE id = ?1",
    )
      .bind(run.importId)
      .first<{ fingerprint: string | null }>();
    const file = await openSftp(source, source.hostKeySha256 ?? recorded?.fingerprint ?? null);
    // Trust on first use: the key seen now is the one later runs must see (unless pinned).
    if (recorded?.fingerprint !== file.hostKeySha256) {
      await env.CONFIG_DB.prepare("UPDATE imports SET host_key_sha256 = ?2 WHERE id = ?1")
        .bind(run.importId, file.hostKeySha256)
        .run();
    }
    return { body: file.body, size: file.size, objectKey: null };
  }
  throw new ImportFileError(
    "invalid_config",
    `Sources of type '${source.type}' are not files this service reads.`,
  );
}

/**
 * The body of a fetch whose cancelling also aborts the request: a cancelled body alone may be
 * read to its end by the runtime, to reuse the connection.
 */
function abortOnCancel(
  body: ReadableStream<Uint8Array>,
  connection: AbortController,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel(reason) {
        connection.abort(reason);
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

function fromResponse(response: Response): RawFile {
  const body = response.body;
  if (!body) throw new ImportFileError("empty_file", "The source answered with no body.");
  const length = Number(response.headers.get("content-length"));
  // A content-encoded body's length is that of the encoded bytes, not of what the stream gives.
  const known =
    response.headers.has("content-length") &&
    Number.isSafeInteger(length) &&
    !response.headers.has("content-encoding");
  return { body, size: known ? length : null, objectKey: null };
}

export function r2Archive(env: Env, key: string, size: number): ArchiveReader {
  const get = async (offset: number, length: number) => {
    const object = await env.FILES.get(key, { range: { offset, length } });
    if (!object)
      throw new ImportFileError(
        "source_not_found",
        "The archive disappeared from storage while it was read.",
      );
    return object.body;
  };
  return {
    size,
    read: async (offset, length) =>
      new Uint8Array(await new Response(await get(offset, length)).arrayBuffer()),
    stream: get,
  };
}

/** Streams a body into R2 (see putStream) as one of the files a run reads. */
async function putBody(
  env: Env,
  key: string,
  body: ReadableStream<Uint8Array>,
  length: number | null,
  entry: string | null,
): Promise<LandedFile> {
  const put = await putStream(env.FILES, key, body, length, singlePutMaxBytes(env));
  return { ...put, entry };
}
