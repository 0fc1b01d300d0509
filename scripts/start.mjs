#!/usr/bin/env node
// `npm start`: every Worker in one `wrangler dev` process (so queues cross between them), with
// persistent local state under .wrangler/state, migrations applied and tenant `demo` seeded.
import { spawn } from "node:child_process";
import { startFakeEgoi } from "../test/fakes/egoi.mjs";
import { createTenant } from "./admin.mjs";
import { seedDemo } from "./demo.mjs";
import { APPS, configPath, ensureDevVars, PERSIST_DIR, ROOT, run, WRANGLER } from "./lib.mjs";

const port = Number(process.env.PORT ?? 8787);
const apiKey = process.env.DEV_API_KEY || "dev_key_local";
const base = `http://127.0.0.1:${port}`;
const log = (line) => console.log(`[start] ${line}`);

// The demo's E-goi import talks to the fake E-goi API, unless EGOI_API_BASE names a real one.
let egoiBase = process.env.EGOI_API_BASE;
if (!egoiBase) {
  const fake = await startFakeEgoi({ port: Number(process.env.EGOI_FAKE_PORT ?? 8788), lists: { 321: 40 } });
  egoiBase = fake.url;
  log(`fake E-goi API on ${fake.url}`);
}
// Local runs may read files from this machine's own servers (loopback).
ensureDevVars({ ALLOW_PRIVATE_SOURCES: "true", EGOI_API_BASE: egoiBase });

log("applying D1 migrations");
for (const db of ["cdp-config", "cdp-store"]) {
  await run(
    WRANGLER,
    ["d1", "migrations", "apply", db, "--local", "--persist-to", PERSIST_DIR, "-c", configPath("config-api")],
    {
      env: { ...process.env, CI: "true" },
    },
  );
}
log("seeding tenant demo");
await createTenant({ id: "demo", name: "Demo", key: apiKey });

const args = ["dev", ...APPS.flatMap((app) => ["-c", configPath(app)])];
args.push("--ip", "127.0.0.1", "--port", String(port), "--persist-to", PERSIST_DIR, "--test-scheduled");
args.push("--show-interactive-dev-session=false");
// Its own process group, so that stopping this script stops workerd and everything under it.
const dev = spawn(WRANGLER, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], detached: true });

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${signal})`);
  try {
    process.kill(-dev.pid, "SIGTERM");
  } catch {}
  setTimeout(() => {
    try {
      process.kill(-dev.pid, "SIGKILL");
    } catch {}
    process.exit(0);
  }, 5000).unref();
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("exit", () => {
  try {
    process.kill(-dev.pid, "SIGKILL");
  } catch {}
});
dev.on("exit", (code) => {
  if (!stopping) log(`wrangler dev exited with ${code}`);
  process.exit(stopping ? 0 : (code ?? 1));
});

const started = Date.now();
for (;;) {
  try {
    const res = await fetch(`${base}/v1/health`);
    if (res.ok) break;
  } catch {}
  if (Date.now() - started > 120_000) {
    log("the Workers did not answer within 120 s");
    stop("timeout");
    break;
  }
  await new Promise((r) => setTimeout(r, 250));
}
if (!stopping) {
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (process.env.SEED_DEMO !== "false") {
    try {
      const seeded = await seedDemo(base, apiKey);
      log(seeded);
    } catch (err) {
      log(`could not seed the demo imports: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  console.log(`
  Dashboard      ${base}/
  API            ${base}/v1   (key: ${apiKey === "dev_key_local" ? apiKey : "from DEV_API_KEY"})
  API reference  ${base}/docs
  OpenAPI        ${base}/v1/openapi.json
  Health         ${base}/v1/health
  Cron, by hand  ${base}/__scheduled?cron=*/15+*+*+*+*

  Try: curl -H "Authorization: Bearer ${apiKey === "dev_key_local" ? apiKey : "$DEV_API_KEY"}" ${base}/v1/imports
       CDP_API_KEY=${apiKey === "dev_key_local" ? apiKey : "$DEV_API_KEY"} node packages/cli/bin/cdp-import.mjs imports list
  Stop with Ctrl-C.
`);
}
