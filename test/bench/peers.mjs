// What the benchmarks share: papaparse parse-only (the peer every ratio is taken against), and
// the workerd processes of a local stack, whose CPU time is what the product's work costs there.
import { fork } from "node:child_process";
import { createReadStream, readdirSync, readFileSync, readlinkSync } from "node:fs";
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

/** CPU seconds the processes spent in the kernel (system time): reading pages, say. */
export function systemSecondsOf(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      total += Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[12]) / 100;
    } catch {}
  }
  return total;
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

/**
 * Samples the resident memory of the stack's workerd processes (of one root process or several): the peak the kernel recorded
 * (VmHWM), and the peaks by kind: anonymous (the heaps of the Workers and of the local D1, R2
 * and queues) and file-backed (pages of files the process maps, such as the local database's,
 * which the kernel may drop and read again).
 */
export function sampleWorkerdRss(rootPids) {
  const peak = { mb: 0, anonMb: 0, fileMb: 0 };
  const kb = (status, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  const sample = () => {
    let anon = 0;
    let file = 0;
    for (const pid of [rootPids].flat().flatMap(workerdPids)) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        peak.mb = Math.max(peak.mb, kb(status, "VmHWM"));
        anon += kb(status, "RssAnon");
        file += kb(status, "RssFile");
      } catch {}
    }
    peak.anonMb = Math.max(peak.anonMb, anon);
    peak.fileMb = Math.max(peak.fileMb, file);
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** TCP ports a process listens on, from /proc (its sockets' inodes in its table of TCP sockets). */
function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(m[1]);
    } catch {}
  }
  const ports = [];
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === "0A" && inodes.has(f[9])) ports.push(Number.parseInt(f[1].split(":")[1], 16));
  }
  return ports;
}

/**
 * A full collection on demand. workerd's inspector neither answers `HeapProfiler.collectGarbage`
 * nor collects for it (the heap reads the same before and after), but V8 takes a heap snapshot
 * after a full collection: one is asked for, and its chunks are let go unread.
 */
const FULL_COLLECTION = { method: "HeapProfiler.takeHeapSnapshot", params: { reportProgress: false } };

/**
 * Samples the V8 heap of every isolate in workerd through its inspector while an import runs
 * (four times a second, between events): the product's Workers (a deployed Worker has 128 MB)
 * and workerd's own isolates that simulate D1, R2 and queues locally, which the process's RSS
 * holds too. An isolate takes one inspector session, and `wrangler dev` holds one Worker's in
 * each of its processes for its own inspector proxy. The store's process runs one Worker (with
 * its Durable Objects), read through that proxy; in the other process the one held (the ingest
 * Worker, mostly) cannot be told apart without cutting the proxy off, and is left out when its
 * own session does not answer.
 */
