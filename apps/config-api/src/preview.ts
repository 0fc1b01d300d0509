import {
  BUCKET,
  type CustomerRecord,
  createFileHeadReader,
  createReader,
  createTextDecoder,
  type FileErrorCode,
  type FileHead,
  hashUserIdsOf,
  headerWarnings,
  type ImportConfigInput,
  ImportFileError,
  type Issue,
  inboxObjectKey,
  mapEgoiContact,
  type Order,
  openSource,
  PREVIEW_PATH,
  PREVIEW_SIGNATURE_HEADER,
  type PreviewRequest,
  type Product,
  ReadConfig,
  type ReadResult,
  type Source,
  sealSource,
  signPreviewRequest,
} from "@cdp/core";
import type { Services } from "./app";
import { ApiError } from "./errors";

/** How much of a file a preview reads at most. */
const PREVIEW_BYTES = 2 * 1024 * 1024;

export interface Preview {
  columns: string[];
  items: (Order | CustomerRecord | Product)[];
  issues: Issue[];
}

/** Where uploads live in R2 (the ingest Worker writes them there). */
const uploadObjectKey = (tenantId: string, key: string) => `tenants/${tenantId}/uploads/${key}`;

/** gzip, or a zip archive (a local header or the end record of an empty one): ingest unpacks these. */
const isCompressed = (head: Uint8Array) =>
  (head[0] === 0x1f && head[1] === 0x8b) ||
  (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05));

const single = (bytes: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });

/**
 * The first bytes of a file in R2 (an upload, or a file in the tenant's inbox), up to
 * PREVIEW_BYTES; null when they are compressed, which ingest unpacks.
 */
async function openR2Head(
  env: Env,
  objectKey: string,
  missing: string,
): Promise<ReadableStream<Uint8Array> | null> {
  // Read whole and cut, not by range: R2 refuses a range of an empty object.
  const object = await env.FILES.get(objectKey);
  if (!object) throw new ImportFileError("source_not_found", missing);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = object.body.getReader();
  while (size < PREVIEW_BYTES) {
    const next = await reader.read();
    if (next.done) break;
    parts.push(next.value);
    size += next.value.byteLength;
  }
  await reader.cancel();
  const bytes = new Uint8Array(Math.min(size, PREVIEW_BYTES));
  let at = 0;
  for (const part of parts) {
    const take = part.subarray(0, bytes.length - at);
    bytes.set(take, at);
    at += take.length;
  }
  return isCompressed(bytes) ? null : single(bytes);
}

/**
 * The first bytes of any other file source, from ingest over the service binding: it opens the
 * source as a run does (SFTP, S3, http; the SSRF guard; gzip and zip unpacked) and answers only
 * the beginning. Secrets travel sealed; the request is signed.
 */
