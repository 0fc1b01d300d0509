/**
 * Which object holds what. A tenant's data lives in objects of its own, never shared:
 *
 * - its identity shard: profiles, their ids and the merges between them;
 * - its data shards 0 … S−1: orders (each with its line items, in one row) and products, each
 *   in the shard `shardOf(id, S)`.
 *
 * S is the tenant's `shards` in CONFIG_DB, a power of two fixed when the tenant is created.
 * Names are built here and only here, from a tenant id the caller read from its own state (the
 * API key's tenant, a run's row), never from request input.
 */

/** Tenant ids as scripts/admin.mjs creates them; anything else never names an object. */
export const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The most shards a tenant may have. */
export const MAX_SHARDS = 1024;

export type ShardRef = "identity" | number;

export interface ShardAddress {
  tenantId: string;
  shard: ShardRef;
}

export function isShardCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_SHARDS && (n & (n - 1)) === 0;
}

/** The name of a tenant's object: `cdp/<tenant>/identity` or `cdp/<tenant>/data/<n>`. */
export function shardName(tenantId: string, shard: ShardRef): string {
  if (!TENANT_ID.test(tenantId)) throw new Error(`not a tenant id: ${JSON.stringify(tenantId)}`);
  if (shard === "identity") return `cdp/${tenantId}/identity`;
  if (!Number.isInteger(shard) || shard < 0 || shard >= MAX_SHARDS)
    throw new Error(`not a shard number: ${shard}`);
  return `cdp/${tenantId}/data/${shard}`;
}

const NAME = /^cdp\/([a-z0-9][a-z0-9_-]{0,62})\/(?:identity|data\/(\d{1,4}))$/;

/** The address an object's own name gives it, or null for a name shardName never builds. */
export function parseShardName(name: string | undefined): ShardAddress | null {
  const match = name ? NAME.exec(name) : null;
  if (!match?.[1]) return null;
  return { tenantId: match[1], shard: match[2] === undefined ? "identity" : Number(match[2]) };
}

/**
 * A 53-bit hash of text (two multiply-xor lanes over its UTF-16 code units, then an avalanche),
 * as a safe JavaScript integer, so SQLite stores it in at most 8 bytes. Not cryptographic. It is
 * stored (buyer keys, version hashes) and picks shards: it must never change.
 */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The data shard of an order or product id among `shards`. */
export function shardOf(id: string, shards: number): number {
  return hash53(id) % shards;
}
