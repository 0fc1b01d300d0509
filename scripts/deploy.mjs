#!/usr/bin/env node
// `npm run deploy`: everything the product needs on the Cloudflare account wrangler is logged in
// to (`npx wrangler login`), made idempotently, then every Worker deployed in order.
//
// 1. It reads what the account has, with wrangler's own list commands: D1 databases, R2 buckets
//    and the bucket's event notification rules, queues, and each Worker's secrets (a Worker
//    without any answer does not exist yet).
// 2. It plans, from the Workers' wrangler.jsonc files, what is missing: the D1 database, the R2
//    bucket and its notification rule (object-create under tenants/ to the file-events queue),
//    every queue and dead-letter queue, and the secrets it can generate (the same value on every
//    Worker that names one: SECRETS_KEYS, UPLOAD_SIGNING_SECRET, ADMIN_TOKEN, SESSION_SECRET).
// 3. It creates what is missing, applies CONFIG_DB's migrations, and deploys the Workers: the
//    store first (its Durable Object class, whose migrations wrangler applies), then the ones
//    that bind it, config-api and the dashboard last (they bind each other: on a new account
//    config-api goes first without its dashboard binding, and again at the end).
//
// `npm run deploy -- --plan` prints the plan and changes nothing. Database ids are never pasted
// into the wrangler.jsonc files: each Worker is deployed from a copy with the account's ids, under
// .wrangler/deploy/. A generated secret is printed once (ADMIN_TOKEN: keep it for
// `npm run admin -- delete-tenant`); a secret that some Workers have and others lack cannot be
// read back, so its value must come from the environment (SECRETS_KEYS=... npm run deploy).
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { APPS, configPath, portableConfig, ROOT, run, WRANGLER } from "./lib.mjs";

/**
 * The order of deployment: the store before the Workers that bind its class; the Workers
 * config-api binds (ingest, the inbox, the dashboard) before it.
 */
export const DEPLOY_ORDER = [
  "cdp-store",
  "ingest",
  "transform",
  "egoi-sync",
  "webhooks",
  "s3-inbox",
  "dashboard",
  "config-api",
];

/** R2's object-create events (what `--event-type object-create` asks for). */
const OBJECT_CREATE = ["PutObject", "CopyObject", "CompleteMultipartUpload"];

/** What the Workers' configurations ask of the account. */
export function desiredResources(configs) {
  const d1 = new Map();
  const buckets = new Set();
  const queues = new Set();
  const secrets = new Map();
  const workers = new Map();
  for (const [app, config] of Object.entries(configs)) {
    workers.set(app, config.name);
    for (const db of config.d1_databases ?? []) {
      const entry = d1.get(db.database_name) ?? { name: db.database_name, migrationsFrom: null };
      if (db.migrations_dir && !entry.migrationsFrom) entry.migrationsFrom = app;
      d1.set(db.database_name, entry);
    }
    for (const bucket of config.r2_buckets ?? []) buckets.add(bucket.bucket_name);
    for (const p of config.queues?.producers ?? []) queues.add(p.queue);
    for (const c of config.queues?.consumers ?? []) {
      queues.add(c.queue);
      if (c.dead_letter_queue) queues.add(c.dead_letter_queue);
    }
    for (const name of config.secrets?.required ?? []) secrets.set(name, [...(secrets.get(name) ?? []), app]);
  }
  return {
    d1: [...d1.values()],
    buckets: [...buckets],
    queues: [...queues].sort(),
    // Uploads and inbox files start the imports that watch them (see README, "Deploy").
    notification: { bucket: [...buckets][0], queue: "cdp-import-file-events", prefix: "tenants/" },
    secrets,
    workers,
  };
}

// Reading wrangler's answers -------------------------------------------------------------------

/** The rows of a table that wrangler drew with box characters: one object per row, by its header. */
export function parseTable(text) {
  const lines = text.split("\n").filter((line) => line.startsWith("│"));
  const cells = (line) =>
    line
      .slice(1, -1)
      .split("│")
      .map((cell) => cell.trim());
  const [head, ...rows] = lines.map(cells);
  if (!head) return [];
  return rows.map((row) => Object.fromEntries(head.map((name, i) => [name, row[i] ?? ""])));
}

/** Blocks of `label: value` lines, separated by blank lines, as objects. */
export function parseLabelled(text) {
  const blocks = [];
  let block = null;
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+):\s+(.*)$/.exec(line.trim());
    if (!match) {
      if (line.trim() === "" && block) {
        blocks.push(block);
        block = null;
      }
      continue;
    }
    block ??= {};
    block[match[1]] = match[2].trim();
  }
  if (block) blocks.push(block);
  return blocks;
}

