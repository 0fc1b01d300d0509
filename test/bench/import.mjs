#!/usr/bin/env node
// `npm run bench:import`: a generated velocidi_csv imported through the local stack (upload,
// run, wait for completed), next to papaparse parse-only (header: true, streamed) on the same
// file in the same run. It prints end-to-end rows/s, the time of each stage and the peak RSS of
// the runtime (workerd), at 250,000 and 1,000,000 rows (BENCH_ROWS overrides).
// `--source http|s3|sftp` also imports the same file from that source (a local HTTP server, a
// signature-checking S3 fake, a real OpenSSH server) and prints it next to the upload path.
import { execFileSync, fork } from "node:child_process";
import { createReadStream, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { generate } from "../../packages/core/bench/core.mjs";
import { ensureDevVars, ROOT } from "../../scripts/lib.mjs";
import { startLocalStack } from "../../scripts/local-stack.mjs";

const KEY = "bench_key";
const PORT = Number(process.env.BENCH_PORT ?? 8790);

async function papaparseChild() {
  const { default: Papa } = await import("papaparse");
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let rows = 0;
  await new Promise((resolve, reject) =>
    Papa.parse(createReadStream(process.argv[3], { encoding: "utf8", highWaterMark: 1 << 20 }), {
      header: true,
      step: () => {
        rows++;
      },
      complete: resolve,
      error: reject,
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  process.send?.(
    { rows, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 },
    () => process.exit(0),
  );
}

function papaparse(path) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--papaparse", path]);
    child.on("message", resolve);
    child.on("error", reject);
  });
}

/** The workerd processes of the stack started as `rootPid`. */
function workerdPids(rootPid) {
  const parents = new Map();
  const commands = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      commands.set(Number(pid), readFileSync(`/proc/${pid}/cmdline`, "utf8"));
    } catch {}
  }
  const under = (pid) => {
    for (let p = pid; p > 1; p = parents.get(p) ?? 0) if (p === rootPid) return true;
    return false;
  };
  return [...commands]
    .filter(([pid, command]) => command.includes("workerd") && under(pid))
    .map(([pid]) => pid);
}

/** Peak resident memory (VmHWM) of the stack's workerd processes. */
function workerdPeakMb(rootPid) {
  let peak = 0;
  for (const pid of workerdPids(rootPid)) {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
    } catch {}
  }
  return peak;
}

/**
 * CPU time (user + system) used so far by the stack's workerd processes. workerd runs every
 * Worker and the local D1, R2 and queues on one thread, so this is the work an import costs,
 * and it varies less than the wall clock on a shared machine.
 */
