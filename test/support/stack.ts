import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { shardName } from "@cdp/cdp-store/names";
import { createTestHarness, type TestHarness, type TestHarnessOptions } from "wrangler";
import { APPS_BY_NAME } from "./apps";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export const TEST_SECRETS = {
  SECRETS_KEYS: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  UPLOAD_SIGNING_SECRET: "e2e-upload-signing-secret",
  ADMIN_TOKEN: "e2e-admin-token",
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
  /** Creates a tenant and an API key for it, as scripts/admin.mjs does (with `shards` data shards). */
  createTenant(id: string, key: string, shards?: number): Promise<void>;
  /** What a tenant's store shards hold, counted in each shard's own SQLite database. */
  storeCounts(tenantId: string): Promise<StoreCounts>;
}

/** Rows of a tenant's CDP data: the sum over its identity shard and its data shards. */
export interface StoreCounts {
  profiles: number;
  ids: number;
  orders: number;
  lineItems: number;
  products: number;
  /** Rows per data shard: orders + products. */
  perShard: number[];
}

/**
 * Every Worker of the product in one Miniflare (wrangler's test harness), with real queues, D1,
 * R2 and the store's Durable Objects crossing between them, CONFIG_DB's migrations applied and
 * private sources allowed (the test servers are on loopback).
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
  return {
    server,
    url,
    close: () => server.close(),
    async createTenant(id, key, shards = 4) {
      const env = await api.getEnv();
      const now = new Date().toISOString();
      const db = env.CONFIG_DB as D1Like;
      await db
        .prepare(
          "INSERT INTO tenants (id, name, shards, created_at) VALUES (?1, ?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )
        .bind(id, shards, now)
        .run();
      await db
        .prepare(
          "INSERT INTO api_keys (key_hash, tenant_id, prefix, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )
        .bind(createHash("sha256").update(key).digest("hex"), id, key.slice(0, 8), now)
        .run();
    },
    async storeCounts(tenantId) {
      const env = await api.getEnv();
      const tenant = await (env.CONFIG_DB as D1Like)
        .prepare("SELECT shards FROM tenants WHERE id = ?1")
        .bind(tenantId)
        .first<{ shards: number }>();
      const store = server.getWorker(APPS_BY_NAME["cdp-store"]);
      const count = async (name: string, sql: string) => {
        const handle = await store.getDurableObjectStorage("CdpShard", { name });
        const [row] = (await handle.exec(sql)) as { n: number | null }[];
        return row?.n ?? 0;
      };
      const identity = shardName(tenantId, "identity");
      const counts: StoreCounts = {
        profiles: await count(identity, "SELECT COUNT(*) AS n FROM profiles"),
        ids: await count(identity, "SELECT COUNT(*) AS n FROM profile_ids"),
        orders: 0,
        lineItems: 0,
        products: 0,
        perShard: [],
      };
      for (let n = 0; n < (tenant?.shards ?? 0); n++) {
        const name = shardName(tenantId, n);
        const orders = await count(name, "SELECT COUNT(*) AS n FROM orders");
        const products = await count(name, "SELECT COUNT(*) AS n FROM products");
        counts.orders += orders;
        counts.products += products;
        counts.lineItems += await count(name, "SELECT SUM(lines) AS n FROM orders");
        counts.perShard.push(orders + products);
      }
      return counts;
    },
  };
}

interface D1Like {
  prepare(sql: string): {
    bind(...values: unknown[]): { run(): Promise<unknown>; first<T>(): Promise<T | null> };
  };
}