export async function sampleWorkerHeaps(rootPids, { live = [] } = {}) {
  const peaks = new Map();
  /** Ids of the heap readings taken right after a full collection: what the isolate holds. */
  const liveIds = new Set();
  const sessions = [];
  // Each wrangler process: workerd's inspector lists its isolates, the product's Workers and
  // workerd's own (the local D1, R2, queues); wrangler's inspector proxy serves one of them.
  for (const root of [rootPids].flat()) {
    const session = { targets: [], proxy: null };
    for (const pid of workerdPids(root)) {
      for (const port of listeningPorts(pid)) {
        let list;
        try {
          list = await (
            await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) })
          ).json();
        } catch {
          continue;
        }
        if (!Array.isArray(list)) continue;
        if (list.some((t) => /^core:user:cdp-/.test(t.id)))
          session.targets.push(...list.filter((t) => t.webSocketDebuggerUrl));
        else if (list.length === 1 && list[0].description === "workers" && list[0].webSocketDebuggerUrl)
          session.proxy = list[0];
      }
    }
    sessions.push(session);
  }
  /** A session with one isolate, its readings kept as `name`'s; null if it does not answer. */
  const open = async (url, name) => {
    // wrangler's proxy takes DevTools' origin only.
    const ws = new WebSocket(url, { headers: { origin: "https://devtools.devprod.cloudflare.dev" } });
    // Some of workerd's own services accept no inspector session: they are left out.
    const opened = await new Promise((resolve) => {
      ws.onopen = () => resolve(true);
      ws.onerror = () => resolve(false);
    });
    if (!opened) return null;
    const answered = new Promise((resolve) => {
      ws.onmessage = (event) => {
        const { id, result } = JSON.parse(event.data);
        if (result?.usedSize === undefined) return;
        const peak = peaks.get(name) ?? { used: 0, total: 0, live: 0 };
        peaks.set(name, {
          used: Math.max(peak.used, result.usedSize),
          total: Math.max(peak.total, result.totalSize),
          live: liveIds.has(id) ? Math.max(peak.live, result.usedSize) : peak.live,
        });
        resolve(true);
      };
    });
    ws.send(JSON.stringify({ id: 0, method: "Runtime.getHeapUsage" }));
    if (await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 2000, false))]))
      return { ws, name };
    ws.close();
    return null;
  };
  const sockets = [];
  for (const { targets, proxy } of sessions) {
    const ours = targets.filter((t) => /^core:user:cdp-/.test(t.id));
    // A process of one Worker (the store's): wrangler's proxy holds that Worker's session, and a
    // session of our own would not be answered, and would cut the proxy's off.
    const viaProxy = proxy && ours.length === 1 ? ours[0] : null;
    sockets.push(
      ...(await Promise.all(
        targets.map((t) =>
          open(
            t === viaProxy ? proxy.webSocketDebuggerUrl : t.webSocketDebuggerUrl,
            t.id.replace("core:user:", ""),
          ),
        ),
      )),
    );
  }
  // "used" includes garbage V8 has not needed to collect yet: an upper bound of what a Worker
  // holds. For the isolates in `live`, every 2 s a full collection first, then a reading: what
  // it holds then (a collection on demand slows the isolate, as an inspector session does).
  let id = 0;
  let tick = 0;
  const timer = setInterval(() => {
    const collect = ++tick % 8 === 0;
    for (const socket of sockets) {
      if (!socket) continue;
      if (collect && live.includes(socket.name)) {
        socket.ws.send(JSON.stringify({ id: ++id, ...FULL_COLLECTION }));
        liveIds.add(id + 1);
      }
      socket.ws.send(JSON.stringify({ id: ++id, method: "Runtime.getHeapUsage" }));
    }
  }, 250);
  return {
    /**
     * Stops sampling; for the isolates in `live`, three more full collections and readings, half
     * a second apart, once the import is over (`after`, the least of them): what each holds at
     * rest. Right after a run, a reading may still include the last write's request, until the
     * caller lets it go.
     */
    async stop() {
      clearInterval(timer);
      const atRest = (socket) =>
        new Promise((resolve) => {
          const reading = id + 2;
          socket.ws.onmessage = (event) => {
            const { id: answered, result } = JSON.parse(event.data);
            if (answered === reading && result?.usedSize !== undefined) resolve(result.usedSize);
          };
          socket.ws.send(JSON.stringify({ id: ++id, ...FULL_COLLECTION }));
          socket.ws.send(JSON.stringify({ id: ++id, method: "Runtime.getHeapUsage" }));
          setTimeout(resolve, 30000, undefined);
        });
      for (const socket of sockets.filter((s) => s && live.includes(s.name))) {
        const readings = [];
        for (let round = 0; round < 3; round++) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          readings.push(await atRest(socket));
        }
        const peak = peaks.get(socket.name);
        const answered = readings.filter((r) => r !== undefined);
        if (peak && answered.length > 0) peak.after = Math.min(...answered);
      }
      for (const socket of sockets) socket?.ws.close();
      return peaks;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--papaparse")
  await papaparseChild(process.argv[3]);
