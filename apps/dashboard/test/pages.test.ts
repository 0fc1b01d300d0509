import { describe, expect, it } from "vitest";
import { type Dashboard, dashboardWith, FakeApi, ORIGIN, sampleImport, sampleRun, signIn } from "./fake-api";

const SCRIPT = "<img src=x onerror=alert(1)>";

async function signedIn(api: FakeApi): Promise<{
  get: (path: string) => Promise<Response>;
  session: Awaited<ReturnType<typeof signIn>>;
  fetchDashboard: Dashboard;
}> {
  const fetchDashboard = dashboardWith(api);
  const session = await signIn(fetchDashboard);
  return {
    get: (path) => fetchDashboard(path, { headers: { cookie: session.cookie } }),
    session,
    fetchDashboard,
  };
}

describe("the imports list", () => {
  it("shows Collect > Data Imports with each import's type, format, source, schedule and last run", async () => {
    const api = new FakeApi();
    api.imports.push(
      sampleImport({
        schedule: {
          everyDays: 3,
          startAt: "2026-12-01T02:00:00Z",
          enabled: true,
          nextRunAt: "2026-12-04T02:00:00.000Z",
          lastRunAt: null,
          lastRunStatus: null,
        },
        lastRun: {
          id: "run_9",
          status: "completed",
          createdAt: "2026-11-20T10:00:00Z",
          finishedAt: "2026-11-20T10:05:00Z",
        },
      }),
    );
    const { get } = await signedIn(api);
    const res = await get("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>Data Imports</h1>");
    expect(html).toMatch(/<span>Collect<\/span>[\s\S]*Data Imports/);
    expect(html).toMatch(/<a class="button" href="\/imports\/new">New Import<\/a>/);
    for (const text of [
      "Historic orders",
      "Orders",
      "Velocidi CSV",
      "Uploaded file",
      "Every 3 days",
      "2026-12-04 02:00 UTC",
      "Completed",
      "2026-11-20 10:05 UTC",
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('href="/runs/run_9"');
    for (const action of ["Run now", "Dry run", "Edit", "Delete"]) expect(html).toContain(`>${action}<`);
  });

  it("sends Run now and Dry run once: their forms are guarded by a script against double submits", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    const { get } = await signedIn(api);
    const html = await (await get("/")).text();
    const runForms = [...html.matchAll(/<form method="post" action="\/imports\/imp_1\/runs"([^>]*)>/g)];
    expect(runForms).toHaveLength(2);
    for (const form of runForms) expect(form[1]).toContain("data-submit-once");
    expect(html).toContain('<script src="/js/submit-once.js" defer=""></script>');
    const confirm = await (await get("/imports/imp_1/delete")).text();
    expect(confirm).toMatch(/<form[^>]*action="\/imports\/imp_1\/delete"[^>]*data-submit-once/);
    expect(confirm).toContain('<script src="/js/submit-once.js" defer=""></script>');
  });

  it("shows an import's name from a user as text, never as HTML", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport({ name: SCRIPT }));
    const { get } = await signedIn(api);
    const res = await get("/");
    const html = await res.text();
    expect(html).not.toContain(SCRIPT);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("asks before deleting, then deletes", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    const { get, session, fetchDashboard } = await signedIn(api);
    const confirm = await (await get("/imports/imp_1/delete")).text();
    expect(confirm).toContain("Delete this import?");
    expect(api.calls.some((c) => c.method === "DELETE")).toBe(false);
    const res = await fetchDashboard("/imports/imp_1/delete", {
      method: "POST",
      headers: {
        cookie: session.cookie,
        origin: ORIGIN,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: session.csrf }),
    });
    expect(res.status).toBe(303);
    expect(api.calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual(["/v1/imports/imp_1"]);
  });

  it("shows the API's error as it is when a run cannot start", async () => {
    const { get, session, fetchDashboard } = await signedIn(new FakeApi());
    const res = await fetchDashboard("/imports/imp_gone/runs", {
      method: "POST",
      headers: {
        cookie: session.cookie,
        origin: ORIGIN,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: session.csrf, dryRun: "true" }),
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("No import &#39;imp_gone&#39;.");
    expect((await get("/")).status).toBe(200);
  });
});

describe("the run page", () => {
  it("shows status, duration, counts and the issues with their values as text", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    api.runs.push(sampleRun());
    api.issues.push({
      row: 8,
      item: "or4",
      field: "total",
      code: "invalid_number",
      severity: "error",
      message: '"total" must be a number, like 102.5; got "12,5".',
      value: SCRIPT,
    } as never);
    const { get } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    expect(html).toContain("Completed with 1 invalid item");
    expect(html).toMatch(/Duration <strong data-field="duration">3 s</);
    expect(html).toMatch(/data-stat="added">14</);
    expect(html).toMatch(/data-stat="itemsInvalid">1</);
    expect(html).toContain("&quot;total&quot; must be a number");
    expect(html).not.toContain(SCRIPT);
    expect(html).toContain("<code>&lt;img src=x onerror=alert(1)&gt;</code>");
    expect(html).toContain('href="/runs/run_1/issues.csv"');
    // A finished run needs no polling script.
    expect(html).not.toContain("/js/run.js");
  });

  it("pages through the issues, numbering them across pages", async () => {
    const api = new FakeApi();
    api.runs.push(sampleRun({ stats: { ...sampleRun().stats, itemsInvalid: 120 } }));
    for (let i = 0; i < 120; i++) {
      api.issues.push({
        row: i + 2,
        item: `or${i + 1}`,
        field: "total",
        code: "invalid_number",
        severity: "error",
        message: "bad",
        value: "x",
      } as never);
    }
    const { get } = await signedIn(api);
    const first = await (await get("/runs/run_1")).text();
    expect(first).toContain("Errors 1–50 of 120.");
    const next = /href="(\/runs\/run_1\?[^"]+)">Next page</.exec(first)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toBe("/runs/run_1?severity=error&cursor=50&from=51#issues-heading");
    const second = await (await get(next ?? "")).text();
    expect(second).toContain("Errors 51–100 of 120.");
    expect(second).toContain('<td data-label="Item">or51</td>');
    expect(second).toContain('<a href="/runs/run_1?severity=error#issues-heading">First page</a>');
  });

  it("passes the issues CSV through as a download", async () => {
    const api = new FakeApi();
    api.runs.push(sampleRun());
    const { get } = await signedIn(api);
    const res = await get("/runs/run_1/issues.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="run_1-issues.csv"');
    expect(await res.text()).toMatch(/^row,item,field,code,severity,message,value\r\n8,or4,total/);
  });

  it("offers Clone and import on a finished dry run, which starts the real run", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    api.runs.push(sampleRun({ dryRun: true }));
    const { get, session, fetchDashboard } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    expect(html).toContain("This is a dry run");
    expect(html).toContain("Clone and import");
    expect(html).toMatch(/<form method="post" action="\/runs\/run_1\/clone" data-submit-once/);
    expect(html).toContain('<script src="/js/submit-once.js" defer=""></script>');
    const res = await fetchDashboard("/runs/run_1/clone", {
      method: "POST",
      headers: {
        cookie: session.cookie,
        origin: ORIGIN,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: session.csrf }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/runs/run_2");
    expect(api.calls.at(-1)).toEqual({
      method: "POST",
      path: "/v1/runs/run_1/clone",
      body: { dryRun: false },
    });
  });

  it("polls a run that is still going", async () => {
    const api = new FakeApi();
    api.runs.push(
      sampleRun({ status: "in_progress", finishedAt: null, progress: { bytesRead: 1000, bytesTotal: 4000 } }),
    );
    const { get } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    expect(html).toContain('<script src="/js/run.js" defer=""></script>');
    const status = (await (await get("/runs/run_1/status.json")).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      status: "in_progress",
      statusLabel: "Running",
      finished: false,
      progressText: "1.0 KB of 4.0 KB (25%)",
      outcome: { kind: "running", label: "Running" },
    });
  });
});

