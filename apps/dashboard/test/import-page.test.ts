import type { RunStats } from "@cdp/core";
import { describe, expect, it } from "vitest";
import type { ImportView, RunView } from "../src/api";
import { firstSentence, formatRelative, startedByText } from "../src/labels";
import { dashboardWith, FakeApi, sampleImport, sampleRun, signIn } from "./fake-api";

async function signedIn(api: FakeApi) {
  const fetchDashboard = dashboardWith(api);
  const session = await signIn(fetchDashboard);
  return (path: string) => fetchDashboard(path, { headers: { cookie: session.cookie } });
}

/** The words of a page as a reader sees them: no tags, entities decoded, spaces collapsed. */
const words = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ")
    .trim();

const stats = (overrides: Partial<RunStats> = {}): RunStats => ({
  rowsRead: 20,
  itemsRead: 10,
  itemsValid: 10,
  itemsInvalid: 0,
  added: 10,
  updated: 0,
  unchanged: 0,
  ...overrides,
});

const MINUTE = 60_000;
const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE).toISOString();
/** A run's times: queued and started `minutes` ago, finished 2 s later. */
const timed = (minutes: number) => ({
  createdAt: ago(minutes),
  startedAt: ago(minutes),
  finishedAt: new Date(Date.now() - minutes * MINUTE + 2000).toISOString(),
});

