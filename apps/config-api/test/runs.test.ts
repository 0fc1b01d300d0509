import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, ordersImport, seedTenants, TENANTS, upload } from "./support/api";

interface RunBody {
  id: string;
  importId: string;
  status: string;
  trigger: string;
  dryRun: boolean;
  progress: { bytesRead: number; bytesTotal: number };
  stats: Record<string, number>;
  error: unknown;
}

beforeAll(seedTenants);

async function newImport(): Promise<string> {
  const res = await call<{ id: string }>("POST", "/v1/imports", {
    body: ordersImport(await upload()),
  });
  return res.body.id;
}

describe("runs", () => {
  it("starts a queued run, lists it, reads it and cancels it", async () => {
    const importId = await newImport();
    const started = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: { dryRun: true } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      importId,
      status: "queued",
      trigger: "manual",
      dryRun: true,
      progress: { bytesRead: 0, bytesTotal: 0 },
      stats: {
        rowsRead: 0,
        itemsRead: 0,
        itemsValid: 0,
        itemsInvalid: 0,
        added: 0,
        updated: 0,
        unchanged: 0,
      },
      error: null,
    });
    expect(started.body.id).toMatch(/^run_/);

    const list = await call<{ items: RunBody[] }>("GET", `/v1/imports/${importId}/runs`);
    expect(list.body.items.map((r) => r.id)).toEqual([started.body.id]);
    expect((await call<RunBody>("GET", `/v1/runs/${started.body.id}`)).body.status).toBe("queued");

    const cancelled = await call<RunBody>("POST", `/v1/runs/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const again = await call("POST", `/v1/runs/${started.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      error: { code: "conflict", message: "The run has already ended: it is cancelled." },
    });

    const importRow = await call<{ lastRun: { id: string; status: string } }>(
      "GET",
      `/v1/imports/${importId}`,
    );
    expect(importRow.body.lastRun).toMatchObject({ id: started.body.id, status: "cancelled" });
  });

  it("runs the same config once on another file, checking that source like a config's", async () => {
    const importId = await newImport();
    const other = await upload("other.csv");
    const started = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, {
      body: { source: { type: "upload", key: other } },
    });
    expect(started.status).toBe(202);
    const row = await env.CONFIG_DB.prepare("SELECT config FROM runs WHERE id = ?")
      .bind(started.body.id)
      .first<{ config: string }>();
    expect(JSON.parse(row?.config ?? "{}").source).toEqual({ type: "upload", key: other });

    const theirs = await upload("x.csv", TENANTS.globex.key);
    const refused = await call("POST", `/v1/imports/${importId}/runs`, {
      body: { source: { type: "upload", key: theirs } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "upload_not_found" } });
  });

  it("clones a dry run into a real run with the dry run's own configuration", async () => {
    const importId = await newImport();
    const dry = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: { dryRun: true } });
    const configOf = async (runId: string) =>
      JSON.parse(
        (
          await env.CONFIG_DB.prepare("SELECT config FROM runs WHERE id = ?")
            .bind(runId)
            .first<{ config: string }>()
        )?.config ?? "{}",
      );
    const edited = await call("PATCH", `/v1/imports/${importId}`, {
      body: { transformations: [{ op: "add", field: "channel", value: "web" }] },
    });
    expect(edited.status).toBe(200);

    const real = await call<RunBody & { dryRun: boolean }>("POST", `/v1/runs/${dry.body.id}/clone`);
    expect(real.status).toBe(202);
    expect(real.body).toMatchObject({ importId, dryRun: false, status: "queued", trigger: "manual" });
    expect(await configOf(real.body.id)).toEqual(await configOf(dry.body.id));
    expect((await configOf(real.body.id)).transformations ?? []).toEqual([]);

    const again = await call<{ dryRun: boolean }>("POST", `/v1/runs/${dry.body.id}/clone`, {
      body: { dryRun: true },
    });
    expect(again.body.dryRun).toBe(true);
    const theirs = await call("POST", `/v1/runs/${dry.body.id}/clone`, { key: TENANTS.globex.key });
    expect(theirs.status).toBe(404);
    expect((await call("POST", "/v1/runs/run_missing/clone")).status).toBe(404);
  });

  it("cancels the queued runs of a deleted import", async () => {
    const importId = await newImport();
    const run = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: {} });
    expect((await call("DELETE", `/v1/imports/${importId}`)).status).toBe(204);
    const row = await env.CONFIG_DB.prepare("SELECT status FROM runs WHERE id = ?").bind(run.body.id).first();
    expect(row).toEqual({ status: "cancelled" });
  });

  it("sums the stats and progress of the run's chunks", async () => {
    const importId = await newImport();
    const run = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: {} });
    const insert = env.CONFIG_DB.prepare(
      `INSERT INTO run_chunks (run_id, chunk_no, bytes_read, rows_read, items_read, items_valid, items_invalid, added, updated, unchanged, issues, finished_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '')`,
    );
    await env.CONFIG_DB.batch([
      insert.bind(run.body.id, 0, 100, 10, 4, 3, 1, 2, 1, 0, 2),
      insert.bind(run.body.id, 1, 50, 5, 2, 2, 0, 0, 0, 2, 0),
    ]);
    const got = await call<RunBody>("GET", `/v1/runs/${run.body.id}`);
    expect(got.body.progress.bytesRead).toBe(150);
    const stats = {
      rowsRead: 15,
      itemsRead: 6,
      itemsValid: 5,
      itemsInvalid: 1,
      added: 2,
      updated: 1,
      unchanged: 2,
    };
    expect(got.body.stats).toEqual(stats);
    // The import's last run carries the same counts, for lists that show how each import is doing.
    const listed = await call<{ items: { id: string; lastRun: unknown }[] }>("GET", "/v1/imports?limit=1000");
    expect(listed.body.items.find((i) => i.id === importId)?.lastRun).toEqual({
      id: run.body.id,
      status: "queued",
      trigger: "manual",
      dryRun: false,
      stats,
      error: null,
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
    });
  });

  it("gives an import's failed last run with its error, and a run without chunks with zero counts", async () => {
    const importId = await newImport();
    const dry = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: { dryRun: true } });
    const lastRun = async () =>
      (await call<{ lastRun: Record<string, unknown> }>("GET", `/v1/imports/${importId}`)).body.lastRun;
    expect(await lastRun()).toMatchObject({
      id: dry.body.id,
      dryRun: true,
      stats: { rowsRead: 0, itemsRead: 0, itemsInvalid: 0, added: 0, updated: 0, unchanged: 0 },
      error: null,
    });
    await env.CONFIG_DB.prepare(
      "UPDATE runs SET status = 'failed', error_code = 'missing_columns', error_message = 'The file has no column orderId.', finished_at = '2026-01-01T00:00:00Z' WHERE id = ?",
    )
      .bind(dry.body.id)
      .run();
    expect(await lastRun()).toMatchObject({
      status: "failed",
      error: { code: "missing_columns", message: "The file has no column orderId." },
      finishedAt: "2026-01-01T00:00:00Z",
    });
  });

  it("shows a completed run whose file is only a header at 100 %", async () => {
    const importId = await newImport();
    const run = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: {} });
    // As ingest leaves it: a plan with no chunks, and the run completed at once.
    await env.CONFIG_DB.prepare(
      "UPDATE runs SET status = 'completed', bytes_total = 42, chunks_total = 0, finished_at = '2026-01-01T00:00:00Z' WHERE id = ?",
    )
      .bind(run.body.id)
      .run();
    const got = await call<RunBody>("GET", `/v1/runs/${run.body.id}`);
    expect(got.body).toMatchObject({ status: "completed", progress: { bytesRead: 42, bytesTotal: 42 } });
    const listed = await call<{ items: RunBody[] }>("GET", `/v1/imports/${importId}/runs`);
    expect(listed.body.items[0]?.progress).toEqual({ bytesRead: 42, bytesTotal: 42 });
  });
});