/** The first JSON array in a command's output (after wrangler's banner, if any). */
function jsonArray(text) {
  const at = text.indexOf("[");
  return at < 0 ? [] : JSON.parse(text.slice(at));
}

/**
 * What the account has, from the outputs of wrangler's list commands: `d1` (d1 list --json),
 * `buckets` (r2 bucket list), `queues` (queues list), `notifications` (r2 bucket notification
 * list, null when the bucket is missing), `secrets` by app (secret list: null when the Worker
 * does not exist).
 */
export function parseState(outputs) {
  return {
    d1: new Map(jsonArray(outputs.d1).map((db) => [db.name, db.uuid])),
    buckets: new Set(parseLabelled(outputs.buckets).map((b) => b.name)),
    queues: new Set(parseTable(outputs.queues).map((q) => q.name)),
    notifications: outputs.notifications === null ? [] : parseLabelled(outputs.notifications),
    secrets: new Map(
      Object.entries(outputs.secrets).map(([app, out]) => [
        app,
        out === null ? null : new Set(jsonArray(out).map((s) => s.name)),
      ]),
    ),
  };
}

// The plan -------------------------------------------------------------------------------------

const generators = {
  SECRETS_KEYS: () => `k1:${randomBytes(32).toString("base64")}`,
};
const generate = (name) => (generators[name] ?? (() => randomBytes(32).toString("base64url")))();

/**
 * The steps that bring the account to what the configurations ask, in order, and the problems
 * that stop it: `{ steps, problems }`. `values` are secrets given in the environment.
 */
export function planDeploy(desired, state, values = {}) {
  const steps = [];
  const problems = [];
  for (const db of desired.d1) if (!state.d1.has(db.name)) steps.push({ kind: "create-d1", name: db.name });
  for (const bucket of desired.buckets)
    if (!state.buckets.has(bucket)) steps.push({ kind: "create-bucket", name: bucket });
  for (const queue of desired.queues)
    if (!state.queues.has(queue)) steps.push({ kind: "create-queue", name: queue });
  const { bucket, queue, prefix } = desired.notification;
  // A rule of the queue covers the prefix when its own is the same, shorter, or every prefix.
  const hasRule = state.notifications.some(
    (rule) =>
      rule.queue_name === queue &&
      (rule.prefix === "(all prefixes)" || prefix.startsWith(rule.prefix ?? "")) &&
      OBJECT_CREATE.every((action) => rule.event_type?.split(",").includes(action)),
  );
  if (!hasRule) steps.push({ kind: "create-notification", bucket, queue, prefix });
  for (const db of desired.d1) steps.push({ kind: "migrate-d1", name: db.name, app: db.migrationsFrom });

  // Secrets: every Worker that names one gets the same value.
  const secretsOf = new Map();
  for (const [name, apps] of desired.secrets) {
    const lacking = apps.filter((app) => !state.secrets.get(app)?.has(name));
    if (lacking.length === 0) continue;
    let value = values[name];
    let generated = false;
    if (value === undefined) {
      if (lacking.length < apps.length) {
        const having = apps.filter((app) => !lacking.includes(app));
        problems.push(
          `${name} is set on ${having.join(", ")} but not on ${lacking.join(", ")}, and a secret cannot be read back: run again with ${name}=<its value> in the environment.`,
        );
        continue;
      }
      value = generate(name);
      generated = true;
    }
    for (const app of lacking) secretsOf.set(app, { ...secretsOf.get(app), [name]: { value, generated } });
  }

  const exists = (app) => state.secrets.get(app) !== null && state.secrets.get(app) !== undefined;
  const order = DEPLOY_ORDER.filter((app) => desired.workers.has(app));
  const unknown = [...desired.workers.keys()].filter((app) => !DEPLOY_ORDER.includes(app));
  if (unknown.length > 0) problems.push(`no place in the deploy order for ${unknown.join(", ")}`);
  // config-api and the dashboard bind each other: a new config-api goes first without the binding.
  const firstApi = !exists("config-api") && !exists("dashboard");
  for (const app of order) {
    if (app === "dashboard" && firstApi)
      steps.push({
        kind: "deploy",
        app: "config-api",
        secrets: secretsOf.get("config-api") ?? {},
        without: ["DASHBOARD"],
      });
    steps.push({
      kind: "deploy",
      app,
      secrets: app === "config-api" && firstApi ? {} : (secretsOf.get(app) ?? {}),
    });
  }
  return { steps, problems };
}

