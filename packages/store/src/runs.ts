import type { Issue, Run, RunStatus, RunTrigger } from "@cdp/core";
import { type Db, decodeCursor, encodeCursor } from "./db";

// A run ends once: completed (by its last chunk), failed or cancelled. Whichever statement sets
// that final status, the database writes the run's webhook event in the same transaction (the
// trigger runs_end_webhook_event, migration 0006), so no end goes unannounced or twice.

export interface RunRecord extends Run {
  tenantId: string;
  /** The import configuration this run reads with (source secrets sealed). */
  config: string;
  fileKey: string | null;
  chunksTotal: number | null;
}

interface RunRow {
  id: string;
  tenant_id: string;
  import_id: string;
  status: RunStatus;
  trigger: RunTrigger;
  started_by: string | null;
  dry_run: number;
  config: string;
  file_key: string | null;
  bytes_total: number;
  chunks_total: number | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  bytes_read: number;
  rows_read: number;
  items_read: number;
  items_valid: number;
  items_invalid: number;
  added: number;
  updated: number;
  unchanged: number;
}

// Counters are sums over the run's chunks: a chunk's row is written once, whatever redelivers it.
// A completed run has read all of its files, also the bytes no chunk covers (a file, or a file of
// a zip archive, that is only a header), so its progress is its total.
const SELECT_RUN = `
  SELECT r.*,
    CASE WHEN r.status = 'completed' THEN r.bytes_total ELSE COALESCE(c.bytes_read, 0) END AS bytes_read,
    COALESCE(c.rows_read, 0) AS rows_read,
    COALESCE(c.items_read, 0) AS items_read, COALESCE(c.items_valid, 0) AS items_valid,
    COALESCE(c.items_invalid, 0) AS items_invalid, COALESCE(c.added, 0) AS added,
    COALESCE(c.updated, 0) AS updated, COALESCE(c.unchanged, 0) AS unchanged
  FROM runs r
  LEFT JOIN (
    SELECT run_id, SUM(bytes_read) AS bytes_read, SUM(rows_read) AS rows_read, SUM(items_read) AS items_read,
      SUM(items_valid) AS items_valid, SUM(items_invalid) AS items_invalid, SUM(added) AS added,
      SUM(updated) AS updated, SUM(unchanged) AS unchanged
    FROM run_chunks GROUP BY run_id
  ) c ON c.run_id = r.id`;

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    importId: row.import_id,
    status: row.status,
    trigger: row.trigger,
    startedBy: row.started_by,
    dryRun: row.dry_run === 1,
    progress: { bytesRead: row.bytes_read, bytesTotal: row.bytes_total },
    stats: {
      rowsRead: row.rows_read,
      itemsRead: row.items_read,
      itemsValid: row.items_valid,
      itemsInvalid: row.items_invalid,
      added: row.added,
      updated: row.updated,
      unchanged: row.unchanged,
    },
    error: row.error_code && row.error_message ? { code: row.error_code, message: row.error_message } : null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    config: row.config,
    fileKey: row.file_key,
    chunksTotal: row.chunks_total,
  };
}

/** A run as users see it, in the API and in webhook events (no internal fields). */
export function publicRun(run: RunRecord): Run {
  return {
    id: run.id,
    importId: run.importId,
    status: run.status,
    trigger: run.trigger,
    startedBy: run.startedBy,
    dryRun: run.dryRun,
    progress: run.progress,
    stats: run.stats,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

export interface NewRun {
  id: string;
  tenantId: string;
  importId: string;
  trigger: RunTrigger;
  /** Who started it: `key:<prefix>`, `dashboard:<prefix>`, `schedule` or `upload`. */
  startedBy: string;
  dryRun: boolean;
  config: string;
  now: string;
  /** Schedule slot (ISO); a slot starts at most one run. */
  slot?: string;
  /** Object that started an upload-triggered run; it starts each import once. */
  triggerKey?: string;
}

/** Inserts a queued run; false when its schedule slot or trigger object already started one. */
export async function insertRun(db: Db, run: NewRun): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO runs (id, tenant_id, import_id, status, trigger, dry_run, config, slot, trigger_key, created_at,
         started_by)
       VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING`,
    )
    .bind(
      run.id,
      run.tenantId,
      run.importId,
      run.trigger,
      run.dryRun ? 1 : 0,
      run.config,
      run.slot ?? null,
      run.triggerKey ?? null,
      run.now,
      run.startedBy,
    )
    .run();
  return result.meta.changes > 0;
}

/** A run by id; tenant-scoped unless `tenantId` is null (the Workers' own reads). */
export async function getRun(db: Db, tenantId: string | null, id: string): Promise<RunRecord | null> {
  const row = await db
    .prepare(`${SELECT_RUN} WHERE r.id = ?1 AND (?2 IS NULL OR r.tenant_id = ?2)`)
    .bind(id, tenantId)
    .first<RunRow>();
  return row ? toRecord(row) : null;
}

export async function listRuns(
  db: Db,
  tenantId: string,
  importId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: RunRecord[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor);
  const rows = await db
    .prepare(
      `${SELECT_RUN} WHERE r.tenant_id = ?1 AND r.import_id = ?2 AND (?3 IS NULL OR r.id < ?3)
       ORDER BY r.id DESC LIMIT ?4`,
    )
    .bind(tenantId, importId, after, page.limit + 1)
    .all<RunRow>();
  const items = rows.results.slice(0, page.limit).map(toRecord);
  const last = items.at(-1);
  return { items, nextCursor: rows.results.length > page.limit && last ? encodeCursor(last.id) : null };
}

/** Cancels a run that has not ended; the Workers stop at their next chunk. */
export async function cancelRun(db: Db, tenantId: string, id: string, now: string): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE runs SET status = 'cancelled', finished_at = ?3
       WHERE id = ?1 AND tenant_id = ?2 AND status IN ('queued', 'in_progress')`,
    )
    .bind(id, tenantId, now)
    .run();
  return result.meta.changes > 0;
}

