import { CdpStore } from "@cdp/cdp-store/client";
import {
  type ChunkMessage,
  type CustomerRecord,
  createReader,
  createTextDecoder,
  explainLimit,
  hashUserIdsOf,
  ImportFileError,
  type Issue,
  type Order,
  type Product,
  parseReadConfig,
  type ReadResult,
  readBlocks,
  readLimits,
  wholeNumberVar,
} from "@cdp/core";
import { chunkDone, failRun, getRun, getTenant, MAX_STORED_ISSUES_PER_RUN, recordChunk } from "@cdp/store";
import type { chunkFaults } from "./faults";
import { MAX_STORED_ROW_CHARS, oversizeIssue } from "./item-size";

type Faults = ReturnType<typeof chunkFaults>;

type Item = Order | CustomerRecord | Product;

/** Issues stored per run (MAX_STORED_ISSUES_PER_RUN); all are counted. */
function maxStoredIssues(env: Env): number {
  return wholeNumberVar(env.MAX_STORED_ISSUES_PER_RUN, MAX_STORED_ISSUES_PER_RUN, 0);
}

/**
 * Items held before they are written. A chunk of 4 MiB reads into about 6,000 orders, so a chunk
 * is usually one write: one call per shard, whose fixed cost (the RPC, the transaction) is then
 * paid once per chunk and shard, however many shards (see bench:shards). A larger chunk is
 * written as it is read, 6,000 items at a time, which keeps the isolate's heap to a fraction of
 * the 128 MB a Worker has whatever the chunk size. (Writes of 3,000 took the store a fifth more
 * CPU in a 1M import, bench:import.)
 */
export const WRITE_EVERY_ITEMS = 6000;

/**
 * Whether the items read so far are written now, before the rest of the chunk is read: once
 * there are `every` of them, unless what is left of the chunk is less than half the bytes they
 * took. That rest then joins them in one write, rather than following as a small write of its own
 * (a chunk of 6,028 orders was two writes, of 6,000 and of 28, each a call to every shard).
 */
export function writeNow(
  items: number,
  bytes: { read: number; atLastWrite: number; chunk: number },
  every = WRITE_EVERY_ITEMS,
): boolean {
  return items >= every && bytes.chunk - bytes.read >= (bytes.read - bytes.atLastWrite) / 2;
}

/**
 * Reads one chunk of a run's file, turns it into validated items, writes them to the store and
 * records the chunk's stats and issues. A redelivered chunk changes nothing and counts nothing
 * twice: the store classifies replays as the first delivery did, and the chunk's row is keyed.
 * `read` is called once every item is read and the last write handed to the store (for orders,
 * once the identity shard has the buyers).
 */
