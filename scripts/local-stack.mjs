// The local stack: every Worker in one `wrangler dev` process (so queues cross between them),
// with persistent local state, CONFIG_DB's migrations applied and a tenant seeded. Used by
// `npm start` and by the benchmarks.
import { spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { createTenant, migrateLocal } from "./admin.mjs";
import { APPS, configPath, PERSIST_DIR, ROOT, WRANGLER } from "./lib.mjs";

/**
 * Starts the stack and resolves once /v1/health answers. `stop()` ends wrangler and workerd
 * (their own process group), leaving no process behind. wrangler's output goes to `logFile`
 * when one is given (written afresh), else to this process's unless `quiet`.
 */
export async function startLocalStack({
  port = 8787,
  persistTo = PERSIST_DIR,
  tenant = "demo",
  apiKey = "dev_key_local",
  quiet = false,
  logFile = undefined,
  log = () => {},
} = {}) {
  log("applying D1 migrations");
  await migrateLocal(persistTo);
  log(`seeding tenant ${tenant}`);
  await createTenant({ id: tenant, name: tenant, key: apiKey, persistTo, migrate: false });

  const args = ["dev", ...APPS.flatMap((app) => ["-c", configPath(app)])];
  args.push("--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistTo, "--test-scheduled");
  args.push("--show-interactive-dev-session=false");
  let output = quiet ? "ignore" : "inherit";
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    output = openSync(logFile, "w");
  }
  const dev = spawn(WRANGLER, args, {
    cwd: ROOT,
    stdio: ["ignore", output, output],
    detached: true,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      // No Worker reads request.cf: its placeholder spares a call to the internet at each start.
      CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
    },
  });
  const kill = (signal) => {
    try {
      process.kill(-dev.pid, signal);
    } catch {}
  };
  process.on("exit", () => kill("SIGKILL"));
  const exited = new Promise((resolve) => dev.on("exit", resolve));

  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(`${base}/v1/health`)).ok) break;
    } catch {}
    if (dev.exitCode !== null) throw new Error(`wrangler dev exited with ${dev.exitCode}`);
    if (Date.now() - started > 120_000) {
      kill("SIGKILL");
      throw new Error("the Workers did not answer /v1/health within 120 s");
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    pid: dev.pid,
    readyInMs: Date.now() - started,
    exited,
    async stop() {
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