export interface StoredIssue extends Issue {}

interface IssueRow {
  chunk_no: number;
  seq: number;
  row: number | null;
  item: string | null;
  field: string | null;
  file_column: string | null;
  code: Issue["code"];
  severity: Issue["severity"];
  message: string;
  value: string | null;
}

/** Which of a run's stored issues to list: each given property must match exactly. */
export interface IssueFilter {
  severity?: Issue["severity"];
  code?: string;
  field?: string;
}

/**
 * The stored issues of a run in file order, paged, those of `filter` only; how many the run found
 * in all (`total`), how many are stored (`stored`: fewer than `total` when the run found more
 * than its cap) and how many stored ones match the filter (`matching`).
 */
export async function listIssues(
  db: Db,
  runId: string,
  page: { limit: number; cursor?: string },
  filter: IssueFilter = {},
): Promise<{ items: Issue[]; total: number; stored: number; matching: number; nextCursor: string | null }> {
  const [chunkNo, seq] = (decodeCursor(page.cursor) ?? "-1:-1").split(":").map(Number);
  const matches =
    "(?2 IS NULL OR severity = ?2) AND (?3 IS NULL OR code = ?3) AND (?4 IS NULL OR field = ?4)";
  const filterValues = [filter.severity ?? null, filter.code ?? null, filter.field ?? null];
  const [rows, total] = await db.batch([
    db
      .prepare(
        `SELECT chunk_no, seq, row, item, field, file_column, code, severity, message, value FROM run_issues
         WHERE run_id = ?1 AND ${matches} AND (chunk_no > ?5 OR (chunk_no = ?5 AND seq > ?6))
         ORDER BY chunk_no, seq LIMIT ?7`,
      )
      .bind(runId, ...filterValues, chunkNo ?? -1, seq ?? -1, page.limit + 1),
    db
      .prepare(
        `SELECT (SELECT COALESCE(SUM(issues), 0) FROM run_chunks WHERE run_id = ?1) AS total,
                (SELECT COUNT(*) FROM run_issues WHERE run_id = ?1) AS stored,
                (SELECT COUNT(*) FROM run_issues WHERE run_id = ?1 AND ${matches}) AS matching`,
      )
      .bind(runId, ...filterValues),
  ]);
  const counts = total?.results[0] as { total: number; stored: number; matching: number } | undefined;
  const results = (rows?.results ?? []) as IssueRow[];
  const items = results.slice(0, page.limit);
  const last = items.at(-1);
  return {
    // `column` only where a transformation mapped the file's column onto the field.
    items: items.map(({ row, item, field, file_column, code, severity, message, value }) => ({
      row,
      item,
      field,
      ...(file_column === null ? {} : { column: file_column }),
      code,
      severity,
      message,
      value,
    })),
    total: counts?.total ?? 0,
    stored: counts?.stored ?? 0,
    matching: counts?.matching ?? 0,
    nextCursor: results.length > page.limit && last ? encodeCursor(`${last.chunk_no}:${last.seq}`) : null,
  };
}

