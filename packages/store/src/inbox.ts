import { chunked, type Db } from "./db";

/** An inbox key as the API lists it: never its secret. */
export interface InboxKeyRecord {
  accessKeyId: string;
  description: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

interface InboxKeyRow {
  access_key_id: string;
  description: string | null;
  created_at: string;
  last_used_at: string | null;
}

const toKeyRecord = (row: InboxKeyRow): InboxKeyRecord => ({
  accessKeyId: row.access_key_id,
  description: row.description,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

export async function insertInboxKey(
  db: Db,
  key: {
    accessKeyId: string;
    tenantId: string;
    secretSealed: string;
    description: string | null;
    now: string;
  },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO inbox_keys (access_key_id, tenant_id, secret_sealed, description, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5)`,
    )
    .bind(key.accessKeyId, key.tenantId, key.secretSealed, key.description, key.now)
    .run();
}

/** The tenant's keys that work (not revoked), oldest first. */
export async function listInboxKeys(db: Db, tenantId: string): Promise<InboxKeyRecord[]> {
  const rows = await db
    .prepare(
      `SELECT access_key_id, description, created_at, last_used_at FROM inbox_keys
       WHERE tenant_id = ?1 AND revoked_at IS NULL ORDER BY created_at, access_key_id`,
    )
    .bind(tenantId)
    .all<InboxKeyRow>();
  return rows.results.map(toKeyRecord);
}

/** Revokes one of the tenant's keys; false when it has no such key that works. */
export async function revokeInboxKey(
  db: Db,
  tenantId: string,
  accessKeyId: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .prepare(
      "UPDATE inbox_keys SET revoked_at = ?3 WHERE access_key_id = ?1 AND tenant_id = ?2 AND revoked_at IS NULL",
    )
    .bind(accessKeyId, tenantId, now)
    .run();
  return result.meta.changes > 0;
}

/** A key that works, with its tenant and its sealed secret; null when unknown or revoked. */
export async function findInboxKey(
  db: Db,
  accessKeyId: string,
): Promise<{
  tenantId: string;
  tenantCreatedAt: string;
  secretSealed: string;
  lastUsedAt: string | null;
} | null> {
  const row = await db
    .prepare(
      `SELECT k.tenant_id, t.created_at AS tenant_created_at, k.secret_sealed, k.last_used_at
       FROM inbox_keys k JOIN tenants t ON t.id = k.tenant_id
       WHERE k.access_key_id = ?1 AND k.revoked_at IS NULL`,
    )
    .bind(accessKeyId)
    .first<{
      tenant_id: string;
      tenant_created_at: string;
      secret_sealed: string;
      last_used_at: string | null;
    }>();
  return row
    ? {
        tenantId: row.tenant_id,
        tenantCreatedAt: row.tenant_created_at,
        secretSealed: row.secret_sealed,
        lastUsedAt: row.last_used_at,
      }
    : null;
}

/** Records that a key was used, unless that was recorded after `since` already. */
export async function touchInboxKey(db: Db, accessKeyId: string, now: string, since: string): Promise<void> {
  await db
    .prepare(
      `UPDATE inbox_keys SET last_used_at = ?2
       WHERE access_key_id = ?1 AND (last_used_at IS NULL OR last_used_at < ?3)`,
    )
    .bind(accessKeyId, now, since)
    .run();
}

/** A multipart upload into a tenant's inbox. */
export interface InboxUpload {
  uploadId: string;
  tenantId: string;
  /** The key inside the inbox. */
  key: string;
  checksumAlgorithm: string | null;
  createdAt: string;
}

export interface InboxPart {
  partNumber: number;
  etag: string;
  size: number;
  checksum: string | null;
  uploadedAt: string;
}

interface PartRow {
  part_number: number;
  etag: string;
  size: number;
  checksum: string | null;
  uploaded_at: string;
}

const toPart = (row: PartRow): InboxPart => ({
  partNumber: row.part_number,
  etag: row.etag,
  size: row.size,
  checksum: row.checksum,
  uploadedAt: row.uploaded_at,
});

export async function insertInboxUpload(db: Db, upload: InboxUpload): Promise<void> {
  await db
    .prepare(
      `INSERT INTO inbox_uploads (upload_id, tenant_id, key, checksum_algorithm, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5)`,
    )
    .bind(upload.uploadId, upload.tenantId, upload.key, upload.checksumAlgorithm, upload.createdAt)
    .run();
}

/**
 * The tenant's upload of that id and key, with the bytes its parts hold so far but the part
 * `exceptPart` (the one being sent again, if any); null for another tenant's, another key's or none.
 */
export async function getInboxUpload(
  db: Db,
  tenantId: string,
  key: string,
  uploadId: string,
  exceptPart = 0,
): Promise<(InboxUpload & { bytes: number }) | null> {
  const row = await db
    .prepare(
      `SELECT u.upload_id, u.tenant_id, u.key, u.checksum_algorithm, u.created_at,
         (SELECT COALESCE(SUM(size), 0) FROM inbox_upload_parts p
          WHERE p.upload_id = u.upload_id AND p.part_number <> ?4) AS bytes
       FROM inbox_uploads u WHERE u.upload_id = ?1 AND u.tenant_id = ?2 AND u.key = ?3`,
    )
    .bind(uploadId, tenantId, key, exceptPart)
    .first<{
      upload_id: string;
      tenant_id: string;
      key: string;
      checksum_algorithm: string | null;
      created_at: string;
      bytes: number;
    }>();
  return row
    ? {
        uploadId: row.upload_id,
        tenantId: row.tenant_id,
        key: row.key,
        checksumAlgorithm: row.checksum_algorithm,
        createdAt: row.created_at,
        bytes: row.bytes,
      }
    : null;
}

/** Forgets an upload and its parts (completed or given up). */
export async function deleteInboxUpload(db: Db, uploadId: string): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM inbox_upload_parts WHERE upload_id = ?1").bind(uploadId),
    db.prepare("DELETE FROM inbox_uploads WHERE upload_id = ?1").bind(uploadId),
  ]);
}

/**
 * Forgets a tenant's uploads started before `before` with their parts: R2 gives up incomplete
 * multipart uploads after a week, so their ids no longer work.
 */
export async function pruneInboxUploads(db: Db, tenantId: string, before: string): Promise<void> {
  await db.batch([
    db
      .prepare(
        `DELETE FROM inbox_upload_parts WHERE upload_id IN
           (SELECT upload_id FROM inbox_uploads WHERE tenant_id = ?1 AND created_at < ?2)`,
      )
      .bind(tenantId, before),
    db.prepare("DELETE FROM inbox_uploads WHERE tenant_id = ?1 AND created_at < ?2").bind(tenantId, before),
  ]);
}

/** Records a part (a part sent again under its number replaces the earlier one). */
export async function recordInboxPart(db: Db, uploadId: string, part: InboxPart): Promise<void> {
  await db
    .prepare(
      `INSERT INTO inbox_upload_parts (upload_id, part_number, etag, size, checksum, uploaded_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT (upload_id, part_number) DO UPDATE SET
         etag = excluded.etag, size = excluded.size, checksum = excluded.checksum, uploaded_at = excluded.uploaded_at`,
    )
    .bind(uploadId, part.partNumber, part.etag, part.size, part.checksum, part.uploadedAt)
    .run();
}

/** Parts of an upload by number, after `after`, at most `limit`. */
export async function listInboxParts(
  db: Db,
  uploadId: string,
  after: number,
  limit: number,
): Promise<InboxPart[]> {
  const rows = await db
    .prepare(
      `SELECT part_number, etag, size, checksum, uploaded_at FROM inbox_upload_parts
       WHERE upload_id = ?1 AND part_number > ?2 ORDER BY part_number LIMIT ?3`,
    )
    .bind(uploadId, after, limit)
    .all<PartRow>();
  return rows.results.map(toPart);
}

/** A run that an inbox file started, with its import's name. */
export interface InboxFileRun {
  triggerKey: string;
  runId: string;
  importId: string;
  importName: string;
  status: string;
  /** Items of the run found invalid so far (a completed run with some is not all green). */
  itemsInvalid: number;
  createdAt: string;
}

/** The runs each of the tenant's trigger keys started (the object key and eTag of an inbox file). */
export async function runsStartedBy(
  db: Db,
  tenantId: string,
  triggerKeys: string[],
): Promise<InboxFileRun[]> {
  const out: InboxFileRun[] = [];
  for (const keys of chunked(triggerKeys, 1, 90)) {
    const placeholders = keys.map((_, i) => `?${i + 2}`).join(", ");
    const rows = await db
      .prepare(
        `SELECT r.trigger_key, r.id, r.import_id, i.name, r.status, r.created_at,
           (SELECT COALESCE(SUM(c.items_invalid), 0) FROM run_chunks c WHERE c.run_id = r.id) AS items_invalid
         FROM runs r JOIN imports i ON i.id = r.import_id
         WHERE r.tenant_id = ?1 AND r.trigger_key IN (${placeholders})
         ORDER BY r.created_at, r.id`,
      )
      .bind(tenantId, ...keys)
      .all<{
        trigger_key: string;
        id: string;
        import_id: string;
        name: string;
        status: string;
        created_at: string;
        items_invalid: number;
      }>();
    for (const row of rows.results) {
      out.push({
        triggerKey: row.trigger_key,
        runId: row.id,
        importId: row.import_id,
        importName: row.name,
        status: row.status,
        itemsInvalid: row.items_invalid,
        createdAt: row.created_at,
      });
    }
  }
  return out;
}
