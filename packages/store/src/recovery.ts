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
 * finished, and neither created nor started, after it. Their queue messages may have been
 * lost (a runtime restart drops what is in flight), so they are to be resumed.
 */
export async function listStalledRuns(db: Db, before: string, limit = 100): Promise<string[]> {
  const rows = await db
    .prepare(
      `SELECT r.id FROM runs r
       WHERE r.status IN ('queued', 'in_progress') AND r.created_at < ?1 AND COALESCE(r.started_at, '') < ?1
         AND NOT EXISTS (SELECT 1 FROM run_chunks c WHERE c.run_id = r.id AND c.finished_at >= ?1)
       ORDER BY r.created_at LIMIT ?2`,
    )
    .bind(before, limit)
    .all<{ id: string }>();
  return rows.results.map((row) => row.id);
}
