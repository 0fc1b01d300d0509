#!/usr/bin/env node
// Tenants and API keys, straight in CONFIG_DB through wrangler.
//   node scripts/admin.mjs create-tenant <id> [--name "Acme"] [--key <key>] [--remote]
// Without --key a random key is generated and printed once; only its SHA-256 is stored.
import { parseArgs } from "node:util";
import { configPath, newApiKey, PERSIST_DIR, run, sha256Hex, sql, WRANGLER } from "./lib.mjs";

/** Creates the tenant if new and registers a key for it; returns the key. */
export async function createTenant({
  id,
  name = id,
  key = newApiKey(),
  remote = false,
  persistTo = PERSIST_DIR,
}) {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(id))
    throw new Error(`tenant id '${id}' must be lowercase letters, digits, - or _`);
  const now = new Date().toISOString();
  const statements = [
    `INSERT INTO tenants (id, name, created_at) VALUES (${sql(id)}, ${sql(name)}, ${sql(now)}) ON CONFLICT (id) DO NOTHING;`,
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: "string" },
      key: { type: "string" },
      remote: { type: "boolean", default: false },
    },
  });
  const [command, id] = positionals;
  if (command !== "create-tenant" || !id) {
    console.error(
      'usage: node scripts/admin.mjs create-tenant <id> [--name "Acme"] [--key <key>] [--remote]',
    );
    process.exit(64);
  }
  const key = await createTenant({ id, name: values.name, key: values.key, remote: values.remote });
  console.log(`tenant ${id} is ready. Its API key (shown once): ${key}`);
}
