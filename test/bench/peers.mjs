// What the benchmarks share: papaparse parse-only (the peer every ratio is taken against), and
// the workerd processes of a local stack, whose CPU time is what the product's work costs there.
import { fork } from "node:child_process";
import { createReadStream, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** papaparse parse-only (header: true, streamed, rows discarded) of a file, in this process. */
async function papaparseChild(path) {
  const { default: Papa } = await import("papaparse");
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let rows = 0;
  await new Promise((resolve, reject) =>
    Papa.parse(createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 }), {
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

/** papaparse parse-only of `path` in its own process: rows, seconds and CPU seconds. */
export function papaparse(path) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--papaparse", path]);
    child.on("message", resolve);
    child.on("error", reject);
  });
}

/** The workerd processes started (directly or not) by the process `rootPid`. */
export function workerdPids(rootPid) {
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

/**
 * CPU time (user + system) used so far by the workerd processes under `rootPid`. workerd runs every
 * Worker and the local D1, R2 and queues on one thread, so this is the work an import costs,
 * and it varies less than the wall clock on a shared machine.
 */
export function workerdCpuSeconds(rootPid) {
  return cpuSecondsOf(workerdPids(rootPid));
}

/** CPU time (user + system) used so far by these processes. */
export function cpuSecondsOf(pids) {
  const ticks = 100; // USER_HZ
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {}
  }
  return total;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--papaparse")
  await papaparseChild(process.argv[3]);
