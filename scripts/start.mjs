#!/usr/bin/env node
// `npm start`: every Worker in one `wrangler dev` process (so queues cross between them), with
// persistent local state under .wrangler/state, migrations applied and tenant `demo` seeded.
import { startFakeEgoi } from "../test/fakes/egoi.mjs";
import { seedDemo } from "./demo.mjs";
import { ensureDevVars } from "./lib.mjs";
import { startLocalStack } from "./local-stack.mjs";

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

let stack;
try {
  stack = await startLocalStack({ port, apiKey, log });
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${signal})`);
  await stack.stop();
  process.exit(0);
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
// If whatever started this script goes away (a killed terminal or npm), stop too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop("parent exited");
}, 1000).unref();
stack.exited.then((code) => {
  if (!stopping) {
    log(`wrangler dev exited with ${code}`);
    process.exit(1);
  }
});

if (!stopping) {
  log(`ready in ${(stack.readyInMs / 1000).toFixed(1)} s`);
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
