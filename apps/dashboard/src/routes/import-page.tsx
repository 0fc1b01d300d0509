import type { Child } from "hono/jsx";
import type { ImportView, Page, RunView } from "../api";
import { type DashboardApp, type DashboardContext, keyRefused, takeFlash } from "../app";
import { CHART_RUNS, RunsChart } from "../chart";
import { optionFacts, sourceFacts, TransformationText } from "../describe";
import {
  FORMAT_LABELS,
  formatCount,
  formatDuration,
  formatTime,
  label,
  SOURCE_LABELS,
  startedByText,
  TRIGGER_LABELS,
  TYPE_LABELS,
} from "../labels";
import { Alert, Crumbs, CsrfField, HOME_CRUMB, Layout } from "../layout";
import { countsShown, DryRunTag, isActive, OutcomeBadge, RelativeTime, runOutcome } from "../outcome";
import { apiStatus, RunCell, scheduleText } from "./imports";
import { runDuration } from "./runs";

/** Runs per page of an import's history. */
export const RUNS_PER_PAGE = 20;

function Facts(props: { facts: Child[]; empty: string; ordered?: boolean }) {
  if (props.facts.length === 0) return props.empty ? <span class="muted">{props.empty}</span> : null;
  const items = props.facts.map((fact) => <li>{fact}</li>);
  return props.ordered ? <ol class="facts">{items}</ol> : <ul class="facts">{items}</ul>;
}

function ConfigurationCard(props: { item: ImportView }) {
  const { item } = props;
  return (
    <section class="card" aria-labelledby="config-heading">
      <div class="card-head">
        <h2 id="config-heading">Configuration</h2>
        <a
          href={`/imports/${encodeURIComponent(item.id)}/edit`}
          aria-label={`Edit the configuration of ${item.name}`}
        >
          Edit
        </a>
      </div>
      <dl class="facts-list">
        <div>
          <dt>Imports</dt>
          <dd>
            {label(TYPE_LABELS, item.type)} as {label(FORMAT_LABELS, item.format)}
          </dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>
            {label(SOURCE_LABELS, item.source.type)}
            <Facts facts={sourceFacts(item.source)} empty="" />
          </dd>
        </div>
        <div>
          <dt>Options</dt>
          <dd>
            <Facts facts={optionFacts(item.options)} empty="None: the format's defaults." />
          </dd>
        </div>
        <div>
          <dt>Transformations</dt>
          <dd>
            <Facts
              facts={item.transformations.map((t) => <TransformationText transformation={t} />)}
              empty="None: fields are read as the file names them."
              ordered
            />
          </dd>
        </div>
      </dl>
    </section>
  );
}

