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
