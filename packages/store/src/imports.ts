import type {
  ImportFormat,
  ImportOptions,
  ImportType,
  RunStats,
  RunStatus,
  RunTrigger,
  Schedule,
  Source,
  Transformation,
} from "@cdp/core";
import { type Db, decodeCursor, encodeCursor } from "./db";

/** An import as stored: the configuration with its source's secrets sealed. */
export interface StoredImportConfig {
  name: string;
  type: ImportType;
  format: ImportFormat;
  source: Source;
  options: ImportOptions;
  transformations: Transformation[];
  schedule: Schedule | null;
}

export interface ImportRecord {
  id: string;
  tenantId: string;
  config: StoredImportConfig;
  consecutiveFailures: number;
  /** The last schedule slot skipped because a run was still going. */
  lastSkippedSlot: string | null;
  /** Why that slot was skipped. */
  lastSkippedReason: string | null;
  scheduleSetAt: string | null;
  hostKeySha256: string | null;
  createdAt: string;
  updatedAt: string;
  lastRun: LastRun | null;
}

/** The import's latest run, with what it did: enough to tell at a glance how the import is doing. */
export interface LastRun {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  dryRun: boolean;
  stats: RunStats;
  error: { code: string; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface ImportRow {
  id: string;
  tenant_id: string;
  config: string;
  consecutive_failures: number;
  last_skipped_slot: string | null;
  last_skipped_reason: string | null;
  schedule_set_at: string | null;
  host_key_sha256: string | null;
  created_at: string;
  updated_at: string;
  last_run_id: string | null;
  last_run_status: RunStatus | null;
  last_run_created_at: string | null;
  last_run_finished_at: string | null;
  last_run_started_at: string | null;
  last_run_trigger: RunTrigger | null;
  last_run_dry_run: number | null;
  last_run_error_code: string | null;
  last_run_error_message: string | null;
  /** The last run's counters summed over its chunks, as a JSON object of RunStats. */
  last_run_stats: string | null;
}

const SELECT_IMPORT = `
  SELECT i.id, i.tenant_id, i.config, i.host_key_sha256, i.created_at, i.updated_at, i.schedule_set_at,
         r.id AS last_run_id, r.status AS last_run_status, r.created_at AS last_run_created_at,
         r.finished_at AS last_run_finished_at, r.started_at AS last_run_started_at,
         r.trigger AS last_run_trigger, r.dry_run AS last_run_dry_run,
         r.error_code AS last_run_error_code, r.error_message AS last_run_error_message,
         (SELECT json_object('rowsRead', COALESCE(SUM(rows_read), 0), 'itemsRead', COALESCE(SUM(items_read), 0),
                 'itemsValid', COALESCE(SUM(items_valid), 0), 'itemsInvalid', COALESCE(SUM(items_invalid), 0),
                 'added', COALESCE(SUM(added), 0), 'updated', COALESCE(SUM(updated), 0),
                 'unchanged', COALESCE(SUM(unchanged), 0))
            FROM run_chunks WHERE run_id = r.id) AS last_run_stats,
         k.slot AS last_skipped_slot, k.reason AS last_skipped_reason,
         -- Scheduled runs that failed since the last one that completed.
         (SELECT COUNT(*) FROM runs f WHERE f.import_id = i.id AND f.trigger = 'schedule' AND f.status = 'failed'
            AND f.id > COALESCE((SELECT MAX(s.id) FROM runs s WHERE s.import_id = i.id AND s.trigger = 'schedule'
                                  AND s.status = 'completed'), '')) AS consecutive_failures
  FROM imports i
  LEFT JOIN runs r ON r.id = (SELECT id FROM runs WHERE import_id = i.id ORDER BY id DESC LIMIT 1)
  LEFT JOIN schedule_skips k ON k.import_id = i.id
    AND k.slot = (SELECT MAX(slot) FROM schedule_skips WHERE import_id = i.id)`;

function toRecord(row: ImportRow): ImportRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    config: JSON.parse(row.config) as StoredImportConfig,
    consecutiveFailures: row.consecutive_failures,
    lastSkippedSlot: row.last_skipped_slot,
    lastSkippedReason: row.last_skipped_reason,
    scheduleSetAt: row.schedule_set_at,
    hostKeySha256: row.host_key_sha256,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastRun:
      row.last_run_id && row.last_run_status && row.last_run_created_at
        ? {
            id: row.last_run_id,
            status: row.last_run_status,
            trigger: row.last_run_trigger ?? "manual",
            dryRun: row.last_run_dry_run === 1,
            // The aggregate answers a row (of zeros) even for a run without chunks.
            stats: JSON.parse(row.last_run_stats ?? "{}") as RunStats,
            error:
              row.last_run_error_code && row.last_run_error_message
                ? { code: row.last_run_error_code, message: row.last_run_error_message }
                : null,
            createdAt: row.last_run_created_at,
            startedAt: row.last_run_started_at,
            finishedAt: row.last_run_finished_at,
          }
        : null,
  };
}