function workerdCpuSeconds(rootPid) {
  const ticks = 100; // USER_HZ
  let total = 0;
  for (const pid of workerdPids(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {}
  }
  return total;
}

async function call(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Serves the file from the chosen source; answers the import's source and a way to stop it. */
async function openSource(kind, path) {
  if (kind === "http") {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-length": String(statSync(path).size) });
      createReadStream(path).pipe(res);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      source: { type: "url", url: `http://127.0.0.1:${server.address().port}/orders.csv` },
      close: () => server.close(),
    };
  }
  if (kind === "s3") {
    const { startFakeS3 } = await import("../fakes/s3.mjs");
    const s3 = await startFakeS3();
    s3.put("bench", "orders.csv", readFileSync(path));
    return {
      source: {
        type: "s3",
        bucket: "bench",
        key: "orders.csv",
        region: s3.region,
        endpoint: s3.url,
        accessKeyId: "AKIDTEST",
        secretAccessKey: "test-secret",
      },
      close: () => s3.close(),
    };
  }
  if (kind === "sftp") {
    const { startSshd, serveFile, SFTP_USER, SFTP_PASSWORD } = await import("../sources/sshd.ts");
    const sshd = await startSshd();
    const remote = serveFile(sshd, "orders.csv", readFileSync(path));
    return {
      source: {
        type: "sftp",
        host: sshd.host,
        port: sshd.port,
        username: SFTP_USER,
        password: SFTP_PASSWORD,
        path: remote,
      },
      close: () => sshd.close(),
    };
  }
  throw new Error(`unknown --source ${kind}: use http, s3 or sftp`);
}

async function importOnce(rows, kind = "upload") {
  const path = await generate(rows);
  const size = statSync(path).size;
  const persistTo = `${ROOT}bench-data/state-import`;
  rmSync(persistTo, { recursive: true, force: true });
  const stack = await startLocalStack({ port: PORT, persistTo, tenant: "bench", apiKey: KEY, quiet: true });
  try {
    const cpuBefore = workerdCpuSeconds(stack.pid);
    const t0 = performance.now();
    let source;
    let closeSource = () => {};
    if (kind === "upload") {
      const { key, uploadUrl } = await call(stack.base, "POST", "/v1/uploads", { filename: "orders.csv" });
      const put = await fetch(uploadUrl, {
        method: "PUT",
        body: createReadStream(path),
        duplex: "half",
        headers: { "content-length": String(size) },
      });
      if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
      source = { type: "upload", key };
    } else {
      ({ source, close: closeSource } = await openSource(kind, path));
    }
    const t1 = performance.now();
    const imp = await call(stack.base, "POST", "/v1/imports", {
      name: "bench",
      type: "orders",
      format: "velocidi_csv",
      source,
      options: { hashUserIds: true },
    });
    const started = await call(stack.base, "POST", `/v1/imports/${imp.id}/runs`, {});
    let run = started;
    let peak = 0;
    while (!["completed", "failed", "cancelled"].includes(run.status)) {
      await new Promise((r) => setTimeout(r, 250));
      peak = Math.max(peak, workerdPeakMb(stack.pid));
      run = await call(stack.base, "GET", `/v1/runs/${started.id}`);
    }
    const t2 = performance.now();
    closeSource();
    peak = Math.max(peak, workerdPeakMb(stack.pid));
    const cpuSeconds = workerdCpuSeconds(stack.pid) - cpuBefore;
    if (run.status !== "completed") throw new Error(`run ${run.status}: ${JSON.stringify(run.error)}`);
    const startedAt = Date.parse(run.startedAt);
    return {
      rows: run.stats.rowsRead,
      size,
      uploadSeconds: (t1 - t0) / 1000,
      queuedSeconds: (startedAt - Date.parse(run.createdAt)) / 1000,
      runSeconds: (Date.parse(run.finishedAt) - startedAt) / 1000,
      endToEndSeconds: (t2 - t0) / 1000,
      peakMb: peak,
      cpuSeconds,
      stats: run.stats,
    };
  } finally {
    await stack.stop();
  }
}

async function main() {
  const flag = process.argv.indexOf("--source");
  const sourceKind = flag > 0 ? process.argv[flag + 1] : null;
  ensureDevVars({ ALLOW_PRIVATE_SOURCES: "true" });
  console.log(`Node ${process.version}, ${execFileSync("nproc").toString().trim()} cores`);
  const results = [];
  for (const rows of (process.env.BENCH_ROWS ?? "250000,1000000").split(",").map(Number)) {
    const path = await generate(rows);
    const peer = await papaparse(path);
    const r = await importOnce(rows);
    if (sourceKind) {
      const other = await importOnce(rows, sourceKind);
      console.log(
        `\n${rows.toLocaleString("en")} rows from ${sourceKind}: ${(other.rows / other.endToEndSeconds / 1000).toFixed(0)}k rows/s end to end (${other.endToEndSeconds.toFixed(1)} s; fetch+land+split+transform ${other.runSeconds.toFixed(1)} s) vs upload ${(r.rows / r.endToEndSeconds / 1000).toFixed(0)}k rows/s (${r.endToEndSeconds.toFixed(1)} s)`,
      );
    }
    if (r.rows !== peer.rows) throw new Error(`the import read ${r.rows} rows, papaparse ${peer.rows}`);
    results.push(r);
    const e2e = r.rows / r.endToEndSeconds;
    const pp = peer.rows / peer.seconds;
    console.log(`\n${rows.toLocaleString("en")} rows, ${(r.size / 1e6).toFixed(0)} MB`);
    console.log(
      `  papaparse parse-only (header:true)  ${(pp / 1000).toFixed(0).padStart(6)}k rows/s  ${peer.seconds.toFixed(1)} s`,
    );
    console.log(
      `  import end to end                   ${(e2e / 1000).toFixed(0).padStart(6)}k rows/s  ${r.endToEndSeconds.toFixed(1)} s  = ${(e2e / pp).toFixed(2)}× papaparse`,
    );
    console.log(
      `  stages: upload ${r.uploadSeconds.toFixed(1)} s, queued ${r.queuedSeconds.toFixed(1)} s, ingest + transform ${r.runSeconds.toFixed(1)} s`,
    );
    console.log(
      `  workerd CPU ${r.cpuSeconds.toFixed(1)} s (${(r.rows / r.cpuSeconds / 1000).toFixed(0)}k rows per CPU second); papaparse CPU ${peer.cpuSeconds.toFixed(1)} s`,
    );
    console.log(`  peak RSS of workerd: ${r.peakMb.toFixed(0)} MB   stats: ${JSON.stringify(r.stats)}`);
  }
  if (results.length > 1) {
    const [small, large] = [results[0], results.at(-1)];
    console.log(
      `\npeak memory, largest vs smallest file: ${((large.peakMb / small.peakMb - 1) * 100).toFixed(0)} %`,
    );
  }
}

if (process.argv[2] === "--papaparse") await papaparseChild();
else await main();
