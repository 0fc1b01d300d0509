import { env } from "cloudflare:workers";
import type { Issue } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { listIssues, recordChunk } from "../src/index";

const db = (env as unknown as { CONFIG_DB: D1Database }).CONFIG_DB;

const issuesOf = (chunkNo: number, count: number): Issue[] =>
  Array.from({ length: count }, (_, i) => ({
    row: chunkNo * 100 + i + 2,
    item: `or${chunkNo}_${i}`,
    field: "total",
    code: "invalid_number",
    severity: "error",
    message: '"total" must be a number; got "12,5".',
    value: "12,5",
  }));

const chunkOf = (runId: string, chunkNo: number, issueCount: number, maxStoredIssues?: number) => ({
  runId,
  chunkNo,
  bytesRead: 100,
  rowsRead: issueCount,
  itemsRead: issueCount,
  itemsValid: 0,
  itemsInvalid: issueCount,
  added: 0,
  updated: 0,
  unchanged: 0,
  issues: issuesOf(chunkNo, issueCount),
  maxStoredIssues,
  now: "2026-01-01T00:00:00Z",
});

async function addRun(id: string, chunksTotal: number) {
  await db
    .prepare(
      `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at, chunks_total)
       VALUES (?1, 'acme', 'imp_1', 'in_progress', 'manual', '{}', '', ?2)`,
    )
    .bind(id, chunksTotal)
    .run();
}

/** Every stored issue of the run, as GET /v1/runs/{id}/issues pages through them, and the counts. */
async function allIssues(runId: string) {
  const rows: (number | null)[] = [];
  let cursor: string | undefined;
  let counts = { total: 0, stored: 0 };
  do {
    const page = await listIssues(db, runId, { limit: 1000, cursor });
    rows.push(...page.items.map((issue) => issue.row));
    counts = { total: page.total, stored: page.stored };
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { rows, ...counts };
}

const rowsOf = (chunkNo: number, count: number) => issuesOf(chunkNo, count).map((issue) => issue.row);

describe("issues stored per run", () => {
  it("stores the first 10,000 issues in file order when the chunks finish in reverse order", async () => {
    await addRun("run_reverse", 4);
    for (const chunkNo of [3, 2, 1, 0]) await recordChunk(db, chunkOf("run_reverse", chunkNo, 4000));
    const expected = [...rowsOf(0, 4000), ...rowsOf(1, 4000), ...rowsOf(2, 2000)];
    const got = await allIssues("run_reverse");
    expect(got).toEqual({ rows: expected, total: 16_000, stored: 10_000 });
    // Redelivered chunks, whether their issues were stored, trimmed or never stored, change nothing.
    for (const chunkNo of [0, 2, 3]) await recordChunk(db, chunkOf("run_reverse", chunkNo, 4000));
    expect(await allIssues("run_reverse")).toEqual({ rows: expected, total: 16_000, stored: 10_000 });
    const run = await db.prepare("SELECT status FROM runs WHERE id = 'run_reverse'").first();
    expect(run).toEqual({ status: "completed" });
  });

  it("keeps the first issues in file order through any finishing order and redelivery", async () => {
    await addRun("run_mixed", 4);
    const record = (chunkNo: number) => recordChunk(db, chunkOf("run_mixed", chunkNo, 20, 25));
    await record(2);
    await record(3);
    expect(await allIssues("run_mixed")).toEqual({
      rows: [...rowsOf(2, 20), ...rowsOf(3, 5)],
      total: 40,
      stored: 25,
    });
    await record(1);
    await record(3);
    expect(await allIssues("run_mixed")).toEqual({
      rows: [...rowsOf(1, 20), ...rowsOf(2, 5)],
      total: 60,
      stored: 25,
    });
    await Promise.all([record(0), record(2), record(0)]);
    expect(await allIssues("run_mixed")).toEqual({
      rows: [...rowsOf(0, 20), ...rowsOf(1, 5)],
      total: 80,
      stored: 25,
    });
  });

  it("stores exactly the cap, even from chunks recorded at the same time, and counts them all", async () => {
    await db
      .prepare(
        `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at, chunks_total)
         VALUES ('run_cap', 'acme', 'imp_1', 'in_progress', 'manual', '{}', '', 3)`,
      )
      .run();
    await Promise.all(
      [0, 1, 2].map((chunkNo) =>
        recordChunk(db, {
          runId: "run_cap",
          chunkNo,
          bytesRead: 100,
          rowsRead: 20,
          itemsRead: 20,
          itemsValid: 0,
          itemsInvalid: 20,
          added: 0,
          updated: 0,
          unchanged: 0,
          issues: issuesOf(chunkNo, 20),
          maxStoredIssues: 25,
          now: "2026-01-01T00:00:00Z",
        }),
      ),
    );
    const page = await listIssues(db, "run_cap", { limit: 100 });
    expect(page.total).toBe(60);
    expect(page.stored).toBe(25);
    // The first 25 in file order, whichever chunk was recorded first.
    expect(page.items.map((issue) => issue.item)).toEqual([
      ...issuesOf(0, 20).map((issue) => issue.item),
      ...issuesOf(1, 5).map((issue) => issue.item),
    ]);
    const run = await db.prepare("SELECT status FROM runs WHERE id = 'run_cap'").first();
    expect(run).toEqual({ status: "completed" });
  });
});
