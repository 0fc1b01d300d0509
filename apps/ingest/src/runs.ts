import {
  type ChunkMessage,
  createReader,
  createSplitter,
  createTextDecoder,
  ImportFileError,
  loadKeyring,
  QUEUE_BINDINGS,
  ReadConfig,
  type RunMessage,
  type SecretKeyring,
} from "@cdp/core";
import {
  failRun,
  getRun,
  markRunStarted,
  type RunRecord,
  type StoredImportConfig,
  setRunPlan,
} from "@cdp/store";
import { landSource } from "./sources";

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** How much of the file is read up front to catch a wrong header or format before any chunk. */
const PREFLIGHT_CHARS = 256 * 1024;
/** Queues take at most 100 messages per sendBatch. */
const SEND_BATCH = 100;

let keyringCache: { source: string; keyring: Promise<SecretKeyring> } | undefined;
function keyring(env: Env): () => Promise<SecretKeyring> {
  return () => {
    if (keyringCache?.source !== env.SECRETS_KEYS) {
      keyringCache = { source: env.SECRETS_KEYS, keyring: loadKeyring(env.SECRETS_KEYS) };
    }
    return keyringCache.keyring;
  };
}

/**
 * Opens a run's file, checks that it can be read at all (encoding, header, format), cuts it into
 * chunks at record boundaries and hands them to the transform queue. Nothing is written to the
 * store by a run that fails here.
 */
export async function ingestRun(env: Env, message: RunMessage): Promise<void> {
  const run = await getRun(env.CONFIG_DB, null, message.runId);
  if (!run || !(run.status === "queued" || run.status === "in_progress")) return;
  if (!(await markRunStarted(env.CONFIG_DB, run.id, new Date().toISOString()))) return;
  try {
    await planRun(env, run);
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    await failRun(env.CONFIG_DB, run.id, { code: err.code, message: err.message }, new Date().toISOString());
  }
}

async function planRun(env: Env, run: RunRecord): Promise<void> {
  const stored = JSON.parse(run.config) as StoredImportConfig;
  const config = ReadConfig.parse(stored);
  const file = await landSource(env, run, stored.source, keyring(env));
  if (file.size === 0)
    throw new ImportFileError("empty_file", "The file is empty: there is nothing to import.");

  const object = await env.FILES.get(file.key);
  if (!object)
    throw new ImportFileError(
      "source_not_found",
      "The file disappeared from storage before it could be read.",
    );
  const target = Number(env.CHUNK_TARGET_BYTES) || DEFAULT_CHUNK_BYTES;
  const splitter = createSplitter(config, target);
  const decoder = createTextDecoder(config.options.encoding ?? "utf-8");
  const preflight = createReader(config);
  let preflightChars = 0;
  // Blank text is held back until something else shows up, so that a blank file is "empty".
  let blank = "";
  let meaningful = false;
  const check = (text: string) => {
    if (!meaningful) {
      if (!/\S/.test(text)) {
        if (blank.length < PREFLIGHT_CHARS) blank += text;
        return;
      }
      meaningful = true;
      text = blank + text;
    }
    if (preflightChars < PREFLIGHT_CHARS) {
      preflightChars += text.length;
      preflight.write(text);
    }
  };
  for await (const bytes of object.body as unknown as AsyncIterable<Uint8Array>) {
    splitter.write(bytes);
    check(decoder.decode(bytes));
  }
  check(decoder.end());
  if (!meaningful)
    throw new ImportFileError("empty_file", "The file has no content: there is nothing to import.");
  if (preflightChars < PREFLIGHT_CHARS) preflight.end();

  const { prologueEnd, chunks } = splitter.end();
  await setRunPlan(env.CONFIG_DB, run.id, {
    fileKey: file.key,
    bytesTotal: file.size,
    chunksTotal: chunks.length,
  });
  if (chunks.length === 0) {
    // A header and no records: the run is complete with nothing in it.
    await env.CONFIG_DB.prepare(
      "UPDATE runs SET status = 'completed', finished_at = ?2 WHERE id = ?1 AND status = 'in_progress'",
    )
      .bind(run.id, new Date().toISOString())
      .run();
    return;
  }
  const messages = chunks.map(
    (chunk, chunkNo): ChunkMessage => ({
      runId: run.id,
      key: file.key,
      chunkNo,
      chunkCount: chunks.length,
      start: chunk.start,
      end: chunk.end,
      firstRow: chunk.firstRow,
      prologueEnd,
    }),
  );
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    await env[QUEUE_BINDINGS.chunks].sendBatch(messages.slice(i, i + SEND_BATCH).map((body) => ({ body })));
  }
}

/** A run whose message could not be handled after every retry: it fails, and says so. */
export async function deadLetterRun(env: Env, message: RunMessage): Promise<void> {
  await failRun(
    env.CONFIG_DB,
    message.runId,
    {
      code: "internal_error",
      message:
        "The file could not be opened after several attempts. Try the run again; if it fails again, contact support.",
    },
    new Date().toISOString(),
  );
}
