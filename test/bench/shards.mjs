#!/usr/bin/env node
// `npm run bench:shards`: the CDP store's shards on their own. A driver (this process) reads a
// generated velocidi_csv once with the import engine, as the transform Worker does, and encodes
// its orders into the rows a shard keeps; those pre-read batches (1,500 orders each, as the
// transform Worker writes them) are then written to a store Worker (apps/cdp-store) in workerd:
//
// 1. through S = 1, 2, 4, 8 and 16 data shards in one workerd: the store's CPU per million rows,
//    which must not grow with S (each batch is split by shard and sent as one call per shard);
// 2. with real parallelism: two workerd processes, each pinned to one core (taskset), the
//    tenant's two shards one in each, against one process with one shard, and against the two
//    processes with a tenant of one shard (all rows to one process);
// 3. a model of deployed throughput from those numbers (labelled as a model).
//
// BENCH_ROWS (default 1,000,000) order lines.
import { execFileSync } from "node:child_process";
import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createTestHarness } from "wrangler";
import { generate } from "../../packages/core/bench/core.mjs";
import { cpuSecondsOf, workerdPids } from "./peers.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ORDERS_PER_BATCH = 1500;

/** The engine and the store's encoding for this process: bundled as wrangler would, for Node. */
async function loadEngine() {
  const { build } = await import("esbuild");
  const outfile = `${ROOT}bench-data/shards-engine.mjs`;
  await build({
    stdin: {
      contents: `export { createReader, createTextDecoder, hashUserIdsOf, parseReadConfig } from "@cdp/core";
        export { orderRow, shardOf } from "@cdp/cdp-store/client";`,
      resolveDir: `${ROOT}apps/transform`,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "warning",
  });
  return import(outfile);
}

/** Reads the file as the transform Worker does: batches of encoded order rows, and their buyers. */
async function readBatches(engine, path) {
  const config = engine.parseReadConfig({
    type: "orders",
    format: "velocidi_csv",
    options: { hashUserIds: true },
  });
  const reader = engine.createReader(config);
  const decoder = engine.createTextDecoder("utf-8");
  const batches = [];
  let pending = [];
  let lines = 0;
  const take = async (results) => {
    await engine.hashUserIdsOf(results, config.options);
    for (const r of results) {
      if (!r.item)
        throw new Error(`row ${r.row} of the generated file is invalid: ${JSON.stringify(r.issues)}`);
      lines += r.item.lineItems.length;
      pending.push(engine.orderRow(r.item));
      if (pending.length === ORDERS_PER_BATCH) {
        batches.push(pending);
        pending = [];
      }
    }
  };
  const file = await open(path, "r");
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    await take(reader.write(decoder.decode(buffer.subarray(0, bytesRead))));
  }
  await file.close();
  await take(reader.write(decoder.end()));
  await take(reader.end());
  if (pending.length > 0) batches.push(pending);
  return { batches, lines, orders: batches.reduce((n, b) => n + b.length, 0) };
}

/** Each batch's rows split by data shard, as JSON request bodies: [shard, body][] per batch. */
function bodiesFor(engine, batches, shards) {
  return batches.map((batch) => {
    const groups = new Map();
    for (const row of batch) {
      const n = engine.shardOf(row[0], shards);
      const group = groups.get(n);
      if (group) group.push(row);
      else groups.set(n, [row]);
    }
    return [...groups].map(([n, rows]) => [n, JSON.stringify(rows)]);
  });
}

/** One store process: the store Worker and the bench's Worker in one workerd, pinned to `core` if given. */
async function startStore(core) {
  const before = new Set(workerdPids(process.pid));
  const server = createTestHarness({
    root: ROOT,
    workers: [
      { configPath: "test/bench/shards/wrangler.jsonc" },
      { configPath: "apps/cdp-store/wrangler.jsonc" },
    ],
  });
  const { url } = await server.listen();
  const pids = workerdPids(process.pid).filter((pid) => !before.has(pid));
  if (core !== undefined)
    for (const pid of pids) execFileSync("taskset", ["-a", "-p", "-c", String(core), String(pid)]);
  // Warm up: load and compile both Workers.
  const res = await fetch(new URL("/write?tenant=warmup&shard=0", url), { method: "POST", body: "[]" });
  if (!res.ok) throw new Error(`warm-up: ${res.status} ${await res.text()}`);
  return { server, url, pids };
}

/**
 * Writes every batch: each batch's shard groups in parallel (one call per shard, as the client
 * does), batch after batch, to the store process of each shard. Answers the wall time and the
 * orders the shards counted as added, which must be all of them.
 */
async function writeAll(bodies, targetOf, tenant) {
  const started = performance.now();
  let added = 0;
  for (const groups of bodies) {
    const answers = await Promise.all(
      groups.map(async ([n, body]) => {
        const res = await fetch(new URL(`/write?tenant=${tenant}&shard=${n}`, targetOf(n)), {
          method: "POST",
          body,
        });
        if (!res.ok) throw new Error(`write to shard ${n}: ${res.status} ${await res.text()}`);
        return res.json();
      }),
    );
    for (const a of answers) added += a.added;
  }
  return { seconds: (performance.now() - started) / 1000, added };
}