/** A step in words, for the plan and the log. */
export function describe(step) {
  switch (step.kind) {
    case "create-d1":
      return `create the D1 database ${step.name}`;
    case "create-bucket":
      return `create the R2 bucket ${step.name}`;
    case "create-queue":
      return `create the queue ${step.name}`;
    case "create-notification":
      return `send object-create events of ${step.bucket} under ${step.prefix} to the queue ${step.queue}`;
    case "migrate-d1":
      return `apply the migrations of ${step.name}`;
    case "deploy": {
      const secrets = Object.keys(step.secrets);
      return `deploy ${step.app}${step.without ? ` without its ${step.without.join(", ")} binding (first deploy)` : ""}${secrets.length ? ` with the secrets ${secrets.join(", ")}` : ""}`;
    }
    default:
      return JSON.stringify(step);
  }
}

// Doing it -------------------------------------------------------------------------------------

const wrangler = (args) => run(WRANGLER, args, { env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });

/** Runs wrangler; answers its output, or null when it fails (a list of a missing Worker or bucket). */
const tryWrangler = (args) => wrangler(args).catch(() => null);

async function readState(desired) {
  const secrets = {};
  for (const app of desired.workers.keys())
    secrets[app] = await tryWrangler(["secret", "list", "-c", configPath(app)]);
  return parseState({
    d1: await wrangler(["d1", "list", "--json"]),
    buckets: await wrangler(["r2", "bucket", "list"]),
    queues: await wrangler(["queues", "list"]),
    notifications: await tryWrangler(["r2", "bucket", "notification", "list", desired.notification.bucket]),
    secrets,
  });
}

/** A copy of a Worker's configuration with the account's ids and absolute paths, to deploy from. */
function deployConfig(app, config, d1Ids, without = []) {
  const out = structuredClone(config);
  for (const db of out.d1_databases ?? []) db.database_id = d1Ids.get(db.database_name);
  if (without.length > 0) out.services = (out.services ?? []).filter((s) => !without.includes(s.binding));
  const dir = join(ROOT, ".wrangler", "deploy", app);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "wrangler.json");
  writeFileSync(path, JSON.stringify(out, null, 2));
  return path;
}

async function main() {
  const planOnly = process.argv.includes("--plan");
  try {
    await wrangler(["whoami"]);
  } catch {
    throw new Error("wrangler is not logged in to an account: run `npx wrangler login` first");
  }
  const configs = Object.fromEntries(APPS.map((app) => [app, portableConfig(app)]));
  const desired = desiredResources(configs);
  const state = await readState(desired);
  const values = Object.fromEntries(
    [...desired.secrets.keys()].flatMap((n) => (process.env[n] ? [[n, process.env[n]]] : [])),
  );
  const { steps, problems } = planDeploy(desired, state, values);
  console.log("The plan:");
  for (const step of steps) console.log(`  - ${describe(step)}`);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`deploy: ${problem}`);
    process.exit(1);
  }
  if (planOnly) return;
  const d1Ids = new Map(state.d1);
  const printed = new Set();
  for (const step of steps) {
    console.log(`> ${describe(step)}`);
    if (step.kind === "create-d1") {
      await wrangler(["d1", "create", step.name]);
      const listed = JSON.parse((await wrangler(["d1", "list", "--json"])).replace(/^[^[]*/, ""));
      d1Ids.set(step.name, listed.find((db) => db.name === step.name)?.uuid);
    } else if (step.kind === "create-bucket") await wrangler(["r2", "bucket", "create", step.name]);
    else if (step.kind === "create-queue") await wrangler(["queues", "create", step.name]);
    else if (step.kind === "create-notification")
      await wrangler([
        "r2",
        "bucket",
        "notification",
        "create",
        step.bucket,
        "--event-type",
        "object-create",
        "--queue",
        step.queue,
        "--prefix",
        step.prefix,
      ]);
    else if (step.kind === "migrate-d1") {
      const config = deployConfig(step.app, configs[step.app], d1Ids);
      await wrangler(["d1", "migrations", "apply", step.name, "--remote", "-c", config]);
    } else if (step.kind === "deploy") {
      const config = deployConfig(step.app, configs[step.app], d1Ids, step.without);
      const args = ["deploy", "-c", config];
      const secrets = Object.entries(step.secrets);
      if (secrets.length > 0) {
        const file = join(dirname(config), "secrets.json");
        writeFileSync(file, JSON.stringify(Object.fromEntries(secrets.map(([n, s]) => [n, s.value]))), {
          mode: 0o600,
        });
        args.push("--secrets-file", file);
        for (const [name, secret] of secrets)
          if (secret.generated && name === "ADMIN_TOKEN" && !printed.has(name)) {
            printed.add(name);
            console.log(
              `  ADMIN_TOKEN (shown once; npm run admin -- delete-tenant needs it): ${secret.value}`,
            );
          }
      }
      console.log(await wrangler(args));
      if (secrets.length > 0) writeFileSync(join(dirname(config), "secrets.json"), "{}");
    }
  }
  console.log("Deployed. Create a tenant with: npm run admin -- create-tenant <id> --remote");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`deploy: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
