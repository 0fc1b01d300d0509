import { sha256Hex } from "@cdp/core";
import type { Db } from "./db";

export interface Tenant {
  id: string;
  name: string;
}

/** The tenant that owns `apiKey`, or null for an unknown or revoked key. */
export async function findTenantByApiKey(db: Db, apiKey: string): Promise<Tenant | null> {
  const keyHash = await sha256Hex(apiKey);
  return db
    .prepare(
      `SELECT t.id AS id, t.name AS name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
       WHERE k.key_hash = ?1 AND k.revoked_at IS NULL`,
    )
    .bind(keyHash)
    .first<Tenant>();
}

/** Creates the tenant when it is new, and registers `apiKey` for it (stored only as its hash). */
export async function createTenantWithKey(
  db: D1Database,
  tenant: Tenant,
  apiKey: string,
  now: string,
): Promise<void> {
  const keyHash = await sha256Hex(apiKey);
  await db.batch([
    db
      .prepare("INSERT INTO tenants (id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING")
      .bind(tenant.id, tenant.name, now),
    db
      .prepare(
        `INSERT INTO api_keys (key_hash, tenant_id, prefix, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key_hash) DO NOTHING`,
      )
      .bind(keyHash, tenant.id, apiKey.slice(0, 8), now),
  ]);
}