describe("run issues", () => {
  async function runWithIssues(values: string[]) {
    const importId = await newImport();
    const run = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: {} });
    const insert = env.CONFIG_DB.prepare(
      `INSERT INTO run_issues (run_id, chunk_no, seq, row, item, field, code, severity, message, value)
       VALUES (?1, ?2, ?3, ?4, 'or1', 'total', 'invalid_number', 'error', ?5, ?6)`,
    );
    await env.CONFIG_DB.batch(
      values.map((value, i) =>
        insert.bind(
          run.body.id,
          Math.floor(i / 3),
          i % 3,
          i + 2,
          `"total" must be a number; got "${value}".`,
          value,
        ),
      ),
    );
    await env.CONFIG_DB.prepare(
      "INSERT INTO run_chunks (run_id, chunk_no, issues, finished_at) VALUES (?1, 0, ?2, '')",
    )
      .bind(run.body.id, values.length + 5)
      .run();
    return run.body.id;
  }

  it("pages the issues in file order with the total the run found", async () => {
    const runId = await runWithIssues(["a", "b", "c", "d", "e"]);
    const first = await call<{ items: { row: number; value: string }[]; total: number; nextCursor: string }>(
      "GET",
      `/v1/runs/${runId}/issues?limit=2`,
    );
    expect(first.body.total).toBe(10);
    expect(first.body.items.map((i) => i.row)).toEqual([2, 3]);
    const rest = await call<{ items: { row: number }[]; nextCursor: string | null }>(
      "GET",
      `/v1/runs/${runId}/issues?limit=10&cursor=${first.body.nextCursor}`,
    );
    expect(rest.body.items.map((i) => i.row)).toEqual([4, 5, 6]);
    expect(rest.body.nextCursor).toBeNull();
    expect(first.body.items[0]).toEqual({
      row: 2,
      item: "or1",
      field: "total",
      code: "invalid_number",
      severity: "error",
      message: '"total" must be a number; got "a".',
      value: "a",
    });
  });

  /** A run with errors and a warning, on three fields. */
  async function runWithMixedIssues() {
    const importId = await newImport();
    const run = await call<RunBody>("POST", `/v1/imports/${importId}/runs`, { body: {} });
    const insert = env.CONFIG_DB.prepare(
      `INSERT INTO run_issues (run_id, chunk_no, seq, row, item, field, code, severity, message, value)
       VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7, 'bad', NULL)`,
    );
    const issues: [string, string | null, string, string][] = [
      ["or1", "email", "missing_field", "error"],
      ["or2", "total", "invalid_number", "error"],
      ["or3", "total", "total_mismatch", "warning"],
      ["or4", "email", "missing_field", "error"],
      ["or5", null, "too_many_fields", "error"],
      ["or6", "total", "invalid_number", "error"],
      ["or7", "email", "missing_field", "error"],
    ];
    await env.CONFIG_DB.batch(
      issues.map(([item, field, code, severity], i) =>
        insert.bind(run.body.id, i, i + 2, item, field, code, severity),
      ),
    );
    await env.CONFIG_DB.prepare(
      "INSERT INTO run_chunks (run_id, chunk_no, issues, finished_at) VALUES (?1, 0, ?2, '')",
    )
      .bind(run.body.id, issues.length)
      .run();
    return run.body.id;
  }

  it("lists only the issues of a code, a field or a severity, with how many match, page by page", async () => {
    const runId = await runWithMixedIssues();
    type IssuePage = {
      items: { item: string }[];
      total: number;
      matching: number;
      nextCursor: string | null;
    };
    const items = (page: IssuePage) => page.items.map((i) => i.item);
    const byCode = await call<IssuePage>("GET", `/v1/runs/${runId}/issues?code=missing_field&limit=2`);
    expect(byCode.status).toBe(200);
    expect(items(byCode.body)).toEqual(["or1", "or4"]);
    expect(byCode.body).toMatchObject({ total: 7, matching: 3 });
    const rest = await call<IssuePage>(
      "GET",
      `/v1/runs/${runId}/issues?code=missing_field&limit=2&cursor=${byCode.body.nextCursor}`,
    );
    expect(items(rest.body)).toEqual(["or7"]);
    expect(rest.body.nextCursor).toBeNull();

    const byField = await call<IssuePage>("GET", `/v1/runs/${runId}/issues?field=total&severity=error`);
    expect(items(byField.body)).toEqual(["or2", "or6"]);
    expect(byField.body.matching).toBe(2);
    const warnings = await call<IssuePage>("GET", `/v1/runs/${runId}/issues?severity=warning`);
    expect(items(warnings.body)).toEqual(["or3"]);
    const unfiltered = await call<IssuePage>("GET", `/v1/runs/${runId}/issues`);
    expect(unfiltered.body.matching).toBe(7);

    const csv = await call("GET", `/v1/runs/${runId}/issues?format=csv&field=total`);
    expect(
      csv.text
        .trimEnd()
        .split("\r\n")
        .map((line) => line.split(",")[1]),
    ).toEqual(["item", "or2", "or3", "or6"]);
  });

  it("refuses an unknown query parameter or severity of the issues instead of ignoring it", async () => {
    const runId = await runWithMixedIssues();
    const typo = await call("GET", `/v1/runs/${runId}/issues?codes=missing_field`);
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).toContain("codes");
    const severity = await call("GET", `/v1/runs/${runId}/issues?severity=fatal`);
    expect(severity.status).toBe(400);
    expect(severity.body).toMatchObject({ error: { details: [{ path: "severity" }] } });
  });

  it("counts the stored issues by code (with severity) and by field, most frequent first", async () => {
    const runId = await runWithMixedIssues();
    const summary = await call("GET", `/v1/runs/${runId}/issues/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({
      total: 7,
      stored: 7,
      codes: [
        { code: "missing_field", severity: "error", count: 3 },
        { code: "invalid_number", severity: "error", count: 2 },
        { code: "too_many_fields", severity: "error", count: 1 },
        { code: "total_mismatch", severity: "warning", count: 1 },
      ],
      fields: [
        { field: "email", count: 3 },
        { field: "total", count: 3 },
      ],
    });
    expect((await call("GET", `/v1/runs/${runId}/issues/summary`, { key: TENANTS.globex.key })).status).toBe(
      404,
    );
    expect((await call("GET", "/v1/runs/run_missing/issues/summary")).status).toBe(404);
    expect((await call("GET", `/v1/runs/${runId}/issues/summary?limit=5`)).status).toBe(400);
    const openapi = await call<{ paths: Record<string, { get?: { operationId?: string } }> }>(
      "GET",
      "/v1/openapi.json",
      { key: null },
    );
    expect(openapi.body.paths["/v1/runs/{runId}/issues/summary"]?.get?.operationId).toBe(
      "summarizeRunIssues",
    );
  });

  it("name the file's column a transformation mapped onto the field, in JSON and in the CSV", async () => {
    const runId = await runWithIssues(["12,5", "x"]);
    await env.CONFIG_DB.prepare(
      "UPDATE run_issues SET field = 'userId', file_column = 'Customer Email' WHERE run_id = ?1 AND seq = 0",
    )
      .bind(runId)
      .run();
    const page = await call<{ items: Record<string, unknown>[] }>("GET", `/v1/runs/${runId}/issues`);
    expect(page.body.items[0]).toMatchObject({ row: 2, field: "userId", column: "Customer Email" });
    expect(Object.keys(page.body.items[0] ?? {})).toEqual([
      "row",
      "item",
      "field",
      "column",
      "code",
      "severity",
      "message",
      "value",
    ]);
    expect(page.body.items[1]).not.toHaveProperty("column");
    const csv = await call("GET", `/v1/runs/${runId}/issues?format=csv`);
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("row,item,field,code,severity,message,value,column");
    expect(lines[1]).toBe(
      '2,or1,userId,invalid_number,error,"""total"" must be a number; got ""12,5"".","12,5",Customer Email',
    );
    expect(lines[2]).toBe('3,or1,total,invalid_number,error,"""total"" must be a number; got ""x"".",x,');
  });

  it("downloads them as CSV with formulas neutralised", async () => {
    const runId = await runWithIssues(["12,5", '=HYPERLINK("http://evil")', "+1", "@SUM(A1)", "-2"]);
    const res = await call("GET", `/v1/runs/${runId}/issues?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toContain(`${runId}-issues.csv`);
    const lines = res.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("row,item,field,code,severity,message,value");
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe(
      '2,or1,total,invalid_number,error,"""total"" must be a number; got ""12,5"".","12,5"',
    );
    expect(lines[2]?.endsWith(`"'=HYPERLINK(""http://evil"")"`)).toBe(true);
    expect(lines[3]?.endsWith(",'+1")).toBe(true);
    expect(lines[4]?.endsWith(",'@SUM(A1)")).toBe(true);
    expect(lines[5]?.endsWith(",'-2")).toBe(true);
  });
});
