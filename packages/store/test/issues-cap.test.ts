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

describe("issues stored per run", () => {
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
    expect(page.items).toHaveLength(25);
    const run = await db.prepare("SELECT status FROM runs WHERE id = 'run_cap'").first();
    expect(run).toEqual({ status: "completed" });
  });
});
