import { sha256Hex } from "@cdp/core";
import type { Db } from "./db";
import { DELETE_TENANT_WEBHOOKS } from "./webhooks";

export interface Tenant {
  id: string;
  name: string;
  /** Data shards of the tenant's CDP store: a power of two, fixed when the tenant is created. */
  shards: number;
}

/** Data shards a tenant gets unless it is created with another number (see README, Capacity). */
export const DEFAULT_SHARDS = 4;

/** The tenant that owns `apiKey`, or null for an unknown or revoked key. */
export async function findTenantByApiKey(db: Db, apiKey: string): Promise<Tenant | null> {
  const keyHash = await sha256Hex(apiKey);
  return db
    .prepare(
      `SELECT t.id AS id, t.name AS name, t.shards AS shards FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
       WHERE k.key_hash = ?1 AND k.revoked_at IS NULL`,
    )
    .bind(keyHash)
    .first<Tenant>();
}

/** The tenant of this id, or null when there is none. */
export async function getTenant(db: Db, id: string): Promise<Tenant | null> {
  return db.prepare("SELECT id, name, shards FROM tenants WHERE id = ?1").bind(id).first<Tenant>();
}

/** Creates the tenant when it is new, and registers `apiKey` for it (stored only as its hash). */
export async function createTenantWithKey(
  db: D1Database,
  tenant: { id: string; name: string; shards?: number },
  apiKey: string,
  now: string,
): Promise<void> {
  const keyHash = await sha256Hex(apiKey);
  await db.batch([
    db
      .prepare(
        "INSERT INTO tenants (id, name, shards, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
      )
      .bind(tenant.id, tenant.name, tenant.shards ?? DEFAULT_SHARDS, now),
    db
      .prepare(
        `INSERT INTO api_keys (key_hash, tenant_id, prefix, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key_hash) DO NOTHING`,
      )
      .bind(keyHash, tenant.id, apiKey.slice(0, 8), now),
  ]);
}

/**
 * Stops a tenant being deleted from taking in anything new: its API keys and inbox keys stop
 * working (within their caches, 30 s) and its runs that have not ended are cancelled, so that their
 * chunks stop at the next one.
 */
export async function closeTenant(db: D1Database, tenantId: string, now: string): Promise<void> {
  await db.batch([
    db
      .prepare("UPDATE api_keys SET revoked_at = ?2 WHERE tenant_id = ?1 AND revoked_at IS NULL")
      .bind(tenantId, now),
    db
      .prepare("UPDATE inbox_keys SET revoked_at = ?2 WHERE tenant_id = ?1 AND revoked_at IS NULL")
      .bind(tenantId, now),
    db
      .prepare(
        `UPDATE runs SET status = 'cancelled', finished_at = ?2
         WHERE tenant_id = ?1 AND status IN ('queued', 'in_progress')`,
      )
      .bind(tenantId, now),
  ]);
}

/**
 * Every row of a tenant in CONFIG_DB, child tables first: its runs' chunks and issues, schedule
 * skips, webhooks (their events, sends and delivery log), runs, imports, uploads, the inbox's
 * multipart uploads and keys, API keys and the tenant itself. Its CDP data (profiles, orders,
 * products) is in its store shards, wiped apart (CdpStore.wipe), and its files in R2.
 */
export async function deleteTenantRows(db: D1Database, tenantId: string): Promise<void> {
  const runs = "SELECT id FROM runs WHERE tenant_id = ?1";
  const imports = "SELECT id FROM imports WHERE tenant_id = ?1";
  await db.batch(
    [
      `DELETE FROM run_chunks WHERE run_id IN (${runs})`,
      `DELETE FROM run_issues WHERE run_id IN (${runs})`,
      `DELETE FROM schedule_skips WHERE import_id IN (${imports})`,
      ...DELETE_TENANT_WEBHOOKS,
      "DELETE FROM runs WHERE tenant_id = ?1",
      "DELETE FROM imports WHERE tenant_id = ?1",
      "DELETE FROM uploads WHERE tenant_id = ?1",
      "DELETE FROM inbox_upload_parts WHERE upload_id IN (SELECT upload_id FROM inbox_uploads WHERE tenant_id = ?1)",
      "DELETE FROM inbox_uploads WHERE tenant_id = ?1",
      "DELETE FROM inbox_keys WHERE tenant_id = ?1",
      "DELETE FROM api_keys WHERE tenant_id = ?1",
      "DELETE FROM tenants WHERE id = ?1",
    ].map((sql) => db.prepare(sql).bind(tenantId)),
  );
}
