import type { ImportView, IssuePage, RunView } from "../api";
import { type DashboardApp, type DashboardContext, keyRefused, requireCsrf, requireSession } from "../app";
import {
  FORMAT_LABELS,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  label,
  STATUS_LABELS,
  TRIGGER_LABELS,
  TYPE_LABELS,
} from "../labels";
import { Alert, CsrfField, Layout } from "../layout";
import { apiStatus, StatusBadge } from "./imports";

/** Issues per page of the run page's table. */
export const ISSUES_PER_PAGE = 50;

const FINISHED = new Set(["completed", "failed", "cancelled"]);

export function runDuration(run: RunView, now: Date): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? new Date(run.finishedAt) : now;
  return end.getTime() - new Date(run.startedAt).getTime();
}

/** What the run page's script polls: the run and the words it shows. */
export function runStatusView(run: RunView, now: Date) {
  const duration = runDuration(run, now);
  return {
    id: run.id,
    status: run.status,
    statusLabel: label(STATUS_LABELS, run.status),
    finished: FINISHED.has(run.status),
    progress: run.progress,
    progressText: progressText(run),
    durationText: duration === null ? "Not started" : formatDuration(duration),
    stats: run.stats,
    error: run.error,
  };
}

function progressText(run: RunView): string {
  const { bytesRead, bytesTotal } = run.progress;
  if (bytesTotal > 0) return `${formatBytes(bytesRead)} of ${formatBytes(bytesTotal)}`;
  return bytesRead > 0 ? `${formatBytes(bytesRead)} read` : "Waiting to start";
}

function Stat(props: { name: string; label: string; value: number }) {
  return (
    <div class="stat">
      <dt>{props.label}</dt>
      <dd data-stat={props.name}>{formatCount(props.value)}</dd>
    </div>
  );
}

