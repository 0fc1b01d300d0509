#!/usr/bin/env node
// `npm run deploy`: deploys every Worker to the Cloudflare account wrangler is logged in to.
// The D1 databases, R2 bucket and queues must exist first (see README, "Deploy").
import { configPath, run, WRANGLER } from "./lib.mjs";

// Workers that others bind to go first; config-api and the dashboard bind to each other, so
// config-api (the front door) is deployed once more at the end.
const ORDER = ["ingest", "transform", "egoi-sync", "dashboard", "config-api"];
for (const app of ORDER) {
  console.log(`deploying ${app}`);
  console.log(await run(WRANGLER, ["deploy", "-c", configPath(app)], { stdio: ["inherit", "pipe", "pipe"] }));
}
