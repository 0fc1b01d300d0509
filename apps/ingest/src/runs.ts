import {
  type ChunkMessage,
  type ChunkPlan,
  checkHeader,
  createReader,
  createSplitter,
  createTextDecoder,
  explainLimit,
  ImportFileError,
  loadKeyring,
  parseReadConfig,
  QUEUE_BINDINGS,
  type ReadConfig,
  type RunMessage,
  readBlocks,
  readLimits,
  type SecretKeyring,
  type Splitter,
  wholeNumberVar,
} from "@cdp/core";
import {
  failRun,
  getRun,
  listDoneChunks,
  markRunStarted,
  type RunRecord,
  type StoredImportConfig,
  setRunPlan,
  touchRuns,
} from "@cdp/store";
import { type Faults, NO_FAULTS } from "./faults";
import { type LandedFile, landSource } from "./sources";

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** How much of the file is read up front to catch a wrong header or format before any chunk. */
const PREFLIGHT_CHARS = 256 * 1024;
/** Queues take at most 100 messages per sendBatch. */
const SEND_BATCH = 100;
/**
 * While a run's file is landed and cut (minutes, for a large file from a slow source), it says
 * it is alive this often, so that the stalled-run check (15 minutes) does not start it twice.
 */
const HEARTBEAT_MS = 60_000;

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
export async function ingestRun(env: Env, message: RunMessage, faults: Faults = NO_FAULTS): Promise<void> {
  const run = await getRun(env.CONFIG_DB, null, message.runId);
  if (!run || !(run.status === "queued" || run.status === "in_progress")) return;
  if (!(await markRunStarted(env.CONFIG_DB, run.id, new Date().toISOString()))) return;
  faults.at("before-plan");
  // Planned already (a redelivery, or the cron resuming a run that stopped moving): the chunks
  // not yet imported go on the queue again, cut exactly as before.
  if (run.chunksTotal !== null && (await resumeRun(env, run, faults))) return;
  const heartbeat = setInterval(() => {
    touchRuns(env.CONFIG_DB, [run.id], new Date().toISOString()).catch((err) =>
      console.error(
        "ingest: heartbeat not recorded",
        run.id,
        err instanceof Error ? err.message : String(err),
      ),
    );
  }, HEARTBEAT_MS);
  try {
    await planRun(env, run, faults);
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    const { code, message } = explainLimit(err);
    await failRun(env.CONFIG_DB, run.id, { code, message }, new Date().toISOString());
  } finally {
    clearInterval(heartbeat);
  }
}

/** Where a run's chunk messages are kept, so that a run can be resumed without reading its source again. */
const planKey = (run: RunRecord) => `tenants/${run.tenantId}/runs/${run.id}/chunks.json`;

async function sendChunks(env: Env, messages: ChunkMessage[], faults: Faults): Promise<void> {
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    if (i > 0) faults.at("mid-send");
    await env[QUEUE_BINDINGS.chunks].sendBatch(messages.slice(i, i + SEND_BATCH).map((body) => ({ body })));
  }
}

/** Sends the stored plan's chunks that have no outcome yet; false when there is no stored plan. */
async function resumeRun(env: Env, run: RunRecord, faults: Faults): Promise<boolean> {
  const plan = await env.FILES.get(planKey(run));
  if (!plan) return false;
  const done = new Set(await listDoneChunks(env.CONFIG_DB, run.id));
  const messages = (await plan.json<ChunkMessage[]>()).filter((m) => !done.has(m.chunkNo));
  faults.at("before-send");
  await sendChunks(env, messages, faults);
  return true;
}

async function planRun(env: Env, run: RunRecord, faults: Faults): Promise<void> {
  const stored = JSON.parse(run.config) as StoredImportConfig;
  const config = parseReadConfig(stored);
  const files = (
    await landSource(env, run, stored.source, keyring(env), { entry: config.options.entry })
  ).filter((file) => file.size > 0);
  if (files.length === 0)
    throw new ImportFileError("empty_file", "The file is empty: there is nothing to import.");

  const target = wholeNumberVar(env.CHUNK_TARGET_BYTES, DEFAULT_CHUNK_BYTES);
  const planned: { key: string; prologueEnd: number; chunk: ChunkPlan }[] = [];
  for (const file of files) {
    const { prologueEnd, chunks } = await splitFile(env, config, file, target);
    for (const chunk of chunks) planned.push({ key: file.key, prologueEnd, chunk });
  }
  const messages = planned.map(
    ({ key, prologueEnd, chunk }, chunkNo): ChunkMessage => ({
      runId: run.id,
      key,
      chunkNo,
      chunkCount: planned.length,
      start: chunk.start,
      end: chunk.end,
      firstRow: chunk.firstRow,
      prologueEnd,
    }),
  );
  const [first] = files;
  await env.FILES.put(planKey(run), JSON.stringify(messages));
  await setRunPlan(env.CONFIG_DB, run.id, {
    fileKey: first?.key ?? "",
    bytesTotal: files.reduce((sum, file) => sum + file.size, 0),
    chunksTotal: messages.length,
  });
  if (messages.length === 0) {
    // A header and no records: the run is complete with nothing in it.
    await env.CONFIG_DB.prepare(
      "UPDATE runs SET status = 'completed', finished_at = ?2 WHERE id = ?1 AND status = 'in_progress'",
    )
      .bind(run.id, new Date().toISOString())
      .run();
    return;
  }
  faults.at("before-send");
  await sendChunks(env, messages, faults);
}

/**
 * Reads one landed file once: checks that it can be read at all (encoding, header, format)
 * and cuts it into chunks at record boundaries. A zip archive's files are each a file here,
 * with their own header.
 */
async function splitFile(
  env: Env,
  config: ReadConfig,
  file: LandedFile,
  target: number,
): Promise<ReturnType<Splitter["end"]>> {
  const object = await env.FILES.get(file.key);
  if (!object)
    throw new ImportFileError(
      "source_not_found",
      "The file disappeared from storage before it could be read.",
    );
  const limits = readLimits(env);
  const splitter = createSplitter(config, target, limits);
  const decoder = createTextDecoder(config.options.encoding ?? "utf-8");
  const preflight = createReader(config, undefined, limits);
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
  try {
    for await (const bytes of readBlocks(object.body)) {
      splitter.write(bytes);
      check(decoder.decode(bytes));
    }
    check(decoder.end());
    if (!meaningful)
      throw new ImportFileError("empty_file", "The file has no content: there is nothing to import.");
    if (preflightChars < PREFLIGHT_CHARS) preflight.end();
    checkHeader(config, preflight.columns);
  } catch (err) {
    // Which file of an archive could not be read is part of what to fix.
    if (err instanceof ImportFileError && file.entry !== null)
      throw new ImportFileError(err.code, `In '${file.entry}' of the zip archive: ${err.message}`);
    throw err;
  }
  return splitter.end();
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
