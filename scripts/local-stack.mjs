// The local stack: two `wrangler dev` processes on persistent local state, CONFIG_DB's migrations
// applied and a tenant seeded. One runs every Worker but the store (so queues cross between
// them), the other the store Worker (apps/cdp-store), whose objects the first reaches over
// wrangler's dev registry, as deployed Workers reach objects that run elsewhere: locally too the
// store's SQLite work then runs beside the rest, not on the same thread. Used by `npm start` and
// by the benchmarks.
import { spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { createTenant, migrateLocal } from "./admin.mjs";
import { APPS, configPath, PERSIST_DIR, ROOT, WRANGLER } from "./lib.mjs";

const STORE = "cdp-store";

/** Starts one `wrangler dev` of `apps` in a process group of its own. */
function startDev(apps, { port, persistTo, output, env }) {
  const args = ["dev", ...apps.flatMap((app) => ["-c", configPath(app)])];
  args.push("--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistTo, "--test-scheduled");
  args.push("--show-interactive-dev-session=false");
  const dev = spawn(WRANGLER, args, { cwd: ROOT, stdio: ["ignore", output, output], detached: true, env });
  const kill = (signal) => {
    try {
      process.kill(-dev.pid, signal);
    } catch {}
  };
  process.on("exit", () => kill("SIGKILL"));
  const exited = new Promise((resolve) => dev.on("exit", resolve));
  return { dev, kill, exited };
}

/** Waits until `url` answers `ready(response)`, or the process ends, or two minutes pass. */
async function waitFor(url, ready, { dev, kill }, what) {
  const started = Date.now();
  for (;;) {
    try {
      if (ready(await fetch(url))) return;
    } catch {}
    if (dev.exitCode !== null) throw new Error(`wrangler dev of ${what} exited with ${dev.exitCode}`);
    if (Date.now() - started > 120_000) {
      kill("SIGKILL");
      throw new Error(`${what} did not answer within 120 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts the stack and resolves once the store answers and /v1/health does. `stop()` ends both
 * wrangler processes and their workerd (each in its own process group), leaving no process
 * behind. wrangler's output goes to `logFile` when one is given (written afresh), else to this
 * process's unless `quiet`. `env` adds to the Workers' environment (X_LOCAL_OBSERVABILITY=false
 * for the benchmarks, say).
 */
export async function startLocalStack({
  port = 8787,
  persistTo = PERSIST_DIR,
  tenant = "demo",
  apiKey = "dev_key_local",
  quiet = false,
  logFile = undefined,
  log = () => {},
  env = {},
} = {}) {
  log("applying D1 migrations");
  await migrateLocal(persistTo);
  log(`seeding tenant ${tenant}`);
  await createTenant({ id: tenant, name: tenant, key: apiKey, persistTo, migrate: false });

  let output = quiet ? "ignore" : "inherit";
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    output = openSync(logFile, "w");
  }
  const common = {
    persistTo,
    output,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      // No Worker reads request.cf: its placeholder spares a call to the internet at each start.
      CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
      // The two processes find each other here, and no other stack's Workers of the same names.
      WRANGLER_REGISTRY_PATH: `${persistTo}/registry`,
      ...env,
    },
  };
  const started = Date.now();
  const store = startDev([STORE], { ...common, port: port + 1000 });
  const stopAll = async () => {
    for (const p of [main, store]) p?.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const p of [main, store]) p?.kill("SIGKILL");
    }, 5000);
    await Promise.all([main?.exited, store.exited]);
    clearTimeout(timer);
  };
  let main;
  try {
    // The store answers 404 to anything but its bindings: that it answers is enough.
    await waitFor(`http://127.0.0.1:${port + 1000}/`, (res) => res.status === 404, store, "the store Worker");
    main = startDev(
      APPS.filter((app) => app !== STORE),
      { ...common, port },
    );
    await waitFor(`http://127.0.0.1:${port}/v1/health`, (res) => res.ok, main, "the Workers");
  } catch (err) {
    await stopAll();
    throw err;
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    /** The wrangler processes: their workerd are their children. */
    pids: [main.dev.pid, store.dev.pid],
    readyInMs: Date.now() - started,
    /** Ends when either process ends, with its exit code. */
    exited: Promise.race([main.exited, store.exited]),
    stop: stopAll,
  };
}
