import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createTestHarness, type TestHarness, type TestHarnessOptions } from "wrangler";
import { APPS_BY_NAME } from "./apps";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export const TEST_SECRETS = {
  SECRETS_KEYS: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  UPLOAD_SIGNING_SECRET: "e2e-upload-signing-secret",
  SESSION_SECRET: "e2e-dashboard-session-secret",
};

export interface StackOptions {
  /** Vars per app folder name, over those of its wrangler.jsonc. */
  vars?: Partial<Record<keyof typeof APPS_BY_NAME, Record<string, string>>>;
  /** Workers of a test itself, run next to the product's (one that holds a queue producer, say). */
  workers?: TestHarnessOptions["workers"];
}

export interface Stack {
  server: TestHarness;
  url: URL;
  close(): Promise<void>;
  /** Creates a tenant and an API key for it, as scripts/admin.mjs does. */
  createTenant(id: string, key: string): Promise<void>;
}

/**
 * Every Worker of the product in one Miniflare (wrangler's test harness), with real queues, D1
 * and R2 crossing between them, the store's migrations applied and private sources allowed (the
 * test servers are on loopback).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const server = createTestHarness({
    root: ROOT,
    workers: [
      ...Object.keys(APPS_BY_NAME).map((app) => ({
        configPath: `apps/${app}/wrangler.jsonc`,
        vars: { ALLOW_PRIVATE_SOURCES: "true", ...options.vars?.[app as keyof typeof APPS_BY_NAME] },
        secrets: TEST_SECRETS,
      })),
      ...(options.workers ?? []),
    ],
  });
  const { url } = await server.listen();
  const api = server.getWorker("cdp-config-api");
  await api.applyD1Migrations("CONFIG_DB");
  await api.applyD1Migrations("CDP_DB");
  return {
    server,
    url,
    close: () => server.close(),
    async createTenant(id, key) {
      const env = await api.getEnv();
      const now = new Date().toISOString();
      const db = env.CONFIG_DB as D1Like;
      await db
        .prepare("INSERT INTO tenants (id, name, created_at) VALUES (?1, ?1, ?2) ON CONFLICT DO NOTHING")
        .bind(id, now)
        .run();
      await db
        .prepare(
          "INSERT INTO api_keys (key_hash, tenant_id, prefix, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )
        .bind(createHash("sha256").update(key).digest("hex"), id, key.slice(0, 8), now)
        .run();
    },
  };
}

interface D1Like {
  prepare(sql: string): { bind(...values: unknown[]): { run(): Promise<unknown> } };
}
