import {
  type CustomerRecord,
  createReader,
  createTextDecoder,
  fetchPublic,
  hashUserIdsOf,
  type ImportConfigInput,
  ImportFileError,
  type Issue,
  mapEgoiContact,
  type Order,
  openSource,
  ReadConfig,
  type ReadResult,
  type Source,
} from "@cdp/core";
import type { Services } from "./app";
import { ApiError } from "./errors";

/** How much of a file a preview reads at most. */
const PREVIEW_BYTES = 2 * 1024 * 1024;

export interface Preview {
  columns: string[];
  items: unknown[];
  issues: Issue[];
}

/** Where uploads live in R2 (the ingest Worker writes them there). */
const uploadObjectKey = (tenantId: string, key: string) => `tenants/${tenantId}/uploads/${key}`;

async function openPreviewStream(
  env: Env,
  tenantId: string,
  source: Source,
): Promise<ReadableStream<Uint8Array>> {
  if (source.type === "upload") {
    const object = await env.FILES.get(uploadObjectKey(tenantId, source.key), {
      range: { offset: 0, length: PREVIEW_BYTES },
    });
    if (!object) {
      throw new ImportFileError(
        "source_not_found",
        `The uploaded file '${source.key}' was not found: PUT it to its upload URL first.`,
      );
    }
    return object.body;
  }
  if (source.type === "url") {
    const response = await fetchPublic(
      source.url,
      source.headers ?? {},
      env.ALLOW_PRIVATE_SOURCES === "true",
    );
    if (!response.body) throw new ImportFileError("empty_file", "The source answered with no body.");
    return response.body;
  }
  throw new ApiError(
    "bad_request",
    `Previews of ${source.type} sources are not available: run a dry run instead.`,
  );
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
  const source = await openSource(await services.keyring(), config.source);
  if (source.type === "egoi") return previewEgoi(env, source, limit);
  const read = ReadConfig.parse(config);
  const reader = createReader(read);
  const decoder = createTextDecoder(read.options.encoding ?? "utf-8");
  const results: ReadResult<unknown>[] = [];
  const stream = await openPreviewStream(env, tenantId, source);
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
    issues: shown.flatMap((r) =>
      r.issues.map((issue) => (issue.item === null ? { ...issue, item: r.key } : issue)),
    ),
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
