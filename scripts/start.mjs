#!/usr/bin/env node
// `npm start`: the Workers in two `wrangler dev` processes (the store in one, every other Worker in
// the other, so queues cross between them), with persistent local state under .wrangler/state,
// migrations applied and tenant `demo` seeded.
// It prints what a person needs (the URLs, how to sign in, one line per service) and keeps
// wrangler's own output, every request included, in a log file whose path it prints.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { startFakeEgoi } from "../test/fakes/egoi.mjs";
import { seedDemo } from "./demo.mjs";
import { ensureDevVars, ROOT } from "./lib.mjs";
import { startLocalStack } from "./local-stack.mjs";

const port = Number(process.env.PORT ?? 8787);
const apiKey = process.env.DEV_API_KEY || "dev_key_local";
const base = `http://127.0.0.1:${port}`;
const logFile = `${ROOT}.wrangler/logs/npm-start.log`;
const shownLog = relative(process.cwd(), logFile) || logFile;
const log = (line) => console.log(`[start] ${line}`);

/** The end of wrangler's log, for when it stops or fails: the reason is there. */
function logTail(lines = 20) {
  if (!existsSync(logFile)) return "";
  return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

// The demo's E-goi import talks to the fake E-goi API, unless EGOI_API_BASE names a real one.
let egoiBase = process.env.EGOI_API_BASE;
let egoiNote = `E-goi API ${egoiBase}`;
if (!egoiBase) {
  const fake = await startFakeEgoi({ port: Number(process.env.EGOI_FAKE_PORT ?? 8788), lists: { 321: 40 } });
  egoiBase = fake.url;
  egoiNote = `the fake E-goi API on ${fake.url}`;
}
// Local runs may read files from this machine's own servers (loopback).
ensureDevVars({ ALLOW_PRIVATE_SOURCES: "true", EGOI_API_BASE: egoiBase });

log(`starting the Workers; wrangler's output goes to ${shownLog}`);
let stack;
try {
  stack = await startLocalStack({ port, apiKey, log, logFile });
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  const tail = logTail();
  if (tail) console.log(`\nThe end of ${shownLog}:\n${tail}`);
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
    log(`wrangler dev exited with ${code}; the end of ${shownLog}:`);
    console.log(logTail());
    process.exit(1);
  }
});

if (!stopping) {
  log(`ready in ${(stack.readyInMs / 1000).toFixed(1)} s`);
  let demo = "demo imports not seeded (SEED_DEMO=false)";
  if (process.env.SEED_DEMO !== "false") {
    try {
      demo = await seedDemo(base, apiKey);
    } catch (err) {
      demo = `could not seed the demo imports: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  // The key itself only when it is the well-known local one; one from DEV_API_KEY stays there.
  const key = apiKey === "dev_key_local" ? apiKey : "$DEV_API_KEY";
  console.log(`
  Dashboard      ${base}/
                 sign in with tenant demo's API key: paste ${key}
  API            ${base}/v1   with the header Authorization: Bearer ${key}
  API reference  ${base}/docs
  OpenAPI        ${base}/v1/openapi.json
  Health         ${base}/v1/health
  Cron, by hand  ${base}/__scheduled?cron=*/15+*+*+*+*

  Services (one wrangler dev for the store, one for every other Worker)
    config-api   the API, its schedules, and the front door of the dashboard and the uploads
    dashboard    the web UI: Collect > Data Imports
    ingest       signed uploads; opens each run's source and cuts its file into chunks
    transform    reads the chunks and writes profiles, orders and products
    egoi-sync    pages E-goi contact lists, from ${egoiNote}
    webhooks     tells the tenants' endpoints when a run ends
    cdp-store    the profiles, orders and products: each tenant's shards, SQLite objects

  ${demo}
  Try: curl -H "Authorization: Bearer ${key}" ${base}/v1/imports
       CDP_API_KEY=${key} npm exec -- cdp-import imports list
  Log: ${shownLog} (wrangler's output, every request)
  Stop with Ctrl-C.
`);
}
