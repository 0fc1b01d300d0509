// `npm run bench:import -- --perf`: where workerd's CPU goes during an import, sampled with Linux
// `perf` (call graphs, 999 Hz) while V8 writes a symbol map of its compiled JavaScript
// (--perf-basic-prof, given to workerd through MINIFLARE_WORKERD_V8_FLAGS). Every sample is put
// in one part of its process: SQLite (the shards' databases, the local D1's), garbage collection,
// the JavaScript of one script (the product's Workers, the D1 client inside them, the local D1, R2
// and queues simulators), or the runtime's own native code (streams, RPC, JSON parsing outside any
// script's frames).
// BENCH_KEEP_PERF=1 keeps the recording (in the system's temporary folder, with V8's symbol maps)
// for `perf report` or `perf script`.
import { execFileSync, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The V8 flag that makes workerd write /tmp/perf-PID.map; set before the stack starts. */
export const PERF_V8_FLAGS = "--perf-basic-prof";

/** Throws a clear error before any import runs when Linux perf cannot sample here. */
export function checkPerf() {
  try {
    execFileSync("perf", ["--version"], { stdio: "ignore" });
  } catch (err) {
    throw new Error(`--perf needs Linux perf (apt-get install linux-perf): ${err.message}`);
  }
}

/** Scripts whose JavaScript runs in workerd during an import, by how a frame names them. */
const SCRIPTS = [
  [/^cloudflare-internal:d1-api/, "D1 client in the Workers (JSON of the statements)"],
  [/^database\.worker\.js/, "local D1 simulator (JavaScript)"],
  [/^bucket\.worker\.js/, "local R2 simulator"],
  [/^broker\.worker\.js/, "local queues simulator"],
  [/^index\.js/, "the product's Workers"],
];
const SQLITE = /sqlite3|SqlStorage::/;
const GC = /Scavenge|MarkCompact|ConcurrentMarking|Sweeper|MinorMS|Heap::CollectGarbage/;

/**
 * A frame of compiled JavaScript, as V8 names it in the map: "JS:" and the tier ("^" baseline,
 * "+" Maglev, "*" TurboFan, "o" before it for on-stack replacement, "'" after it for a
 * context-specialised copy), then the function's name and its script's place: "JS:*'write
 * index.js:10311:10". Answers { name, script }, or null for another frame.
 */
function jsFrame(symbol) {
  const m = /^JS:(?:o?[*^+~]'?)?(\S*) (\S+?):\d+(?::\d+)?$/.exec(symbol);
  return m ? { name: m[1] || "(anonymous)", script: m[2] } : null;
}

/** One sample's part, and the function it counts for within that part. */
function classify(frames) {
  if (frames.some((f) => SQLITE.test(f))) return ["SQLite (the shards' databases, the local D1's)", null];
  if (frames.some((f) => GC.test(f))) return ["garbage collection", null];
  const js = frames.map(jsFrame).filter(Boolean);
  // The outermost script on the stack says whose work it is; the innermost function of that
  // script, where the time went within it (native calls it makes count for it).
  for (let i = js.length - 1; i >= 0; i--) {
    const script = SCRIPTS.find(([pattern]) => pattern.test(js[i].script));
    if (!script) continue;
    const inner = js.find((f) => script[0].test(f.script));
    return [script[1], inner?.name ?? js[i].name];
  }
  if (js.length > 0) return [`other JavaScript (${js.at(-1).script})`, null];
  const native = frames.find((f) => /v8::internal::Json|workerd::api::|kj::|capnp::/.test(f));
  return [
    "runtime native code (streams, RPC, JSON parsing)",
    native?.replace(/\(.*$/, "").slice(0, 70) ?? null,
  ];
}

/**
 * Records the processes of `processes` ({ name: pids }) until `stop()`, which answers the parts of
 * each one's CPU samples: [{ process, share, parts: [{ part, share, top: [[function, share], ...] }] }],
 * shares of all the samples, largest first.
 */
export function recordPerf(processes) {
  const pids = Object.values(processes).flat();
  const nameOf = new Map(Object.entries(processes).flatMap(([name, ids]) => ids.map((id) => [id, name])));
  const output = join(tmpdir(), `cdp-bench-import-${process.pid}.perf.data`);
  const perf = spawn("perf", ["record", "-q", "-F", "999", "-g", "-p", pids.join(","), "-o", output], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  // checkPerf ran first: an error here is perf failing to start, reported at stop().
  const failed = new Promise((_, reject) => perf.on("error", reject));
  failed.catch(() => {});
  return {
    async stop() {
      perf.kill("SIGINT");
      await Promise.race([new Promise((resolve) => perf.on("exit", resolve)), failed]);
      try {
        return await summarise(output, nameOf);
      } finally {
        // The recording and the symbol maps V8 wrote for these processes.
        if (!process.env.BENCH_KEEP_PERF)
          for (const file of [output, ...pids.map((pid) => `/tmp/perf-${pid}.map`)])
            rmSync(file, { force: true });
      }
    },
  };
}

async function summarise(data, nameOf) {
  const script = spawn("perf", ["script", "-i", data, "-F", "comm,pid,ip,sym"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  /** By process name: its samples, and by part its samples and functions. */
  const processes = new Map();
  let total = 0;
  let frames = null;
  let pid = 0;
  const finish = () => {
    if (!frames || frames.length === 0) return;
    const [part, fn] = classify(frames);
    total++;
    const name = nameOf.get(pid) ?? "other";
    const process = processes.get(name) ?? { samples: 0, parts: new Map() };
    process.samples++;
    processes.set(name, process);
    const entry = process.parts.get(part) ?? { samples: 0, fns: new Map() };
    entry.samples++;
    if (fn) entry.fns.set(fn, (entry.fns.get(fn) ?? 0) + 1);
    process.parts.set(part, entry);
  };
  for await (const line of createInterface({ input: script.stdout })) {
    if (line.trim() === "") {
      finish();
      frames = null;
    } else if (!/^\s/.test(line)) {
      // A sample's first line: the command, then its pid.
      frames = [];
      pid = Number(/\s(\d+)\s*$/.exec(line)?.[1] ?? 0);
    } else frames?.push(line.trim().replace(/^[0-9a-f]+\s+/, ""));
  }
  finish();
  const largestFirst = (a, b) => b.share - a.share;
  return [...processes]
    .map(([name, process]) => ({
      process: name,
      share: process.samples / total,
      parts: [...process.parts]
        .map(([part, { samples, fns }]) => ({
          part,
          share: samples / total,
          top: [...fns]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 12)
            .map(([fn, n]) => [fn, n / total]),
        }))
        .sort(largestFirst),
    }))
    .sort(largestFirst);
}

/** Prints a summary as indented lines of percentages of all workerd's CPU samples. */
export function printPerf(processes) {
  const pct = (share) => `${(share * 100).toFixed(1).padStart(5)} %`;
  console.log("  where workerd's CPU went (perf samples, shares of all of them):");
  for (const { process, share, parts } of processes) {
    console.log(`  ${pct(share)}  ${process}`);
    for (const { part, share: partShare, top } of parts) {
      if (partShare < 0.005) continue;
      console.log(`    ${pct(partShare)}  ${part}`);
      for (const [fn, fnShare] of top)
        if (fnShare >= 0.005) console.log(`             ${pct(fnShare)}  ${fn}`);
    }
  }
}
