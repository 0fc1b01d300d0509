#!/usr/bin/env node
// Tenants and their API keys. Run it as `npm run admin -- <command>` (npm runs it on the project's
// Node 22, which wrangler needs):
//   create-tenant <id> [--name "Acme"] [--key <key>] [--shards N] [--remote]
//   delete-tenant <id> [--url <API base>] [--remote] [--yes]
// create-tenant writes CONFIG_DB through wrangler (the local one, migrated first, or the deployed
// one with --remote). Without --key a random key is generated and printed once; only its SHA-256
// is stored. delete-tenant asks the running API's operator route (DELETE /admin/tenants/<id>,
// with ADMIN_TOKEN) to delete the tenant's CDP data, files and configuration.
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import {
  configPath,
  newApiKey,
  PERSIST_DIR,
  ROOT,
  readDevVars,
  run,
  sha256Hex,
  sql,
  WRANGLER,
} from "./lib.mjs";

/** Data shards of a tenant unless --shards says: see README, Capacity. */
export const DEFAULT_SHARDS = 4;

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Applies CONFIG_DB's migrations to the local state (none when it is up to date). */
export async function migrateLocal(persistTo = PERSIST_DIR) {
  await run(
    WRANGLER,
    [
      "d1",
      "migrations",
      "apply",
      "cdp-config",
      "--local",
      "--persist-to",
      persistTo,
      "-c",
      configPath("config-api"),
    ],
    { env: { ...process.env, CI: "true" } },
  );
}

/** Creates the tenant if new and registers a key for it; returns the key. */
export async function createTenant({
  id,
  name = id,
  key = newApiKey(),
  shards = DEFAULT_SHARDS,
  remote = false,
  persistTo = PERSIST_DIR,
  migrate = !remote,
}) {
  if (!TENANT_ID.test(id))
    throw new Error(
      `tenant id '${id}' must be 1 to 63 lowercase letters, digits, - or _, starting with a letter or digit`,
    );
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024 || (shards & (shards - 1)) !== 0)
    throw new Error(`--shards must be a power of two from 1 to 1024; got ${shards}`);
  if (migrate) await migrateLocal(persistTo);
  const now = new Date().toISOString();
  const statements = [
    `INSERT INTO tenants (id, name, shards, created_at) VALUES (${sql(id)}, ${sql(name)}, ${shards}, ${sql(now)}) ON CONFLICT (id) DO NOTHING;`,
    `INSERT INTO api_keys (key_hash, tenant_id, prefix, created_at) VALUES (${sql(sha256Hex(key))}, ${sql(id)}, ${sql(key.slice(0, 8))}, ${sql(now)}) ON CONFLICT (key_hash) DO NOTHING;`,
  ];
  const target = remote ? ["--remote"] : ["--local", "--persist-to", persistTo];
  await run(WRANGLER, [
    "d1",
    "execute",
    "cdp-config",
    ...target,
    "-c",
    configPath("config-api"),
    "--command",
    statements.join(" "),
  ]);
  return key;
}

/**
 * Deletes a tenant through the API's operator route: its keys stop working, its runs are
 * cancelled, and its CDP data (every shard), files and configuration are deleted. Answers what
 * was deleted.
 */
export async function deleteTenant({ id, url, token }) {
  const res = await fetch(new URL(`/admin/tenants/${encodeURIComponent(id)}`, url), {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}` },
  }).catch((err) => {
    throw new Error(`the API at ${url} did not answer (${err.cause?.code ?? err.message}): is it running?`);
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `the API answered ${res.status}`);
  return body.deleted;
}

const USAGE = `usage: npm run admin -- create-tenant <id> [--name "Acme"] [--key <key>] [--shards N] [--remote]
       npm run admin -- delete-tenant <id> [--url <API base>] [--remote] [--yes]`;

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: "string" },
      key: { type: "string" },
      shards: { type: "string" },
      remote: { type: "boolean", default: false },
      url: { type: "string" },
      yes: { type: "boolean", default: false },
    },
  });
  const [command, id, ...rest] = positionals;
  if (!id || rest.length > 0 || !["create-tenant", "delete-tenant"].includes(command ?? "")) {
    console.error(USAGE);
    process.exit(64);
  }
  if (command === "create-tenant") {
    const shards = values.shards === undefined ? DEFAULT_SHARDS : Number(values.shards);
    const key = await createTenant({ id, name: values.name, key: values.key, shards, remote: values.remote });
    console.log(`tenant ${id} is ready, with ${shards} data shards. Its API key (shown once): ${key}`);
    return;
  }
  const url =
    values.url ??
    process.env.CDP_API_URL ??
    (values.remote ? null : `http://127.0.0.1:${process.env.PORT ?? 8787}`);
  if (!url) throw new Error("--remote needs the deployed API's address: --url https://… (or CDP_API_URL)");
  const token =
    process.env.ADMIN_TOKEN ??
    (values.remote ? null : readDevVars(`${ROOT}apps/config-api/.dev.vars`).ADMIN_TOKEN);
  if (!token)
    throw new Error("set ADMIN_TOKEN to the API's admin token (wrangler secret ADMIN_TOKEN of config-api)");
  if (!values.yes) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const closed = new Promise((resolve) => rl.once("close", () => resolve("")));
    const typed = await Promise.race([
      rl.question(`Delete tenant ${id} at ${url} and all its data? Type its id to confirm: `),
      closed,
    ]);
    rl.close();
    if (typed.trim() !== id)
      throw new Error("not confirmed (type the tenant's id, or add --yes): nothing was deleted");
  }
  const deleted = await deleteTenant({ id, url, token });
  console.log(
    `tenant ${id} is deleted: ${deleted.profiles} profiles, ${deleted.orders} orders and ${deleted.products} products from ${deleted.objects} store objects, ${deleted.files} files, and its configuration.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`admin: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