function ScheduleCard(props: { item: ImportView; now: Date }) {
  const { item, now } = props;
  const schedule = item.schedule;
  const run = item.lastRun;
  return (
    <section class="card" aria-labelledby="schedule-heading">
      <div class="card-head">
        <h2 id="schedule-heading">Schedule and last run</h2>
      </div>
      <dl class="facts-list">
        <div>
          <dt>Schedule</dt>
          <dd>
            {schedule ? (
              <>
                {scheduleText(schedule)}, from{" "}
                <time datetime={schedule.startAt}>{formatTime(schedule.startAt)}</time>
              </>
            ) : (
              "None: it runs when you start it."
            )}
          </dd>
        </div>
        {schedule ? (
          <div>
            <dt>Next run</dt>
            <dd>
              {schedule.enabled && schedule.nextRunAt ? (
                <>
                  <RelativeTime iso={schedule.nextRunAt} now={now} />{" "}
                  <span class="muted">({formatTime(schedule.nextRunAt)})</span>
                </>
              ) : (
                "None while the schedule is paused."
              )}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Last run</dt>
          <dd>{run ? <RunCell run={run} now={now} /> : <span class="muted">Never run</span>}</dd>
        </div>
        {schedule ? (
          <>
            <div>
              <dt>Failures in a row</dt>
              <dd data-field="consecutive-failures">
                {(schedule.consecutiveFailures ?? 0) === 0 ? (
                  "None"
                ) : (
                  <strong class="text-danger">
                    {formatCount(schedule.consecutiveFailures ?? 0)} scheduled{" "}
                    {schedule.consecutiveFailures === 1 ? "run" : "runs"} failed since the last that completed
                  </strong>
                )}
              </dd>
            </div>
            <div>
              <dt>Skipped slot</dt>
              <dd data-field="skipped-slot">
                {schedule.lastSkippedSlot ? (
                  <>
                    <time datetime={schedule.lastSkippedSlot}>{formatTime(schedule.lastSkippedSlot)}</time>{" "}
                    was skipped: {schedule.lastSkippedReason ?? "no reason was recorded"}.
                  </>
                ) : (
                  "None"
                )}
              </dd>
            </div>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function duration(run: RunView, now: Date): string {
  const ms = runDuration(run, now);
  return ms === null ? "—" : formatDuration(ms);
}

/** The runs of an import, newest first: each links to its page. */
function HistoryTable(props: { runs: RunView[]; now: Date }) {
  const { now } = props;
  return (
    <div class="table-wrap">
      <table class="history responsive">
        <caption class="visually-hidden">Runs of this import, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Trigger</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col" class="num">
              Added
            </th>
            <th scope="col" class="num">
              Updated
            </th>
            <th scope="col" class="num">
              Unchanged
            </th>
            <th scope="col" class="num">
              Invalid
            </th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((run) => {
            const outcome = runOutcome(run);
            const when = run.startedAt ?? run.createdAt;
            const by = startedByText(run.startedBy);
            // A run that read nothing claims no counts.
            const counted = countsShown(run);
            const count = (value: number, bad = false) =>
              counted ? (
                <span class={bad && value > 0 ? "count-bad" : undefined}>{formatCount(value)}</span>
              ) : (
                "—"
              );
            return (
              <tr data-run-id={run.id}>
                <th scope="row" data-label="Started">
                  <div>
                    <a href={`/runs/${encodeURIComponent(run.id)}`} class="nowrap">
                      {formatTime(when)}
                    </a>
                    <span class="sub">
                      <RelativeTime iso={when} now={now} />
                    </span>
                  </div>
                </th>
                <td data-label="Trigger">
                  <div>
                    {label(TRIGGER_LABELS, run.trigger)}
                    {by ? (
                      <span class="sub" data-field="started-by">
                        {by}
                      </span>
                    ) : null}
                  </div>
                </td>
                <td data-label="Status">
                  <div class="run-cell" data-live-run={isActive(run.status) ? run.id : undefined}>
                    <OutcomeBadge outcome={outcome} />
                    {run.dryRun ? <DryRunTag /> : null}
                    {outcome.detail ? (
                      <span class={`sub detail detail-${outcome.kind}`} data-live="detail">
                        {outcome.detail}
                      </span>
                    ) : null}
                  </div>
                </td>
                <td data-label="Duration">{duration(run, now)}</td>
                <td data-label="Added" class="num">
                  {count(run.stats.added)}
                </td>
                <td data-label="Updated" class="num">
                  {count(run.stats.updated)}
                </td>
                <td data-label="Unchanged" class="num">
                  {count(run.stats.unchanged)}
                </td>
                <td data-label="Invalid" class="num">
                  {count(run.stats.itemsInvalid, true)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface ImportPageProps {
  item: ImportView;
  csrf: string;
  chart: RunView[] | null;
  history: Page<RunView> | null;
  historyError?: string;
  cursor?: string;
  message?: { kind: "error" | "notice"; text: string };
}

function ImportPage(props: ImportPageProps) {
  const { item, csrf, history } = props;
  const now = new Date();
  const id = encodeURIComponent(item.id);
  const active = item.lastRun !== null && isActive(item.lastRun.status);
  return (
    <Layout title={item.name} csrf={csrf} scripts={["submit-once.js", "live.js"]}>
      <Crumbs trail={[HOME_CRUMB]} here={{ text: item.name, class: "import-name" }} />
      <div class="page-head">
        <div class="title-block">
          <h1 class="import-name">{item.name}</h1>
          <p class="muted">
            {label(TYPE_LABELS, item.type)} · {label(FORMAT_LABELS, item.format)} ·{" "}
            <span class="id">{item.id}</span>
          </p>
        </div>
        <div class="head-actions">
          {active && item.lastRun ? (
            <a class="button" href={`/runs/${encodeURIComponent(item.lastRun.id)}`}>
              Follow the run
            </a>
          ) : (
            <form method="post" action={`/imports/${id}/runs`} data-submit-once>
              <CsrfField token={csrf} />
              <input type="hidden" name="dryRun" value="false" />
              <input type="hidden" name="from" value="import" />
              <button type="submit" class="button">
                Run now
              </button>
            </form>
          )}
          <form method="post" action={`/imports/${id}/runs`} data-submit-once>
            <CsrfField token={csrf} />
            <input type="hidden" name="dryRun" value="true" />
            <input type="hidden" name="from" value="import" />
            <button type="submit" class="button secondary">
              Dry run
            </button>
          </form>
          <a class="button secondary" href={`/imports/${id}/edit`}>
            Edit
          </a>
          <a class="button danger-outline" href={`/imports/${id}/delete`}>
            Delete
          </a>
        </div>
      </div>
      {props.message ? <Alert kind={props.message.kind}>{props.message.text}</Alert> : null}
      <div class="import-grid">
        <ScheduleCard item={item} now={now} />
        <ConfigurationCard item={item} />
      </div>
      {props.chart && props.chart.length > 0 ? (
        <section class="card">
          <RunsChart runs={props.chart} />
        </section>
      ) : null}
      <section class="card" aria-labelledby="history-heading">
        <div class="card-head">
          <h2 id="history-heading">Run history</h2>
        </div>
        {props.historyError ? (
          <Alert kind="error">{props.historyError}</Alert>
        ) : !history || history.items.length === 0 ? (
          <p class="muted">No runs yet. Run now or Dry run starts one.</p>
        ) : (
          <>
            <HistoryTable runs={history.items} now={now} />
            <nav class="pager" aria-label="Pages of runs">
              {props.cursor ? <a href={`/imports/${id}#history-heading`}>Newest runs</a> : null}
              {history.nextCursor ? (
                <a href={`/imports/${id}?cursor=${encodeURIComponent(history.nextCursor)}#history-heading`}>
                  Older runs
                </a>
              ) : null}
            </nav>
          </>
        )}
      </section>
    </Layout>
  );
}

/** The page of one import: its configuration in words, its schedule, its runs. */
export async function renderImportPage(
  c: DashboardContext,
  id: string,
  message?: { kind: "error" | "notice"; text: string },
  status: 200 | 400 | 404 | 409 | 422 | 429 | 500 | 502 = 200,
): Promise<Response> {
  const cursor = c.req.query("cursor") || undefined;
  const [item, chart, history] = await Promise.all([
    c.var.api.getImport(id),
    c.var.api.listRuns(id, CHART_RUNS),
    c.var.api.listRuns(id, RUNS_PER_PAGE, cursor),
  ]);
  if (!item.ok) {
    if (item.status === 401) return keyRefused(c);
    return c.html(
      <Layout title="Import" csrf={c.var.csrf}>
        <Crumbs trail={[HOME_CRUMB]} />
        <h1>Import</h1>
        <Alert kind="error">{item.message}</Alert>
      </Layout>,
      apiStatus(item.status),
    );
  }
  const flash = takeFlash(c);
  return c.html(
    <ImportPage
      item={item.body}
      csrf={c.var.csrf}
      chart={chart.ok ? chart.body.items : null}
      history={history.ok ? history.body : null}
      historyError={history.ok ? undefined : history.message}
      cursor={cursor}
      message={message ?? (flash ? { kind: "notice", text: flash } : undefined)}
    />,
    status,
  );
}

export function registerImportPage(app: DashboardApp): void {
  app.get("/imports/:id", (c) => renderImportPage(c, c.req.param("id")));
}
