#!/usr/bin/env node
// `wrangler deploy --dry-run` of every Worker: it bundles each one as Cloudflare would and
// prints the bundle's size, failing when a Worker does not build.
import { APPS, configPath, ROOT, run, WRANGLER } from "./lib.mjs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const rows = [];
for (const app of APPS) {
  const out = await run(
    WRANGLER,
    ["deploy", "--dry-run", "-c", configPath(app), "--outdir", `${ROOT}.wrangler/dry-run/${app}`],
    { env },
  );
  const size = /Total Upload: ([\d.]+ KiB) \/ gzip: ([\d.]+ KiB)/.exec(out);
  if (!size) throw new Error(`no bundle size in the dry run of ${app}:\n${out}`);
  rows.push([app, size[1], size[2]]);
}
console.log("\nWorker bundles (wrangler deploy --dry-run)");
for (const [app, raw, gzip] of rows)
  console.log(`  ${app.padEnd(12)} ${raw.padStart(12)}   gzip ${gzip.padStart(12)}`);