function IssuesTable(props: {
  runId: string;
  page: IssuePage;
  from: number;
  cursor?: string;
  finished: boolean;
}) {
  const { page, from } = props;
  const to = from + page.items.length - 1;
  const base = `/runs/${encodeURIComponent(props.runId)}`;
  return (
    <section class="card" aria-labelledby="issues-heading">
      <div class="page-head">
        <h2 id="issues-heading">Issues ({formatCount(page.total)})</h2>
        {page.total > 0 ? (
          <a class="button secondary small" href={`${base}/issues.csv`} download>
            Download CSV
          </a>
        ) : null}
      </div>
      {page.total === 0 ? (
        <p class="muted">
          {props.finished
            ? "No issues: every item was valid."
            : "No issues so far. They appear here as the file is read."}
        </p>
      ) : (
        <>
          {page.total > page.items.length ? (
            <p class="muted">
              Issues {formatCount(from)}–{formatCount(to)} of {formatCount(page.total)}
              {page.total > 10_000 ? " (the first 10,000 are kept)" : ""}.
            </p>
          ) : null}
          <div class="table-wrap">
            <table class="issues responsive">
              <caption class="visually-hidden">Issues of this run</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Item</th>
                  <th scope="col">Field</th>
                  <th scope="col">Message</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((issue) => (
                  <tr>
                    <td data-label="Row" class="num">
                      {issue.row}
                    </td>
                    <td data-label="Item">{issue.item ?? "—"}</td>
                    <td data-label="Field">{issue.field ?? "—"}</td>
                    <td data-label="Message">{issue.message}</td>
                    <td data-label="Value">
                      {issue.value === null ? (
                        <span class="muted">(missing)</span>
                      ) : (
                        <code>{String(issue.value)}</code>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages of issues">
            {props.cursor ? <a href={base}>First page</a> : null}
            {page.nextCursor ? (
              <a href={`${base}?cursor=${encodeURIComponent(page.nextCursor)}&from=${to + 1}`}>Next page</a>
            ) : null}
          </nav>
        </>
      )}
    </section>
  );
}

interface RunPageProps {
  run: RunView;
  item: ImportView | null;
  issues: IssuePage | null;
  issuesError?: string;
  from: number;
  cursor?: string;
  csrf: string;
  error?: string;
}

function RunPage(props: RunPageProps) {
  const { run, item } = props;
  const view = runStatusView(run, new Date());
  const name = item?.name ?? run.importId;
  const total = run.progress.bytesTotal;
  const changedSince = item && run.dryRun && item.updatedAt > run.createdAt;
  return (
    <Layout
      title={`Run of ${name}`}
      csrf={props.csrf}
      scripts={view.finished ? ["submit-once.js"] : ["run.js", "submit-once.js"]}
    >
      <p>
        <a href="/">← Data Imports</a>
      </p>
      <div class="page-head">
        <h1>
          {run.dryRun ? "Dry run" : "Run"} of <span class="import-name">{name}</span>
        </h1>
      </div>
      {item ? (
        <p class="muted">
          {label(TYPE_LABELS, item.type)} · {label(FORMAT_LABELS, item.format)} ·{" "}
          {label(TRIGGER_LABELS, run.trigger)}{" "}
          <time datetime={run.createdAt}>{formatTime(run.createdAt)}</time>
        </p>
      ) : null}
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
      {run.dryRun ? (
        <section class="banner" aria-labelledby="dry-run-heading">
          <h2 id="dry-run-heading">This is a dry run</h2>
          <p>Nothing was written: the counts show what a real run would do.</p>
          {changedSince ? (
            <p>
              The import was changed after this dry run: Clone and import runs with the settings of this dry
              run, not the current ones.
            </p>
          ) : null}
          {run.status === "completed" ? (
            <form method="post" action={`/runs/${encodeURIComponent(run.id)}/clone`} data-submit-once>
              <CsrfField token={props.csrf} />
              <button type="submit" class="button">
                Clone and import
              </button>
            </form>
          ) : null}
        </section>
      ) : null}
      <section
        class="card run-live"
        id="run-live"
        data-run-id={run.id}
        data-finished={view.finished ? "true" : "false"}
        aria-labelledby="status-heading"
      >
        <h2 id="status-heading" class="visually-hidden">
          Status
        </h2>
        <div class="run-status" aria-live="polite">
          <span data-field="status">
            <StatusBadge status={run.status} />
          </span>
          <span>
            Duration <strong data-field="duration">{view.durationText}</strong>
          </span>
        </div>
        <div class="progress-line">
          <label for="run-progress">Progress</label>
          <progress
            id="run-progress"
            max={total > 0 ? total : 1}
            value={total > 0 ? run.progress.bytesRead : view.finished ? 1 : 0}
          >
            {view.progressText}
          </progress>
          <span data-field="progress">{view.progressText}</span>
        </div>
        {run.error ? (
          <Alert kind="error">
            <span data-field="error">{run.error.message}</span>
          </Alert>
        ) : (
          <div data-field="error-slot" />
        )}
        <dl class="stats">
          <Stat name="added" label="Added" value={run.stats.added} />
          <Stat name="updated" label="Updated" value={run.stats.updated} />
          <Stat name="unchanged" label="Unchanged" value={run.stats.unchanged} />
          <Stat name="itemsInvalid" label="Invalid" value={run.stats.itemsInvalid} />
          <Stat name="itemsRead" label="Items read" value={run.stats.itemsRead} />
          <Stat name="rowsRead" label="Rows read" value={run.stats.rowsRead} />
        </dl>
      </section>
      {props.issues ? (
        <IssuesTable
          runId={run.id}
          page={props.issues}
          from={props.from}
          cursor={props.cursor}
          finished={view.finished}
        />
      ) : props.issuesError ? (
        <Alert kind="error">{props.issuesError}</Alert>
      ) : null}
    </Layout>
  );
}

async function renderRun(
  c: DashboardContext,
  error?: string,
  status: 200 | 400 | 404 | 409 | 422 | 429 | 500 | 502 = 200,
) {
  const runId = c.req.param("id") ?? "";
  const run = await c.var.api.getRun(runId);
  if (!run.ok) {
    if (run.status === 401) return keyRefused(c);
    return c.html(
      <Layout title="Run" csrf={c.var.csrf}>
        <p>
          <a href="/">← Data Imports</a>
        </p>
        <h1>Run</h1>
        <Alert kind="error">{run.message}</Alert>
      </Layout>,
      apiStatus(run.status),
    );
  }
  const cursor = c.req.query("cursor") || undefined;
  const from = Math.max(1, Number.parseInt(c.req.query("from") ?? "1", 10) || 1);
  const [item, issues] = await Promise.all([
    c.var.api.getImport(run.body.importId),
    c.var.api.listIssues(runId, ISSUES_PER_PAGE, cursor),
  ]);
  return c.html(
    <RunPage
      run={run.body}
      item={item.ok ? item.body : null}
      issues={issues.ok ? issues.body : null}
      issuesError={issues.ok ? undefined : issues.message}
      from={cursor ? from : 1}
      cursor={cursor}
      csrf={c.var.csrf}
      error={error}
    />,
    status,
  );
}

export function registerRuns(app: DashboardApp): void {
  app.use("/runs/*", requireSession, requireCsrf);

  app.get("/runs/:id", (c) => renderRun(c));

  app.get("/runs/:id/status.json", async (c) => {
    const run = await c.var.api.getRun(c.req.param("id"));
    // The key was revoked since sign-in: the session ends, and the page stops polling.
    if (!run.ok && run.status === 401) return keyRefused(c);
    if (!run.ok) return c.json({ error: { code: run.code, message: run.message } }, apiStatus(run.status));
    return c.json(runStatusView(run.body, new Date()));
  });

  // The download passes through the dashboard: the browser has the session, not the API key.
  app.get("/runs/:id/issues.csv", async (c) => {
    const response = await c.var.api.raw(
      "GET",
      `/v1/runs/${encodeURIComponent(c.req.param("id"))}/issues?format=csv`,
    );
    if (!response.ok) {
      const text = await response.text();
      let message = `The API answered ${response.status}.`;
      try {
        message = (JSON.parse(text) as { error: { message: string } }).error.message;
      } catch {}
      return c.text(message, apiStatus(response.status));
    }
    const headers = new Headers({
      "content-type": response.headers.get("content-type") ?? "text/csv; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    const disposition = response.headers.get("content-disposition");
    headers.set("content-disposition", disposition ?? `attachment; filename="issues.csv"`);
    return new Response(response.body, { status: 200, headers });
  });

  // "Clone and import": the real run of the dry run's import, with the dry run's configuration.
  app.post("/runs/:id/clone", async (c) => {
    const dry = await c.var.api.getRun(c.req.param("id"));
    if (!dry.ok) return renderRun(c, dry.message, apiStatus(dry.status));
    if (!dry.body.dryRun)
      return renderRun(c, "This run was not a dry run: start a new run from the imports list.", 409);
    const run = await c.var.api.cloneRun(dry.body.id, false);
    if (!run.ok) return renderRun(c, run.message, apiStatus(run.status));
    return c.redirect(`/runs/${encodeURIComponent(run.body.id)}`, 303);
  });
}