/** The words of a page as a reader sees them. */
const words = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ")
    .replace(/ ([,.:;])/g, "$1")
    .trim();

const issue = (code: string, field: string | null, severity: "error" | "warning", item: string) =>
  ({ row: 2, item, field, code, severity, message: `${code} of ${item}`, value: "x" }) as never;

describe("the run page's honest states", () => {
  it("shows a failed run's error and what to do, with no progress bar and no claim about items", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    api.runs.push(
      sampleRun({
        status: "failed",
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
        error: { code: "invalid_encoding", message: "The file is not valid utf-8 at byte 12." },
      }),
    );
    const { get } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    const text = words(html);
    expect(html).not.toContain("<progress");
    expect(html).not.toContain("data-stat=");
    expect(text).not.toMatch(/Waiting to start|every item was valid|No issues/);
    expect(text).toContain("✕ Failed");
    expect(text).toContain("What failed The file is not valid utf-8 at byte 12.");
    expect(text).toMatch(
      /What to do The file is in another encoding than the import reads: choose the file's encoding/,
    );
    expect(html).toContain('<a href="/imports/imp_1/edit?step=options">Edit the options</a>');
    expect(text).toContain("Nothing was imported: the file could not be read.");
    // It can be run again, and its import is one click away.
    expect(html).toMatch(
      /<form method="post" action="\/imports\/imp_1\/runs"[^>]*>[\s\S]*?Run again<\/button>/,
    );
    expect(html).toContain('<a class="button secondary" href="/imports/imp_1">Open the import</a>');
  });

  it("shows a queued run waiting, without a progress bar or counts, with Cancel", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    api.runs.push(
      sampleRun({
        status: "queued",
        startedAt: null,
        finishedAt: null,
        progress: { bytesRead: 0, bytesTotal: 0 },
        startedBy: "dashboard:ab12cd34",
      }),
    );
    const { get } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    expect(html).not.toContain("<progress");
    expect(html).not.toContain("data-stat=");
    expect(words(html)).toContain("Waiting for its turn to start");
    expect(words(html)).toContain("Started by Dashboard, key ab12cd34…");
    expect(html).toContain(
      '<a class="button danger-outline" href="/runs/run_1/cancel" data-dialog="cancel-dialog">',
    );
    expect(html).toContain('<dialog id="cancel-dialog"');
    expect(html).toContain('<script src="/js/confirm.js" defer=""></script>');
  });

  it("says nothing of who started a run when the API does not say", async () => {
    const api = new FakeApi();
    api.runs.push(sampleRun({ startedBy: undefined }));
    const { get } = await signedIn(api);
    expect(await (await get("/runs/run_1")).text()).not.toContain("Started by");
  });

  it("cancels a running run after asking, and then shows it cancelled", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    api.runs.push(
      sampleRun({ status: "in_progress", finishedAt: null, progress: { bytesRead: 10, bytesTotal: 40 } }),
    );
    const { get, session, fetchDashboard } = await signedIn(api);
    const confirm = await (await get("/runs/run_1/cancel")).text();
    expect(words(confirm)).toContain("Cancel this run?");
    expect(api.calls.some((c) => c.path.endsWith("/cancel"))).toBe(false);
    const post = () =>
      fetchDashboard("/runs/run_1/cancel", {
        method: "POST",
        headers: {
          cookie: session.cookie,
          origin: ORIGIN,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ _csrf: session.csrf }),
      });
    const res = await post();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/runs/run_1");
    expect(api.calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/v1/runs/run_1/cancel",
    ]);
    const flash =
      res.headers
        .getSetCookie()
        .find((c) => c.startsWith("cdp_flash="))
        ?.split(";")[0] ?? "";
    const page = await (
      await fetchDashboard("/runs/run_1", { headers: { cookie: `${session.cookie}; ${flash}` } })
    ).text();
    expect(words(page)).toContain("The run was cancelled.");
    expect(page).toContain('data-outcome="cancelled"');
    expect(page).not.toContain("Cancel run");
    // Cancelling a run that has ended answers the API's reason.
    const again = await post();
    expect(again.status).toBe(409);
    expect(words(await again.text())).toContain("The run has already ended: it is cancelled.");
  });
});