async function main() {
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const path = await generate(rows);
  const engine = await loadEngine();
  const readStarted = process.cpuUsage();
  const { batches, lines, orders } = await readBatches(engine, path);
  const read = process.cpuUsage(readStarted);
  const consumerCpuPerLine = (read.user + read.system) / 1e6 / lines;
  console.log(
    `Node ${process.version}, ${execFileSync("nproc").toString().trim()} cores; ${lines.toLocaleString("en")} order lines in ${orders.toLocaleString("en")} orders, ${batches.length} batches of ${ORDERS_PER_BATCH} orders`,
  );
  const perMillion = (seconds) => (seconds / lines) * 1e6;

  // 1. The same rows through S shards in one process.
  console.log("\n1. One workerd, S data shards: the store's CPU per million order lines");
  const byShards = [];
  for (const shards of [1, 2, 4, 8, 16]) {
    const bodies = bodiesFor(engine, batches, shards);
    const store = await startStore();
    try {
      const cpu0 = cpuSecondsOf(store.pids);
      const { seconds, added } = await writeAll(bodies, () => store.url, `s${shards}`);
      const cpu = cpuSecondsOf(store.pids) - cpu0;
      if (added !== orders) throw new Error(`S=${shards}: the shards added ${added} of ${orders} orders`);
      const usage = await (
        await fetch(new URL(`/usage?tenant=s${shards}&shards=${shards}`, store.url))
      ).json();
      const stored = usage.slice(1).map((u) => u.orders);
      if (stored.reduce((a, b) => a + b, 0) !== orders)
        throw new Error(`S=${shards}: the shards hold ${stored}`);
      byShards.push({ shards, cpu, seconds });
      console.log(
        `   S=${String(shards).padStart(2)}  ${perMillion(cpu).toFixed(2).padStart(6)} s CPU per million lines   ${(lines / seconds / 1000).toFixed(0).padStart(4)}k lines/s   orders per shard ${Math.min(...stored)}–${Math.max(...stored)}`,
      );
    } finally {
      await store.server.close();
    }
  }
  const cpus = byShards.map((b) => perMillion(b.cpu));
  const spread = Math.max(...cpus) / Math.min(...cpus) - 1;
  console.log(
    `   spread of CPU per million lines over S: ${(spread * 100).toFixed(1)} % (flat: within 10 %)`,
  );

  // 2. Real parallelism: processes pinned to one core each.
  console.log("\n2. Store processes pinned to one core each (taskset)");
  const one = await startStore(0);
  let single;
  try {
    single = await writeAll(bodiesFor(engine, batches, 1), () => one.url, "p1");
  } finally {
    await one.server.close();
  }
  const [a, b] = [await startStore(0), await startStore(1)];
  let pair;
  let pairOneShard;
  try {
    const two = bodiesFor(engine, batches, 2);
    pair = await writeAll(two, (n) => (n === 0 ? a.url : b.url), "p2");
    pairOneShard = await writeAll(bodiesFor(engine, batches, 1), () => a.url, "p3");
  } finally {
    await Promise.all([a.server.close(), b.server.close()]);
  }
  for (const r of [single, pair, pairOneShard])
    if (r.added !== orders) throw new Error(`the shards added ${r.added} of ${orders} orders`);
  const rate = (r) => lines / r.seconds;
  console.log(`   1 process,  1 shard   ${(rate(single) / 1000).toFixed(0).padStart(5)}k lines/s   1.00×`);
  console.log(
    `   2 processes, 2 shards ${(rate(pair) / 1000).toFixed(0).padStart(5)}k lines/s   ${(rate(pair) / rate(single)).toFixed(2)}×  (goal ≥ 1.7×)`,
  );
  console.log(
    `   2 processes, 1 shard  ${(rate(pairOneShard) / 1000).toFixed(0).padStart(5)}k lines/s   ${(rate(pairOneShard) / rate(single)).toFixed(2)}×  (one shard is one thread, wherever it runs)`,
  );

  // 3. A model, not a measurement.
  const perShard = rate(single);
  const chunkLines = Math.round(
    (4 * 1024 * 1024 * lines) / (await open(path, "r").then(async (f) => (await f.stat()).size)),
  );
  const consumerBound = (250 * 1) / consumerCpuPerLine; // 250 consumer invocations, each reading at this process's rate
  const queueBound = 5000 * chunkLines; // 5,000 messages/s per queue, one chunk per message
  console.log("\n3. A model of deployed throughput (not a measurement): one tenant's order import");
  console.log(
    `   per data shard: ${(perShard / 1000).toFixed(0)}k lines/s (1 above); consumers: ${(consumerCpuPerLine * 1e6).toFixed(1)} µs of CPU per line to read and encode (this process), ${chunkLines.toLocaleString("en")} lines per 4 MiB chunk`,
  );
  for (const shards of [1, 4, 16, 64]) {
    const bounds = [
      ["shards", perShard * shards],
      ["250 consumers", consumerBound],
      ["5,000 messages/s", queueBound],
    ];
    const [limit, value] = bounds.reduce((min, b) => (b[1] < min[1] ? b : min));
    console.log(
      `   S=${String(shards).padStart(2)}: ${(value / 1e6).toFixed(1).padStart(5)}M lines/s, bounded by ${limit} (shards ${((perShard * shards) / 1e6).toFixed(1)}M, consumers ${(consumerBound / 1e6).toFixed(1)}M, queue ${(queueBound / 1e6).toFixed(0)}M)`,
    );
  }
  console.log(
    "   The identity shard takes every chunk's buyers in one call; a tenant's order import is also bounded by it (see bench:store for its share).",
  );
  const flat = spread <= 0.1;
  const parallel = rate(pair) / rate(single) >= 1.7;
  if (!flat || !parallel) {
    console.log(
      `\nnot met: ${[!flat && "CPU per million lines is not flat over S", !parallel && "two processes are under 1.7×"].filter(Boolean).join("; ")}`,
    );
    process.exitCode = 1;
  }
}

await main();
