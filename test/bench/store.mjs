#!/usr/bin/env node
// `npm run bench:store`: where an import's work goes in the local runtime. One Worker (./store)
// in workerd, next to the store Worker (apps/cdp-store), reads a generated velocidi_csv as the
// transform Worker does and writes its orders through the store, phase by phase: read only; also
// encode each order into the row a shard keeps; store (the identity shard's buyers, then the
// data shard's rows, over RPC). Each phase's cost is the difference in workerd's CPU time, next
// to papaparse parse-only (its CPU time) on the same file in the same run. It also prints what
// the shards hold: the data shards' bytes per order line and the identity shard's per buyer, and all
// of it per order line, against the CSV's. BENCH_ROWS (default 100,000),
// BENCH_REPEAT (3; the median is shown), BENCH_SHARDS (1), BENCH_WRITE_EVERY (6,000) orders per
// write, as the transform Worker's WRITE_EVERY_ITEMS.
import { execFileSync } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createTestHarness } from "wrangler";
import { generate, generatedOrders } from "../../packages/core/bench/core.mjs";
import { papaparse, workerdCpuSeconds } from "./peers.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PHASES = ["read", "encode", "store"];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(path, expected) {
  const server = createTestHarness({
    root: ROOT,
    workers: [
      { configPath: "test/bench/store/wrangler.jsonc" },
      { configPath: "apps/cdp-store/wrangler.jsonc" },
    ],
  });
  const { url } = await server.listen();
  try {
    const cpu = {};
    let usage;
    let encodedBytes = 0;
    // The first request pays for loading and compiling the Worker: a read to warm it up.
    for (const phase of ["warm-up", ...PHASES]) {
      const before = workerdCpuSeconds(process.pid);
      const res = await fetch(
        new URL(`/?phase=${phase === "warm-up" ? "read" : phase}&every=${every}&shards=${shards}`, url),
        { method: "POST", body: createReadStream(path), duplex: "half" },
      );
      const out = await res.json();
      // A phase that quietly did less work would look faster: each must have read every order.
      if (!res.ok || out.orders !== expected.orders || out.lines !== expected.lines)
        throw new Error(
          `${phase}: ${res.status} ${JSON.stringify(out)}, expected ${JSON.stringify(expected)}`,
        );
      if (phase === "store" && out.added !== expected.orders)
        throw new Error(`store: added ${out.added} of ${expected.orders} orders`);
      cpu[phase] = workerdCpuSeconds(process.pid) - before;
      if (phase === "encode") encodedBytes = out.encoded;
    }
    usage = await (await fetch(new URL(`/usage?shards=${shards}`, url))).json();
    return { cpu, usage, encodedBytes };
  } finally {
    await server.close();
  }
}

/** The orders and order lines of the generated file (orders of 1–4 lines, one per row). */
const expectedOf = (rows) => ({ orders: generatedOrders(rows), lines: rows });

const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const every = Number(process.env.BENCH_WRITE_EVERY ?? 6000);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const shards = Number(process.env.BENCH_SHARDS ?? 1);
const path = await generate(rows);
const csvBytes = statSync(path).size;
console.log(
  `Node ${process.version}, ${execFileSync("nproc").toString().trim()} cores; ${rows.toLocaleString("en")} rows (${(csvBytes / 1e6).toFixed(0)} MB), ${every.toLocaleString("en")} orders per write, ${shards} data shard(s); median of ${repeat}`,
);
const runs = [];
const peers = [];
for (let i = 0; i < repeat; i++) {
  peers.push(await papaparse(path));
  runs.push(await measure(path, expectedOf(rows)));
}
// Each run's own differences between phases, then the median of each.
const part = (f) => median(runs.map(f));
const total = part((r) => r.cpu.store);
const peer = median(peers.map((p) => p.cpuSeconds));
const parts = [
  ["reading the file (decode, parse, validate, hash ids)", part((r) => r.cpu.read)],
  ["encoding each order into its stored row", part((r) => r.cpu.encode - r.cpu.read)],
  ["the shards storing them (RPC, classify, SQLite)", part((r) => r.cpu.store - r.cpu.encode)],
];
console.log(`\n  papaparse parse-only (header:true)                   ${peer.toFixed(1).padStart(6)} s CPU`);
for (const [name, seconds] of parts)
  console.log(
    `  ${name.padEnd(52)} ${seconds.toFixed(1).padStart(6)} s CPU  ${((seconds / total) * 100).toFixed(0).padStart(3)} %  = ${(seconds / peer).toFixed(2)}× papaparse`,
  );
console.log(`  ${"all of it".padEnd(52)} ${total.toFixed(1).padStart(6)} s CPU`);
const { usage, encodedBytes } = runs.at(-1);
const stored = usage.reduce((sum, u) => sum + u.bytes, 0);
const csvPerLine = (csvBytes / rows).toFixed(0);
console.log(
  `\nThe orders' rows: ${(encodedBytes / 1e6).toFixed(1)} MB of JSON text (${(encodedBytes / rows).toFixed(0)} bytes per order line).`,
);
// The data shards' bytes follow the order lines; the identity shard's follow the buyers, and the
// generated file has one new buyer per order up to 50,000 of them, then only returning buyers.
const identity = usage[0];
const data = stored - identity.bytes;
const { orders } = expectedOf(rows);
console.log(`Stored: ${(stored / 1e6).toFixed(1)} MB in ${usage.length} objects`);
console.log(
  `  the data shard${shards > 1 ? "s" : ""}: ${(data / 1e6).toFixed(1)} MB, ${(data / rows).toFixed(0)} bytes per order line = ${(data / csvBytes).toFixed(2)}× the CSV's ${csvPerLine}`,
);
console.log(
  `  the identity shard: ${(identity.bytes / 1e6).toFixed(1)} MB for ${identity.profiles.toLocaleString("en")} profiles, ${(identity.bytes / identity.profiles).toFixed(0)} bytes each (${(orders / identity.profiles).toFixed(1)} orders per buyer in this file)`,
);
console.log(
  `  all of it: ${(stored / rows).toFixed(0)} bytes per order line = ${(stored / csvBytes).toFixed(2)}× the CSV's ${csvPerLine}`,
);