export async function transformChunk(
  env: Env,
  message: ChunkMessage,
  faults: Faults,
  attempts = 1,
  read: () => void = () => {},
): Promise<void> {
  const run = await getRun(env.CONFIG_DB, null, message.runId);
  // A chunk of a cancelled, failed, completed or deleted run has nothing left to do.
  if (run?.status !== "in_progress") return;
  if (await chunkDone(env.CONFIG_DB, run.id, message.chunkNo)) return;
  const tenant = await getTenant(env.CONFIG_DB, run.tenantId);
  if (!tenant) return;
  faults.at("before-write");

  try {
    // A configuration this run cannot be read with fails it at once (invalid_config), naming the field.
    const config = parseReadConfig(JSON.parse(run.config));
    const encoding = config.options.encoding ?? "utf-8";
    const [head, body] = await Promise.all([
      message.prologueEnd > 0
        ? env.FILES.get(message.key, { range: { offset: 0, length: message.prologueEnd } })
        : null,
      env.FILES.get(message.key, { range: { offset: message.start, length: message.end - message.start } }),
    ]);
    if (!body) throw new ImportFileError("source_not_found", "The run's file is no longer in storage.");
    let prologue = "";
    if (head) {
      const headDecoder = createTextDecoder(encoding);
      prologue = headDecoder.decode(new Uint8Array(await head.arrayBuffer())) + headDecoder.end();
    }
    const reader = createReader(config, { prologue, firstRow: message.firstRow }, readLimits(env));
    const decoder = createTextDecoder(encoding, { byteOffset: message.start, firstLine: message.firstRow });
    // Once some of the chunk's items are stored and some are not: between the identity shard's
    // write of an order import's buyers and the data shards' write of its orders, and between
    // the writes of the items read so far.
    const midWrite = () => faults.at("mid-write");
    const store = new CdpStore(env.CDP_SHARDS, tenant);
    const scope = {
      runId: run.id,
      dryRun: run.dryRun,
      now: new Date().toISOString(),
      delivery: {
        id: `${run.id}|${message.chunkNo}`,
        label: `chunk ${message.chunkNo}`,
        attempts,
        nth: message.chunkNo,
      },
    };
    // Resolved once the write made last has gone on past the identity shard (for orders: its
    // buyers are in, its orders on their way to the data shards), or has failed.
    let handedOver: Promise<void> = Promise.resolve();
    const write = (valid: Item[]) => {
      if (config.type !== "orders")
        return config.type === "customers"
          ? store.writeCustomers(scope, config.options.mergeStrategy ?? "merge", valid as CustomerRecord[])
          : store.writeProducts(scope, valid as Product[]);
      let passed = () => {};
      handedOver = new Promise<void>((resolve) => {
        passed = resolve;
      });
      const writing = store.writeOrders(scope, valid as Order[], {
        afterIdentity: () => {
          passed();
          midWrite();
        },
      });
      writing.finally(passed).catch(() => {});
      return writing;
    };
    // Only a chunk larger than a stored row can hold an item too large to store.
    const measure = message.end - message.start + message.prologueEnd > MAX_STORED_ROW_CHARS;
    const kind = config.type === "orders" ? "order" : config.type === "customers" ? "customer" : "product";
    const issues: Issue[] = [];
    const totals = { rowsRead: 0, itemsRead: 0, itemsValid: 0, added: 0, updated: 0, unchanged: 0 };
    let pending: ReadResult<Item>[] = [];
    let written = false;

    // One write at a time is on its way to the store while the next items are read, and at most
    // two writes' items are in memory. The calls go out and their answers come in only when the
    // isolate turns to the network: locally storage answers inside workerd's process, every read
    // is ready at once, and nothing is sent until the read stops. So the next chunk of the batch
    // reads while this one's last write is stored (see index.ts), rather than this chunk's own
    // reading overlapping its writes.
    let writing: Promise<void> = Promise.resolve();
    let writeFailed: { error: unknown } | null = null;
    const settle = async () => {
      await writing;
      if (writeFailed) throw writeFailed.error;
    };

    /** Validates, hashes and sends the items read so far to the store, in file order. */
    const flush = async () => {
      const results = pending;
      pending = [];
      if (config.type !== "products")
        await hashUserIdsOf(results as ReadResult<Order | CustomerRecord>[], config.options);
      const valid: Item[] = [];
      for (const result of results) {
        totals.rowsRead += result.records;
        for (const issue of result.issues)
          issues.push(issue.item === null ? { ...issue, item: result.key } : issue);
        if (!result.item) continue;
        const oversize = measure ? oversizeIssue(result.item, kind, result.row, result.key) : null;
        if (oversize) issues.push(oversize);
        else valid.push(result.item);
      }
      totals.itemsRead += results.length;
      totals.itemsValid += valid.length;
      if (valid.length === 0) return;
      await settle();
      if (written) midWrite();
      written = true;
      writing = write(valid).then(
        (counts) => {
          totals.added += counts.added;
          totals.updated += counts.updated;
          totals.unchanged += counts.unchanged;
        },
        (error: unknown) => {
          writeFailed = { error };
        },
      );
    };
    const bytes = { read: 0, atLastWrite: 0, chunk: message.end - message.start };
    const take = async (results: ReadResult<Item>[]) => {
      for (const result of results) pending.push(result);
      if (!writeNow(pending.length, bytes)) return;
      bytes.atLastWrite = bytes.read;
      await flush();
    };
    for await (const block of readBlocks(body.body)) {
      bytes.read += block.byteLength;
      await take(reader.write(decoder.decode(block)));
    }
    await take(reader.write(decoder.end()));
    await take(reader.end());
    await flush();
    // Every item is read and the last write handed over: the next chunk of the batch may read.
    await handedOver;
    read();
    await settle();
    faults.at("after-write");
    await recordChunk(env.CONFIG_DB, {
      runId: run.id,
      chunkNo: message.chunkNo,
      // A file's first chunk (each file of a zip archive has its own) also accounts for the
      // header before it, so that progress counts every byte of the file.
      bytesRead:
        message.end - message.start + (message.start === message.prologueEnd ? message.prologueEnd : 0),
      rowsRead: totals.rowsRead,
      itemsRead: totals.itemsRead,
      itemsValid: totals.itemsValid,
      itemsInvalid: totals.itemsRead - totals.itemsValid,
      added: totals.added,
      updated: totals.updated,
      unchanged: totals.unchanged,
      issues,
      maxStoredIssues: maxStoredIssues(env),
      now: new Date().toISOString(),
    });
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    // The file as a whole cannot be read (an encoding error deep in it, a record too large).
    const { code, message } = explainLimit(err);
    await failRun(env.CONFIG_DB, run.id, { code, message }, new Date().toISOString());
  }
}

/** A chunk that failed every retry: the run fails, naming the chunk. */
export async function deadLetterChunk(env: Env, message: ChunkMessage): Promise<void> {
  await failRun(
    env.CONFIG_DB,
    message.runId,
    {
      code: "chunk_failed",
      message: `Part ${message.chunkNo + 1} of ${message.chunkCount} of the file (from line ${message.firstRow}) could not be imported after several attempts. Start the run again; the parts already imported will be reported as unchanged.`,
    },
    new Date().toISOString(),
  );
}