describe("the run page's issues", () => {
  function runWithIssues(api: FakeApi) {
    api.imports.push(sampleImport());
    api.runs.push(sampleRun({ stats: { ...sampleRun().stats, itemsInvalid: 4 } }));
    api.issues.push(
      issue("invalid_email", "email", "error", "c1"),
      issue("missing_field", "userId", "error", "c2"),
      issue("invalid_email", "email", "error", "c3"),
      issue("total_mismatch", "total", "warning", "c4"),
      issue("invalid_email", "email", "error", "c5"),
      issue("invalid_number", "total", "error", "c6"),
    );
  }

  const items = (html: string) =>
    [...html.matchAll(/<td data-label="Item">(?:<a [^>]*>)?([^<]+)</g)].map((m) => m[1]);

  it("groups the errors by code with counts, and keeps the warnings apart, not counted as invalid", async () => {
    const api = new FakeApi();
    runWithIssues(api);
    const { get } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    const text = words(html);
    expect(text).toContain("5 errors in 4 invalid items · 1 warning, not counted as invalid");
    expect(text).toContain("invalid_email: 3 invalid_number: 1 missing_field: 1");
    expect(text).toContain("Errors (5) Warnings (1)");
    expect(items(html)).toEqual(["c1", "c2", "c3", "c5", "c6"]);
    expect(html).toContain('href="/runs/run_1?severity=error&amp;code=invalid_email#issues-heading"');

    const warnings = await (await get("/runs/run_1?severity=warning")).text();
    expect(items(warnings)).toEqual(["c4"]);
    // A warning's item was imported: it links to its order.
    expect(warnings).toContain('<td data-label="Item"><a href="/orders/c4">c4</a></td>');
    expect(words(warnings)).toContain("Warnings are not counted as invalid: their items were imported.");
    expect(warnings).toContain('class="issues responsive issues-warning"');
    expect(words(warnings)).toContain("total_mismatch: 1");
  });

  it("filters by code and by field, keeping the filter while paging", async () => {
    const api = new FakeApi();
    runWithIssues(api);
    const { get } = await signedIn(api);
    const byCode = await (await get("/runs/run_1?severity=error&code=invalid_email")).text();
    expect(items(byCode)).toEqual(["c1", "c3", "c5"]);
    expect(words(byCode)).toContain("Errors 1–3 of 3 that match.");
    expect(byCode).toContain('<option value="invalid_email" selected="">invalid_email (3)</option>');
    expect(api.calls.filter((call) => call.path.includes("/issues?")).at(-1)?.path).toBe(
      "/v1/runs/run_1/issues?limit=50&severity=error&code=invalid_email",
    );
    const byField = await (await get("/runs/run_1?severity=error&field=total")).text();
    expect(items(byField)).toEqual(["c6"]);
    expect(byField).toContain('<option value="total" selected="">total</option>');
    expect(byField).toContain('href="/runs/run_1?severity=error#issues-heading">Clear filters</a>');
  });

  it("says a completed run with no issues had every item valid", async () => {
    const api = new FakeApi();
    api.runs.push(sampleRun({ stats: { ...sampleRun().stats, itemsInvalid: 0 } }));
    const { get } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    expect(words(html)).toContain("No issues: every item was valid.");
    expect(html).toContain('data-outcome="completed"');
  });
});

describe("the run page's polling answers", () => {
  it("401 when the API refuses the key (the session ends), 404 for a run that is gone: both stop the polling", async () => {
    const api = new FakeApi();
    api.runs.push(sampleRun({ status: "in_progress", finishedAt: null }));
    const { get } = await signedIn(api);
    const gone = await get("/runs/run_gone/status.json");
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: "not_found" } });
    api.keys.clear();
    const res = await get("/runs/run_1/status.json");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "signed_out", message: "Your session has ended: sign in again." },
    });
    expect(res.headers.getSetCookie().join("; ")).toMatch(/cdp_session=;/);
  });
});

describe("static files", () => {
  it("serves the stylesheet and the client scripts without a session", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    expect(await (await fetchDashboard("/styles.css")).text()).toContain("--accent");
    expect(await (await fetchDashboard("/js/wizard.js")).text()).toContain("textContent");
    expect(await (await fetchDashboard("/js/submit-once.js")).text()).toContain("data-submit-once");
  });
});