function columns(config: StoredImportConfig) {
  const watchPrefix = "watchPrefix" in config.source ? (config.source.watchPrefix ?? null) : null;
  return [
    config.name,
    config.type,
    config.format,
    config.source.type,
    JSON.stringify(config),
    watchPrefix,
    config.schedule?.everyDays ?? null,
    config.schedule?.startAt ?? null,
    config.schedule?.enabled ? 1 : 0,
  ];
}

export async function insertImport(
  db: Db,
  record: { id: string; tenantId: string; config: StoredImportConfig; now: string },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO imports (id, tenant_id, name, type, format, source_type, config, watch_prefix,
         schedule_every_days, schedule_start_at, schedule_enabled, created_at, updated_at, schedule_set_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, CASE WHEN ?9 IS NULL THEN NULL ELSE ?12 END)`,
    )
    .bind(record.id, record.tenantId, ...columns(record.config), record.now)
    .run();
}

export async function updateImport(
  db: Db,
  record: { id: string; tenantId: string; config: StoredImportConfig; now: string },
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE imports SET name = ?3, type = ?4, format = ?5, source_type = ?6, config = ?7, watch_prefix = ?8,
         schedule_set_at = CASE
           WHEN ?9 IS NULL THEN NULL
           WHEN schedule_every_days IS ?9 AND schedule_start_at IS ?10 AND schedule_enabled = ?11 THEN schedule_set_at
           ELSE ?12 END,
         schedule_every_days = ?9, schedule_start_at = ?10, schedule_enabled = ?11, updated_at = ?12,
         -- The host key recorded on first use belongs to the server: another server forgets it.
         host_key_sha256 = CASE
           WHEN json_extract(config, '$.source.host') IS json_extract(?7, '$.source.host')
             AND json_extract(config, '$.source.port') IS json_extract(?7, '$.source.port') THEN host_key_sha256
           ELSE NULL END
       WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL`,
    )
    .bind(record.id, record.tenantId, ...columns(record.config), record.now)
    .run();
  return result.meta.changes > 0;
}

export async function getImport(db: Db, tenantId: string, id: string): Promise<ImportRecord | null> {
  const row = await db
    .prepare(`${SELECT_IMPORT} WHERE i.id = ?1 AND i.tenant_id = ?2 AND i.deleted_at IS NULL`)
    .bind(id, tenantId)
    .first<ImportRow>();
  return row ? toRecord(row) : null;
}

export async function listImports(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: ImportRecord[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor);
  const rows = await db
    .prepare(
      `${SELECT_IMPORT} WHERE i.tenant_id = ?1 AND i.deleted_at IS NULL AND (?2 IS NULL OR i.id < ?2)
       ORDER BY i.id DESC LIMIT ?3`,
    )
    .bind(tenantId, after, page.limit + 1)
    .all<ImportRow>();
  const items = rows.results.slice(0, page.limit).map(toRecord);
  const last = items.at(-1);
  return { items, nextCursor: rows.results.length > page.limit && last ? encodeCursor(last.id) : null };
}

/** Soft-deletes an import and cancels its runs that have not started. */
export async function deleteImport(db: Db, tenantId: string, id: string, now: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .prepare("UPDATE imports SET deleted_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL")
      .bind(id, tenantId, now),
    db
      .prepare(
        `UPDATE runs SET status = 'cancelled', finished_at = ?3,
           error_code = 'import_deleted', error_message = 'The import was deleted before this run started.'
         WHERE import_id = ?1 AND tenant_id = ?2 AND status = 'queued'`,
      )
      .bind(id, tenantId, now),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}

export async function uploadBelongsTo(db: Db, tenantId: string, key: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS ok FROM uploads WHERE key = ?1 AND tenant_id = ?2")
    .bind(key, tenantId)
    .first();
  return row !== null;
}