/** How a run's stored issues fall into codes (with their severity) and fields. */
export interface IssueSummary {
  total: number;
  stored: number;
  codes: { code: string; severity: Issue["severity"]; count: number }[];
  fields: { field: string; count: number }[];
}

/** The stored issues of a run counted by code and by field, most frequent first. */
export async function summarizeIssues(db: Db, runId: string): Promise<IssueSummary> {
  const [codes, fields, counts] = await db.batch([
    db
      .prepare(
        `SELECT code, severity, COUNT(*) AS count FROM run_issues WHERE run_id = ?1
         GROUP BY code, severity ORDER BY count DESC, code`,
      )
      .bind(runId),
    db
      .prepare(
        `SELECT field, COUNT(*) AS count FROM run_issues WHERE run_id = ?1 AND field IS NOT NULL
         GROUP BY field ORDER BY count DESC, field`,
      )
      .bind(runId),
    db
      .prepare(
        `SELECT (SELECT COALESCE(SUM(issues), 0) FROM run_chunks WHERE run_id = ?1) AS total,
                (SELECT COUNT(*) FROM run_issues WHERE run_id = ?1) AS stored`,
      )
      .bind(runId),
  ]);
  const totals = counts?.results[0] as { total: number; stored: number } | undefined;
  return {
    total: totals?.total ?? 0,
    stored: totals?.stored ?? 0,
    codes: (codes?.results ?? []) as IssueSummary["codes"],
    fields: (fields?.results ?? []) as IssueSummary["fields"],
  };
}

