#!/usr/bin/env node
// `npm run bench:store`: where an import's work goes in the local runtime. One Worker (./store)
// in workerd, with a local D1, reads a generated velocidi_csv as the transform Worker does and
// writes its orders through the store, phase by phase: read only; encode and classify without
// writing; have D1 carry every write statement without storing (each INSERT or DELETE turned
// into a SELECT of the same parameters); store. Each phase's cost is the difference in workerd's
// CPU time, next to papaparse parse-only on the same file in the same run, and to the time that
// 0.33× papaparse end to end would allow. BENCH_ROWS (default 100,000) and BENCH_REPEAT (3; the
// median is shown); BENCH_WRITE_EVERY (1,500) orders per write, as the transform Worker's
// WRITE_EVERY_ITEMS.
import { execFileSync } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createTestHarness } from "wrangler";
import { generate } from "../../packages/core/bench/core.mjs";
import { papaparse, workerdCpuSeconds } from "./peers.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PHASES = ["read", "encode", "carry", "store"];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(path) {
  const server = createTestHarness({
    root: ROOT,
    workers: [{ configPath: "test/bench/store/wrangler.jsonc" }],
  });
  const { url } = await server.listen();
  try {
    await server.getWorker("cdp-bench-store").applyD1Migrations("CDP_DB");
    const cpu = {};
    // The first request pays for loading and compiling the Worker: a read to warm it up.
    for (const phase of ["warm-up", ...PHASES]) {
      const before = workerdCpuSeconds(process.pid);
      const res = await fetch(
        new URL(`/?phase=${phase === "warm-up" ? "read" : phase}&every=${every}`, url),
        {
          method: "POST",
          body: createReadStream(path),
          duplex: "half",
        },
      );
      const out = await res.json();
      if (!res.ok || (phase === "store" && out.added !== out.orders))
        throw new Error(`${phase}: ${res.status} ${JSON.stringify(out)}`);
      cpu[phase] = workerdCpuSeconds(process.pid) - before;
    }
    return cpu;
  } finally {
    await server.close();
  }
}

const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const every = Number(process.env.BENCH_WRITE_EVERY ?? 1500);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const path = await generate(rows);
console.log(
  `Node ${process.version}, ${execFileSync("nproc").toString().trim()} cores; ${rows.toLocaleString("en")} rows (${(statSync(path).size / 1e6).toFixed(0)} MB), ${every.toLocaleString("en")} orders per write; median of ${repeat}`,
);
const runs = [];
const peers = [];
for (let i = 0; i < repeat; i++) {
  peers.push(await papaparse(path));
  runs.push(await measure(path));
}
// Each run's own differences between phases, then the median of each.
const part = (f) => median(runs.map(f));
const total = part((r) => r.store);
const store = part((r) => r.store - r.encode);
const peer = median(peers.map((p) => p.seconds));
const parts = [
  ["reading the file (decode, parse, validate, hash ids)", part((r) => r.read)],
  ["encoding and classifying the orders", part((r) => r.encode - r.read)],
  ["D1 carrying the statements (JSON in and out)", part((r) => r.carry - r.encode)],
  ["SQLite storing the rows", part((r) => r.store - r.carry)],
];
console.log(`\n  papaparse parse-only (header:true)                   ${peer.toFixed(1).padStart(6)} s`);
for (const [name, seconds] of parts)
  console.log(
    `  ${name.padEnd(52)} ${seconds.toFixed(1).padStart(6)} s CPU  ${((seconds / total) * 100).toFixed(0).padStart(3)} %  = ${(seconds / peer).toFixed(1)}× papaparse`,
  );
console.log(`  ${"all of it".padEnd(52)} ${total.toFixed(1).padStart(6)} s CPU`);
console.log(
  `\n0.33× papaparse end to end allows ${(peer / 0.33).toFixed(1)} s for the whole import; the store alone (D1 carrying + SQLite) takes ${store.toFixed(1)} s of the one workerd thread.`,
);