function lastRunOf(run: RunView): ImportView["lastRun"] {
  return {
    id: run.id,
    status: run.status,
    trigger: run.trigger,
    dryRun: run.dryRun,
    stats: run.stats,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/** Imports whose last runs ended in every way a run can. */
function importsOfEveryOutcome(api: FakeApi) {
  const runs = {
    healthy: sampleRun({ id: "run_ok", importId: "imp_ok", stats: stats(), finishedAt: ago(180) }),
    issues: sampleRun({
      id: "run_bad",
      importId: "imp_bad",
      stats: stats({ itemsValid: 7, itemsInvalid: 3, added: 7 }),
      finishedAt: ago(30),
    }),
    failed: sampleRun({
      id: "run_failed",
      importId: "imp_failed",
      status: "failed",
      stats: stats({ rowsRead: 0, itemsRead: 0, itemsValid: 0, added: 0 }),
      progress: { bytesRead: 0, bytesTotal: 0 },
      error: {
        code: "missing_columns",
        message: 'The file is missing required columns: "orderId". Rename the columns or export them.',
      },
      finishedAt: ago(5),
    }),
    cancelled: sampleRun({ id: "run_cancelled", importId: "imp_cancelled", status: "cancelled" }),
    running: sampleRun({
      id: "run_running",
      importId: "imp_running",
      status: "in_progress",
      finishedAt: null,
      startedAt: ago(1),
    }),
    dry: sampleRun({ id: "run_dry", importId: "imp_dry", dryRun: true, stats: stats() }),
  };
  const names = {
    healthy: "Nightly orders",
    issues: "CRM customers",
    failed: "Shopify export",
    cancelled: "Old catalogue",
    running: "Big backfill",
    dry: "Trial products",
  };
  const types = {
    healthy: "orders",
    issues: "customers",
    failed: "orders",
    cancelled: "products",
    running: "orders",
    dry: "products",
  };
  for (const key of Object.keys(runs) as (keyof typeof runs)[]) {
    const run = runs[key];
    api.runs.push(run);
    api.imports.push(
      sampleImport({
        id: run.importId,
        name: names[key],
        type: types[key],
        format: types[key] === "products" ? "jsonl" : types[key] === "customers" ? "csv" : "velocidi_csv",
        lastRun: lastRunOf(run),
      }),
    );
  }
  api.imports.push(sampleImport({ id: "imp_never", name: "Not yet run", lastRun: null }));
  return runs;
}

/** The list's row of an import, by its name. */
function rowOf(html: string, name: string): string {
  const row = html.split("<tr>").find((r) => r.includes(`>${name}</a>`));
  if (!row) throw new Error(`no row ${name}`);
  return row;
}

describe("the imports list's statuses", () => {
  it("tells completed, completed with invalid items, failed, cancelled, running and dry runs apart", async () => {
    const api = new FakeApi();
    importsOfEveryOutcome(api);
    const get = await signedIn(api);
    const html = await (await get("/")).text();

    const healthy = rowOf(html, "Nightly orders");
    expect(healthy).toContain('data-outcome="completed"');
    expect(words(healthy)).toMatch(
      /✓ Completed 10 added 0 updated 0 unchanged 0 invalid Finished 3 hours ago/,
    );
    expect(healthy).toMatch(
      /<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">3 hours ago<\/time>/,
    );

    const issues = rowOf(html, "CRM customers");
    expect(issues).toContain('class="badge outcome-issues"');
    expect(words(issues)).toContain("Completed with 3 invalid items");
    expect(issues).toMatch(/class="count count-invalid count-bad"><strong>3<\/strong> invalid/);

    const failed = rowOf(html, "Shopify export");
    expect(failed).toContain('class="badge outcome-failed"');
    // The first sentence of the error, and no counts for a run that read nothing.
    expect(words(failed)).toContain(
      'Failed The file is missing required columns: "orderId". Finished 5 minutes ago',
    );
    expect(words(failed)).not.toContain("Rename the columns");
    expect(failed).not.toContain('data-live="counts"');

    expect(rowOf(html, "Old catalogue")).toContain('class="badge outcome-cancelled"');
    const running = rowOf(html, "Big backfill");
    expect(running).toContain('data-live-run="run_running"');
    expect(words(running)).toContain("Running");
    // A run that is going has one action: to follow it.
    expect(running).toContain('aria-label="Follow run: Big backfill"');
    expect(running).not.toContain("Run now: Big backfill");

    expect(words(rowOf(html, "Trial products"))).toContain("✓ Completed Dry run");
    expect(words(rowOf(html, "Not yet run"))).toContain("Never run");
    expect(html).toContain('<script src="/js/live.js" defer=""></script>');
  });

  it("has one primary action per row, the others in its menu, and links each name to its page", async () => {
    const api = new FakeApi();
    importsOfEveryOutcome(api);
    const get = await signedIn(api);
    const row = rowOf(await (await get("/")).text(), "Nightly orders");
    expect(row.match(/class="button small"/g)).toHaveLength(1);
    expect(row).toContain('<a class="import-name" href="/imports/imp_ok">Nightly orders</a>');
    const menu = /<details class="menu">([\s\S]*)<\/details>/.exec(row)?.[1] ?? "";
    expect(menu).toContain('aria-label="More actions for Nightly orders"');
    for (const action of ["Open import", "Dry run", "Edit", "Delete"]) expect(words(menu)).toContain(action);
    expect(menu).toContain('href="/imports/imp_ok/edit"');
    expect(menu).toContain('href="/imports/imp_ok/delete"');
  });

  it("searches names and ids whatever their case, and filters by type and by the last run's status", async () => {
    const api = new FakeApi();
    importsOfEveryOutcome(api);
    const get = await signedIn(api);
    const names = async (query: string) => {
      const html = await (await get(`/${query}`)).text();
      return [...html.matchAll(/class="import-name" href="[^"]+">([^<]+)</g)].map((m) => m[1]);
    };
    expect(await names("?q=orders")).toEqual(["Nightly orders"]);
    expect(await names("?q=IMP_BAD")).toEqual(["CRM customers"]);
    expect(await names("?type=products")).toEqual(["Old catalogue", "Trial products"]);
    expect(await names("?status=failed")).toEqual(["Shopify export"]);
    expect(await names("?status=issues")).toEqual(["CRM customers"]);
    expect(await names("?status=running")).toEqual(["Big backfill"]);
    expect(await names("?status=never")).toEqual(["Not yet run"]);
    expect(await names("?type=orders&status=completed")).toEqual(["Nightly orders"]);

    const none = await (await get("/?q=nothing+like+this")).text();
    expect(words(none)).toContain("0 imports of 7 match");
    expect(words(none)).toContain("No import matches");
    expect(none).toContain('value="nothing like this"');
    // The choices made stay chosen; an unknown one is ignored, not an error.
    const chosen = await (await get("/?type=products&status=bogus")).text();
    expect(chosen).toContain('<option value="products" selected="">Products</option>');
    expect(words(chosen)).toContain("2 imports of 7 match");
  });

  it("pages the filtered list, keeping the filter", async () => {
    const api = new FakeApi();
    for (let i = 0; i < 60; i++)
      api.imports.push(sampleImport({ id: `imp_${i}`, name: `Orders ${String(i).padStart(2, "0")}` }));
    const get = await signedIn(api);
    const first = await (await get("/?q=orders")).text();
    expect(first.match(/class="import-name"/g)).toHaveLength(50);
    expect(words(first)).toContain("Page 1 of 2");
    expect(first).toContain('href="/?q=orders&amp;page=2">Next page</a>');
    const second = await (await get("/?q=orders&page=2")).text();
    expect(second.match(/class="import-name"/g)).toHaveLength(10);
  });
});

describe("an import's page", () => {
  function importWithHistory(api: FakeApi) {
    api.imports.push(
      sampleImport({
        id: "imp_h",
        name: "Nightly customers",
        type: "customers",
        format: "csv",
        source: {
          type: "url",
          url: "https://exports.example.com/customers.csv",
          headers: { Authorization: "***", "X-Api-Key": "***" },
        },
        options: { userIdField: "email", userIdType: "email", hashUserIds: true, delimiter: ";" },
        transformations: [
          {
            op: "rename",
            from: "number_of_orders",
            to: "completedOrders",
            values: [
              { type: "map", mappings: [{ from: "1", to: "one" }] },
              { type: "cast", to: "integer" },
            ],
          },
          {
            op: "copy",
            from: "signup",
            to: "signupAt",
            values: [{ type: "timestamp", pattern: "yyyy/MM/dd" }],
          },
          { op: "add", field: "channel", value: 0 },
          { op: "delete", field: "legacy" },
        ],
        schedule: {
          everyDays: 3,
          startAt: "2026-12-01T02:00:00Z",
          enabled: true,
          nextRunAt: new Date(Date.now() + 5 * 3_600_000).toISOString(),
          lastRunAt: ago(10),
          lastRunStatus: "failed",
          consecutiveFailures: 2,
          lastSkippedSlot: "2026-12-04T02:00:00.000Z",
          lastSkippedReason: "a run was still in progress",
        },
      }),
    );
    const base = { importId: "imp_h" };
    const history: RunView[] = [
      sampleRun({ ...base, id: "run_a", stats: stats(), ...timed(400), startedBy: undefined }),
      sampleRun({
        ...base,
        id: "run_b",
        stats: stats({ itemsInvalid: 4, itemsValid: 6, added: 0, updated: 6 }),
        ...timed(300),
        startedBy: "key:ab12cd34",
      }),
      sampleRun({
        ...base,
        id: "run_c",
        status: "failed",
        trigger: "schedule",
        stats: stats({ rowsRead: 0, itemsRead: 0, itemsValid: 0, added: 0 }),
        progress: { bytesRead: 0, bytesTotal: 0 },
        error: { code: "source_unreachable", message: "The server did not answer. It may be down." },
        ...timed(200),
        startedBy: "schedule",
      }),
      sampleRun({
        ...base,
        id: "run_d",
        status: "cancelled",
        stats: stats({ added: 3, unchanged: 2, itemsRead: 5 }),
        ...timed(100),
        startedBy: "dashboard:ef56ab78",
      }),
    ];
    api.runs.push(...history);
    return history;
  }

  it("says the configuration in words, with its secrets masked", async () => {
    const api = new FakeApi();
    importWithHistory(api);
    const get = await signedIn(api);
    const res = await get("/imports/imp_h");
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = words(html);
    expect(html).toContain('<h1 class="import-name">Nightly customers</h1>');
    expect(text).toContain("Imports Customers as CSV");
    expect(text).toContain("Source URL URL https://exports.example.com/customers.csv");
    expect(text).toContain("Sends the headers Authorization, X-Api-Key (stored encrypted)");
    expect(html).not.toContain("***");
    expect(text).toContain("Plain e-mail addresses and phone numbers are stored as their SHA-256");
    expect(text).toContain("User ids from email , of type email");
    expect(text).toContain("Delimiter: semicolon");
    expect(text).toContain(
      "Rename number_of_orders to completedOrders , then map 1 → one , then cast to integer",
    );
    expect(text).toContain("Copy signup to signupAt , then read as a date with the pattern yyyy/MM/dd");
    expect(text).toContain("Add channel with the value 0");
    expect(text).toContain("Delete legacy");
    for (const action of ["Run now", "Dry run", "Edit", "Delete"]) expect(text).toContain(action);
    expect(html).toContain('action="/imports/imp_h/runs"');
  });

  it("shows the schedule's state: every N days, next run, last run, failures in a row, a skipped slot and why", async () => {
    const api = new FakeApi();
    importWithHistory(api);
    const get = await signedIn(api);
    const text = words(await (await get("/imports/imp_h")).text());
    expect(text).toContain("Schedule Every 3 days, from 2026-12-01 02:00 UTC");
    expect(text).toMatch(/Next run in 5 hours \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    expect(text).toContain("Failures in a row 2 scheduled runs failed since the last that completed");
    expect(text).toContain("Skipped slot 2026-12-04 02:00 UTC was skipped: a run was still in progress.");
  });

  it("lists the runs newest first with trigger, status, start, duration and counts, each linked to its page", async () => {
    const api = new FakeApi();
    importWithHistory(api);
    const get = await signedIn(api);
    const html = await (await get("/imports/imp_h")).text();
    const table = /<table class="history responsive">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    const rows = table.split("<tr data-run-id=").slice(1);
    expect(rows.map((r) => r.slice(1, 6))).toEqual(["run_d", "run_c", "run_b", "run_a"]);
    expect(rows[0]).toContain('href="/runs/run_d"');
    expect(words(rows[0] ?? "")).toMatch(/By hand Dashboard, key ef56ab78… – Cancelled 2 s 3 0 2 0$/);
    // The failed run read nothing: it claims no counts.
    expect(words(rows[1] ?? "")).toMatch(/Schedule ✕ Failed The server did not answer\. \d+ s — — — —$/);
    expect(words(rows[2] ?? "")).toContain("By hand API key ab12cd34… ! Completed with 4 invalid items");
    // No startedBy in the run: nothing is said about who started it.
    expect(words(rows[3] ?? "")).toMatch(/ago By hand ✓ Completed 2 s 10 0 0 0$/);
  });

  it("pages the history with the API's cursor", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport({ id: "imp_many" }));
    for (let i = 0; i < 45; i++)
      api.runs.push(sampleRun({ id: `run_${String(i).padStart(2, "0")}`, importId: "imp_many" }));
    const get = await signedIn(api);
    const first = await (await get("/imports/imp_many")).text();
    expect(first.match(/<tr data-run-id=/g)).toHaveLength(20);
    expect(first).toContain('data-run-id="run_44"');
    expect(first).toContain('href="/imports/imp_many?cursor=20#history-heading">Older runs</a>');
    const third = await (await get("/imports/imp_many?cursor=40")).text();
    expect(third.match(/<tr data-run-id=/g)).toHaveLength(5);
    expect(third).toContain('href="/imports/imp_many#history-heading">Newest runs</a>');
    expect(third).not.toContain("Older runs");
    expect(api.calls.some((c) => c.path === "/v1/imports/imp_many/runs?limit=20&cursor=40")).toBe(true);
  });

  it("draws the last runs as stacked bars with patterns, marks failed and cancelled runs, and describes them in words", async () => {
    const api = new FakeApi();
    importWithHistory(api);
    const get = await signedIn(api);
    const html = await (await get("/imports/imp_h")).text();
    const svg = /<svg class="chart-svg"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    expect(svg).toContain('role="img"');
    expect(words(/aria-label="([^"]+)"/.exec(svg)?.[1] ?? "")).toBe(
      "Items of the last 4 runs, oldest to newest: 1 completed, 1 completed with invalid items, 1 failed, 1 cancelled. Each bar stacks the items added, updated, unchanged and invalid. The run history below lists each run's counts.",
    );
    for (const pattern of ["chart-added", "chart-updated", "chart-unchanged", "chart-invalid"])
      expect(svg).toContain(`<pattern id="${pattern}"`);
    // Oldest on the left: run_a, then run_b with its invalid items on top of its updates.
    const bars = [...svg.matchAll(/data-run-id="(run_\w)"[\s\S]*?<\/g>/g)].map((m) => m[0]);
    expect(bars.map((b) => /run_\w/.exec(b)?.[0])).toEqual(["run_a", "run_b", "run_c", "run_d"]);
    expect([...(bars[1] ?? "").matchAll(/class="bar bar-(\w+)"/g)].map((m) => m[1])).toEqual([
      "updated",
      "invalid",
    ]);
    expect(bars[2]).toContain('class="mark mark-failed"');
    expect(bars[2]).not.toContain('class="bar ');
    expect(bars[3]).toContain('class="mark mark-cancelled"');
    expect(html).toMatch(/<ul class="chart-legend" aria-label="Legend">/);
  });

  it("answers 404 with the API's words for an import that is not there", async () => {
    const get = await signedIn(new FakeApi());
    const res = await get("/imports/imp_gone");
    expect(res.status).toBe(404);
    expect(words(await res.text())).toContain("No import 'imp_gone'.");
  });

  it("still opens the wizard at /imports/new", async () => {
    const get = await signedIn(new FakeApi());
    expect(words(await (await get("/imports/new")).text())).toContain("New Import");
  });
});

describe("words of times, errors and starters", () => {
  const now = new Date("2026-11-20T12:00:00Z");
  it("says how long ago or how soon, in the largest unit that fits", () => {
    expect(formatRelative("2026-11-20T11:59:40Z", now)).toBe("just now");
    expect(formatRelative("2026-11-20T11:58:00Z", now)).toBe("2 minutes ago");
    expect(formatRelative("2026-11-20T09:00:00Z", now)).toBe("3 hours ago");
    expect(formatRelative("2026-11-19T12:00:00Z", now)).toBe("1 day ago");
    expect(formatRelative("2026-11-23T12:00:00Z", now)).toBe("in 3 days");
    expect(formatRelative("2026-08-01T12:00:00Z", now)).toBe("on 2026-08-01");
  });

  it("cuts an error after its first sentence, not inside a number or a name", () => {
    expect(firstSentence("The file is empty. Check the export.")).toBe("The file is empty.");
    expect(firstSentence("Part 2 of 3 (from line 1.5 MB) failed.")).toBe(
      "Part 2 of 3 (from line 1.5 MB) failed.",
    );
    expect(firstSentence("No file at 'a.csv'. Put it there.")).toBe("No file at 'a.csv'.");
  });

  it("names who started a run, and nothing where the trigger says it", () => {
    expect(startedByText("key:ab12cd34")).toBe("API key ab12cd34…");
    expect(startedByText("dashboard:ab12cd34")).toBe("Dashboard, key ab12cd34…");
    expect(startedByText("schedule")).toBeNull();
    expect(startedByText(undefined)).toBeNull();
  });
});