async function askIngest(
  env: Env,
  services: Services,
  tenantId: string,
  source: Source,
  entry: string | undefined,
): Promise<ReadableStream<Uint8Array>> {
  const ask: PreviewRequest = {
    tenantId,
    source: await sealSource(await services.keyring(), source, tenantId),
    ...(entry ? { entry } : {}),
    maxBytes: PREVIEW_BYTES,
    expires: Math.floor(services.now().getTime() / 1000) + 60,
  };
  const body = JSON.stringify(ask);
  const response = await env.INGEST.fetch(`https://ingest${PREVIEW_PATH}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [PREVIEW_SIGNATURE_HEADER]: await signPreviewRequest(body, env.UPLOAD_SIGNING_SECRET),
    },
    body,
  });
  if (response.status === 422) {
    const { error } = (await response.json()) as { error: { code: FileErrorCode; message: string } };
    throw new ImportFileError(error.code, error.message);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`ingest answered ${response.status} to a preview`);
  }
  return single(new Uint8Array(await response.arrayBuffer()));
}

async function openPreviewStream(
  env: Env,
  services: Services,
  tenantId: string,
  source: Source,
  entry: string | undefined,
): Promise<ReadableStream<Uint8Array>> {
  if (source.type === "upload") {
    const head = await openR2Head(
      env,
      uploadObjectKey(tenantId, source.key),
      `The uploaded file '${source.key}' was not found: PUT it to its upload URL first.`,
    );
    if (head) return head;
  }
  if (source.type === "r2") {
    if (source.key === undefined) {
      throw new ApiError(
        "validation_failed",
        "A preview reads a file: give the R2 source the key of a file in your inbox (a watchPrefix alone names none yet).",
        [{ path: "source.key", message: "required for a preview" }],
      );
    }
    const objectKey = inboxObjectKey(tenantId, source.key);
    const head = await openR2Head(
      env,
      objectKey,
      `No file at '${objectKey}' in the bucket ${BUCKET.name}: put it there first (r2 keys are read from your inbox, tenants/${tenantId}/inbox/).`,
    );
    if (head) return head;
  }
  if (source.type === "egoi")
    throw new ApiError("bad_request", "E-goi lists are previewed by their own path.");
  return askIngest(env, services, tenantId, source, entry);
}

/**
 * The first items of a source, read, transformed, validated and hashed exactly as a run would,
 * without storing anything.
 */
export async function previewImport(
  env: Env,
  services: Services,
  tenantId: string,
  config: ImportConfigInput,
  limit: number,
): Promise<Preview> {
  const source = await openSource(await services.keyring(), config.source, tenantId);
  if (source.type === "egoi") return previewEgoi(env, source, limit);
  const read = ReadConfig.parse(config);
  const reader = createReader(read);
  const decoder = createTextDecoder(read.options.encoding ?? "utf-8");
  const results: ReadResult<Order | CustomerRecord | Product>[] = [];
  const stream = await openPreviewStream(env, services, tenantId, config.source, read.options.entry);
  const iterator = (stream as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let bytes = 0;
  let ended = false;
  while (results.length < limit) {
    const next = await iterator.next();
    if (next.done) {
      results.push(...reader.write(decoder.end()), ...reader.end());
      ended = true;
      break;
    }
    bytes += next.value.byteLength;
    results.push(...reader.write(decoder.decode(next.value)));
    if (bytes >= PREVIEW_BYTES) break;
  }
  if (!ended) await iterator.return?.();
  const shown = results.slice(0, limit);
  if (read.type !== "products")
    await hashUserIdsOf(shown as ReadResult<Order | CustomerRecord>[], read.options);
  return {
    columns: [...reader.columns],
    items: shown.flatMap((r) => (r.item ? [r.item] : [])),
    // The header's warnings first: a transformation or a column that would do nothing, unseen.
    issues: [
      ...headerWarnings(read, reader.columns),
      ...shown.flatMap((r) =>
        r.issues.map((issue) => (issue.item === null ? { ...issue, item: r.key } : issue)),
      ),
    ],
  };
}

async function previewEgoi(
  env: Env,
  source: Extract<Source, { type: "egoi" }>,
  limit: number,
): Promise<Preview> {
  const base = (env.EGOI_API_BASE || "https://api.egoiapp.com").replace(/\/$/, "");
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, {
      headers: { Apikey: source.apiKey, accept: "application/json" },
    });
    if (response.status === 401 || response.status === 403) {
      throw new ImportFileError("source_refused", "The E-goi API key was refused.");
    }
    if (!response.ok) throw new ImportFileError("source_unreachable", `E-goi answered ${response.status}.`);
    return response.json();
  };
  const account = (await get("/my-account")) as { general_info?: { client_id?: unknown } };
  const page = (await get(`/lists/${source.listId}/contacts?offset=0&limit=${limit}`)) as {
    items?: unknown[];
  };
  const mapped = await Promise.all(
    (page.items ?? []).map((contact, i) =>
      mapEgoiContact(contact, {
        accountId: String(account.general_info?.client_id ?? ""),
        listId: source.listId,
        row: i + 1,
      }),
    ),
  );
  return {
    columns: ["contact_id", "email", "status", "consent", "email_status", "cellphone_status", "phone_status"],
    items: mapped.flatMap((m) => (m.record ? [m.record] : [])),
    issues: mapped.flatMap((m) =>
      m.issues.map((issue) => (issue.item === null ? { ...issue, item: m.key } : issue)),
    ),
  };
}

/** Rows of a file a mapping suggestion reads besides its header. */
export const HEAD_ROWS = 10;

/**
 * A file's columns and first rows as it writes them, before any transformation or check of its
 * format (see createFileHeadReader): read from the beginning of the source, as a preview reads.
 */
export async function readFileHead(
  env: Env,
  services: Services,
  tenantId: string,
  file: { format: ImportConfigInput["format"]; source: Source; options: ImportConfigInput["options"] },
): Promise<FileHead> {
  const reader = createFileHeadReader(file.format, file.options, HEAD_ROWS);
  const decoder = createTextDecoder(file.options.encoding ?? "utf-8");
  const stream = await openPreviewStream(env, services, tenantId, file.source, file.options.entry);
  const iterator = (stream as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let bytes = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      reader.write(decoder.end());
      break;
    }
    bytes += next.value.byteLength;
    if (reader.write(decoder.decode(next.value)) || bytes >= PREVIEW_BYTES) {
      await iterator.return?.();
      break;
    }
  }
  return reader.end();
}