export async function insertUpload(
  db: Db,
  upload: { key: string; tenantId: string; filename: string; now: string; expiresAt: string },
): Promise<void> {
  await db
    .prepare(
      "INSERT INTO uploads (key, tenant_id, filename, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(upload.key, upload.tenantId, upload.filename, upload.now, upload.expiresAt)
    .run();
}

/** The upload a signed URL names. */
export interface UploadRef {
  key: string;
  tenantId: string;
}

/** Who holds an upload URL, and whether it was used. */
export interface UploadState {
  completedAt: string | null;
  startedAt: string | null;
  multipartUploadId: string | null;
}

/** The upload's claim and completion, or null when no upload was issued for the URL. */
export async function getUploadState(db: Db, upload: UploadRef): Promise<UploadState | null> {
  const row = await db
    .prepare(
      "SELECT completed_at, started_at, multipart_upload_id FROM uploads WHERE key = ?1 AND tenant_id = ?2",
    )
    .bind(upload.key, upload.tenantId)
    .first<{ completed_at: string | null; started_at: string | null; multipart_upload_id: string | null }>();
  return row
    ? { completedAt: row.completed_at, startedAt: row.started_at, multipartUploadId: row.multipart_upload_id }
    : null;
}

/**
 * Claims the URL for the one upload that may store its file, in one statement: of two uploads
 * at once only one sets `started_at`. Whether this one did.
 */
export async function claimUpload(db: Db, upload: UploadRef, startedAt: string): Promise<boolean> {
  const claimed = await db
    .prepare(
      "UPDATE uploads SET started_at = ?1 WHERE key = ?2 AND tenant_id = ?3 AND started_at IS NULL AND completed_at IS NULL",
    )
    .bind(startedAt, upload.key, upload.tenantId)
    .run();
  return claimed.meta.changes > 0;
}

/** Records the R2 upload id of the upload in parts that holds the claim taken at `startedAt`. */
export async function setUploadMultipartId(
  db: Db,
  upload: UploadRef,
  startedAt: string,
  multipartUploadId: string,
): Promise<void> {
  await db
    .prepare(
      "UPDATE uploads SET multipart_upload_id = ?1 WHERE key = ?2 AND tenant_id = ?3 AND started_at = ?4",
    )
    .bind(multipartUploadId, upload.key, upload.tenantId, startedAt)
    .run();
}

/** Gives up the claim taken at `startedAt` (by a PUT or a start in parts) of an upload not completed. */
export async function releaseUploadStarted(db: Db, upload: UploadRef, startedAt: string): Promise<void> {
  await db
    .prepare(
      `UPDATE uploads SET started_at = NULL, multipart_upload_id = NULL
       WHERE key = ?1 AND tenant_id = ?2 AND completed_at IS NULL AND started_at = ?3`,
    )
    .bind(upload.key, upload.tenantId, startedAt)
    .run();
}

/** Gives up the claim held by the upload in parts `multipartUploadId` of an upload not completed. */
export async function releaseUploadMultipart(
  db: Db,
  upload: UploadRef,
  multipartUploadId: string,
): Promise<void> {
  await db
    .prepare(
      `UPDATE uploads SET started_at = NULL, multipart_upload_id = NULL
       WHERE key = ?1 AND tenant_id = ?2 AND completed_at IS NULL AND multipart_upload_id = ?3`,
    )
    .bind(upload.key, upload.tenantId, multipartUploadId)
    .run();
}

/** Every import, of every tenant, whose schedule is enabled. */
export async function listScheduledImports(db: Db): Promise<ImportRecord[]> {
  const rows = await db
    .prepare(`${SELECT_IMPORT} WHERE i.schedule_enabled = 1 AND i.deleted_at IS NULL ORDER BY i.id`)
    .all<ImportRow>();
  return rows.results.map(toRecord);
}

/** Whether the import has a run that has not ended. */
export async function hasActiveRun(db: Db, importId: string): Promise<boolean> {
  const row = await db
    .prepare(
      "SELECT 1 AS active FROM runs WHERE import_id = ?1 AND status IN ('queued', 'in_progress') LIMIT 1",
    )
    .bind(importId)
    .first();
  return row !== null;
}

/** Records that a schedule slot was skipped (once per slot). */
export async function recordScheduleSkip(
  db: Db,
  importId: string,
  slot: string,
  reason: string,
  now: string,
): Promise<void> {
  await db
    .prepare(
      "INSERT INTO schedule_skips (import_id, slot, reason, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    )
    .bind(importId, slot, reason, now)
    .run();
}

/**
 * Whether the slot was already taken: a run was started for it, or it was skipped (a later check
 * must not run it late).
 */
export async function slotTaken(db: Db, importId: string, slot: string): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT EXISTS(SELECT 1 FROM runs WHERE import_id = ?1 AND slot = ?2)
           OR EXISTS(SELECT 1 FROM schedule_skips WHERE import_id = ?1 AND slot = ?2) AS taken`,
    )
    .bind(importId, slot)
    .first<{ taken: number }>();
  return row?.taken === 1;
}
