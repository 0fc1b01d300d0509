import type { Db } from "./db";

/** The chunks of a run that have an outcome (imported, or replayed and skipped). */
export async function listDoneChunks(db: Db, runId: string): Promise<number[]> {
  const rows = await db
    .prepare("SELECT chunk_no FROM run_chunks WHERE run_id = ?1 ORDER BY chunk_no")
    .bind(runId)
    .all<{ chunk_no: number }>();
  return rows.results.map((row) => row.chunk_no);
}

/**
 * Runs that have not ended and have shown no sign of progress since `before` (ISO): no chunk
 * finished, and neither created, started nor otherwise alive (heartbeat_at, see touchRun) after it. Their queue messages may have been
 * lost (a runtime restart drops what is in flight), so they are to be resumed. Each comes with
 * its source type, which tells the queue that resumes it.
 */
export async function listStalledRuns(
  db: Db,
  before: string,
  limit = 100,
): Promise<{ id: string; sourceType: string | null }[]> {
  const rows = await db
    .prepare(
      `SELECT r.id, json_extract(r.config, '$.source.type') AS source_type FROM runs r
       WHERE r.status IN ('queued', 'in_progress') AND r.created_at < ?1 AND COALESCE(r.started_at, '') < ?1
         AND COALESCE(r.heartbeat_at, '') < ?1
         AND NOT EXISTS (SELECT 1 FROM run_chunks c WHERE c.run_id = r.id AND c.finished_at >= ?1)
       ORDER BY r.created_at LIMIT ?2`,
    )
    .bind(before, limit)
    .all<{ id: string; source_type: string | null }>();
  return rows.results.map((row) => ({ id: row.id, sourceType: row.source_type }));
}