/** Marks a queued run as started; false when it was cancelled (or is no longer queued). */
export async function markRunStarted(db: Db, runId: string, now: string): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE runs SET status = 'in_progress', started_at = COALESCE(started_at, ?2), heartbeat_at = ?2
       WHERE id = ?1 AND status IN ('queued', 'in_progress')`,
    )
    .bind(runId, now)
    .run();
  return result.meta.changes > 0;
}

/**
 * Records that a run not yet ended is alive until `until` (now, or the end of a wait it was
 * asked to make), so that the stalled-run check leaves it alone until then.
 */
export async function touchRuns(db: Db, runIds: readonly string[], until: string): Promise<void> {
  if (runIds.length === 0) return;
  await db
    .prepare(
      `UPDATE runs SET heartbeat_at = ?2
       WHERE id IN (SELECT value FROM json_each(?1)) AND status IN ('queued', 'in_progress')
         AND COALESCE(heartbeat_at, '') < ?2`,
    )
    .bind(JSON.stringify(runIds), until)
    .run();
}

/** Records where the run's file landed and how it was cut into chunks. */
export async function setRunPlan(
  db: Db,
  runId: string,
  plan: { fileKey: string; bytesTotal: number; chunksTotal: number },
): Promise<void> {
  await db
    .prepare("UPDATE runs SET file_key = ?2, bytes_total = ?3, chunks_total = ?4 WHERE id = ?1")
    .bind(runId, plan.fileKey, plan.bytesTotal, plan.chunksTotal)
    .run();
}

/** Fails a run that has not ended, with a message a user can act on. */
export async function failRun(
  db: Db,
  runId: string,
  error: { code: string; message: string },
  now: string,
): Promise<void> {
  await db
    .prepare(
      `UPDATE runs SET status = 'failed', error_code = ?2, error_message = ?3, finished_at = ?4
       WHERE id = ?1 AND status IN ('queued', 'in_progress')`,
    )
    .bind(runId, error.code, error.message, now)
    .run();
}

export interface ChunkOutcome {
  runId: string;
  chunkNo: number;
  bytesRead: number;
  rowsRead: number;
  itemsRead: number;
  itemsValid: number;
  itemsInvalid: number;
  added: number;
  updated: number;
  unchanged: number;
  issues: Issue[];
  /** Issues stored per run at most (default MAX_STORED_ISSUES_PER_RUN); all are counted. */
  maxStoredIssues?: number;
  now: string;
}

/** Issues stored per run when the transform Worker sets no MAX_STORED_ISSUES_PER_RUN; all are counted. */
export const MAX_STORED_ISSUES_PER_RUN = 10_000;
const ISSUE_PARAMS = 11;

/**
 * Records a chunk's stats and issues once, whatever redelivers it: the chunk's row and its
 * issues are keyed by (run, chunk). Issues beyond the run's cap are counted, not stored; the
 * stored ones are the first of the run in file order (by chunk, then within it), whatever order
 * the chunks finish in: a chunk stores the issues that come before the cap in file order, and
 * issues of later chunks that this pushes past the cap are deleted in the same transaction.
 * Returns true when the run has now finished all its chunks (and marks it completed).
 */
export async function recordChunk(db: Db, outcome: ChunkOutcome): Promise<boolean> {
  // The stored issues of the chunks before this one only grow while it runs: this is the most room left.
  const before = await db
    .prepare("SELECT COUNT(*) AS n FROM run_issues WHERE run_id = ?1 AND chunk_no < ?2")
    .bind(outcome.runId, outcome.chunkNo)
    .first<{ n: number }>();
  const cap = Math.max(0, Math.floor(outcome.maxStoredIssues ?? MAX_STORED_ISSUES_PER_RUN));
  const room = Math.max(0, cap - (before?.n ?? 0));
  const issues = outcome.issues.slice(0, room);
  const statements: D1PreparedStatement[] = [];
  const perStatement = Math.floor(100 / ISSUE_PARAMS);
  for (let i = 0; i < issues.length; i += perStatement) {
    const group = issues.slice(i, i + perStatement);
    const values = group.map(
      (_, j) =>
        `(${Array.from({ length: ISSUE_PARAMS }, (_, k) => `?${j * ISSUE_PARAMS + k + 1}`).join(", ")})`,
    );
    statements.push(
      db
        .prepare(
          // Each insert takes only the room left before it in file order when it runs, also with
          // chunks recorded at the same time (?1 is the run's id, ?2 the chunk's number), and
          // nothing once the chunk is recorded (a redelivery).
          `INSERT INTO run_issues (run_id, chunk_no, seq, row, item, field, code, severity, message, value, file_column)
           SELECT * FROM (VALUES ${values.join(", ")})
           WHERE NOT EXISTS (SELECT 1 FROM run_chunks WHERE run_id = ?1 AND chunk_no = ?2)
           LIMIT MAX(0, ${cap - i} - (SELECT COUNT(*) FROM run_issues WHERE run_id = ?1 AND chunk_no < ?2))
           ON CONFLICT DO NOTHING`,
        )
        .bind(
          ...group.flatMap((issue, j) => [
            outcome.runId,
            outcome.chunkNo,
            i + j,
            issue.row,
            issue.item,
            issue.field,
            issue.code,
            issue.severity,
            issue.message,
            issue.value,
            issue.column ?? null,
          ]),
        ),
    );
  }
  if (statements.length > 0) {
    // The issues of later chunks, recorded before this one, that are now past the cap.
    statements.push(
      db
        .prepare(
          `DELETE FROM run_issues WHERE run_id = ?1 AND chunk_no > ?2 AND rowid IN (
             SELECT rowid FROM run_issues WHERE run_id = ?1 ORDER BY chunk_no, seq LIMIT -1 OFFSET ?3)`,
        )
        .bind(outcome.runId, outcome.chunkNo, cap),
    );
  }
  statements.push(
    db
      .prepare(
        `INSERT INTO run_chunks (run_id, chunk_no, bytes_read, rows_read, items_read, items_valid, items_invalid,
           added, updated, unchanged, issues, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING`,
      )
      .bind(
        outcome.runId,
        outcome.chunkNo,
        outcome.bytesRead,
        outcome.rowsRead,
        outcome.itemsRead,
        outcome.itemsValid,
        outcome.itemsInvalid,
        outcome.added,
        outcome.updated,
        outcome.unchanged,
        outcome.issues.length,
        outcome.now,
      ),
    // The consumer that finishes the last chunk completes the run (counted in the same transaction).
    db
      .prepare(
        `UPDATE runs SET status = 'completed', finished_at = ?2
         WHERE id = ?1 AND status = 'in_progress' AND chunks_total IS NOT NULL
           AND chunks_total <= (SELECT COUNT(*) FROM run_chunks WHERE run_id = ?1)`,
      )
      .bind(outcome.runId, outcome.now),
  );
  const results = await db.batch(statements);
  return (results.at(-1)?.meta.changes ?? 0) > 0;
}

/** The items a recorded chunk read (0 for an empty chunk), or null when the chunk is not recorded. */
export async function chunkItemsRead(db: Db, runId: string, chunkNo: number): Promise<number | null> {
  const row = await db
    .prepare("SELECT items_read FROM run_chunks WHERE run_id = ?1 AND chunk_no = ?2")
    .bind(runId, chunkNo)
    .first<{ items_read: number }>();
  return row ? row.items_read : null;
}

/** Whether the chunk was already recorded (a redelivery of a finished chunk). */
export async function chunkDone(db: Db, runId: string, chunkNo: number): Promise<boolean> {
  return (await chunkItemsRead(db, runId, chunkNo)) !== null;
}
