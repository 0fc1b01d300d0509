import type { Child } from "hono/jsx";
import type {
  ImportView,
  IssuePage,
  IssueSummaryView,
  Page,
  RunItemType,
  RunItemView,
  RunView,
} from "../api";
import {
  type DashboardApp,
  type DashboardContext,
  keyRefused,
  requireCsrf,
  requireSession,
  setFlash,
  takeFlash,
} from "../app";
import {
  FORMAT_LABELS,
  formatBytes,
  formatCount,
  formatDuration,
  formatTime,
  label,
  plural,
  startedByText,
  TRIGGER_LABELS,
  TYPE_LABELS,
} from "../labels";
import { Alert, Crumbs, CsrfField, HOME_CRUMB, Layout } from "../layout";
import { countsShown, DryRunTag, isActive, OUTCOME_ICONS, OutcomeBadge, runOutcome } from "../outcome";
import { apiStatus } from "./imports";
import { orderHref, profileHref } from "./profiles";

/** Issues per page of the run page's table. */
export const ISSUES_PER_PAGE = 50;

export function runDuration(run: RunView, now: Date): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? new Date(run.finishedAt) : now;
  return end.getTime() - new Date(run.startedAt).getTime();
}

/** Whether the run read anything: a run that did not makes no claim about items. */
export const readSomething = (run: RunView) =>
  run.progress.bytesRead > 0 || run.stats.rowsRead > 0 || run.stats.itemsRead > 0;

/** Whether the page shows the run's counts: not before it starts, nor when it ended having read nothing. */
export const showsCounts = (run: RunView) =>
  countsShown(run) || (run.status !== "queued" && readSomething(run));

/** What the pages' scripts poll: the run and the words they show. */
export function runStatusView(run: RunView, now: Date) {
  const duration = runDuration(run, now);
  const outcome = runOutcome(run);
  return {
    id: run.id,
    status: run.status,
    statusLabel: outcome.label,
    outcome: { ...outcome, icon: OUTCOME_ICONS[outcome.kind] },
    dryRun: run.dryRun,
    finished: !isActive(run.status),
    progress: run.progress,
    progressText: progressText(run),
    durationText: duration === null ? "Not started" : formatDuration(duration),
    stats: run.stats,
    countsShown: showsCounts(run),
    error: run.error,
  };
}

function progressText(run: RunView): string {
  const { bytesRead, bytesTotal } = run.progress;
  if (run.status === "queued") return "Waiting for its turn to start";
  if (bytesTotal > 0) {
    const percent = Math.floor((bytesRead / bytesTotal) * 100);
    return `${formatBytes(bytesRead)} of ${formatBytes(bytesTotal)} (${percent}%)`;
  }
  if (run.status === "in_progress")
    return bytesRead > 0 ? `${formatBytes(bytesRead)} read` : "Reading the source";
  return bytesRead > 0 ? `${formatBytes(bytesRead)} read` : "Nothing was read";
}

interface Advice {
  text: string;
  /** The wizard's step where it is fixed. */
  step?: "format" | "source" | "mapping" | "options" | "transformations";
  stepLabel?: string;
}

/** What to do about a failed run, by its error's code. */
export function failureAdvice(code: string): Advice {
  switch (code) {
    case "missing_columns":
      return {
        text: "Map the file's columns onto the fields the format needs, or export the file with those columns, then run it again.",
        step: "mapping",
        stepLabel: "Map the file's columns",
      };
    case "invalid_encoding":
      return {
        text: "The file is in another encoding than the import reads: choose the file's encoding in the options (windows-1252 and iso-8859-1 are usual for spreadsheet exports), then run it again.",
        step: "options",
        stepLabel: "Edit the options",
      };
    case "wrong_format":
      return {
        text: "The file is not in the import's format: choose the format the file is in, or export the file again.",
        step: "format",
        stepLabel: "Edit the format",
      };
    case "duplicate_columns":
    case "empty_file":
    case "corrupt_archive":
      return {
        text: "The file itself needs fixing: export it again, or point the import at another file.",
        step: "source",
        stepLabel: "Edit the source",
      };
    case "too_many_columns":
    case "record_too_large":
    case "file_too_large":
      return {
        text: "The file is past a limit of the service: split it, or leave out what the import does not need.",
        step: "source",
        stepLabel: "Edit the source",
      };
    case "source_not_found":
      return {
        text: "Check the file's path or key, or put the file there, then run it again.",
        step: "source",
        stepLabel: "Edit the source",
      };
    case "source_unreachable":
      return {
        text: "Check that the server is up and reachable from the internet, then run it again.",
        step: "source",
        stepLabel: "Edit the source",
      };
    case "source_refused":
      return {
        text: "The source refused the credentials: type them again in the source.",
        step: "source",
        stepLabel: "Edit the source",
      };
    case "invalid_config":
      return {
        text: "Edit the import to fix its configuration, then run it again.",
        step: "source",
        stepLabel: "Edit the import",
      };
    default:
      return { text: "Run it again. If it fails the same way again, contact support with the run's id." };
  }
}

function Stat(props: { name: string; label: string; value: number; bad?: boolean }) {
  return (
    <div class={`stat${props.bad && props.value > 0 ? " stat-bad" : ""}`}>
      <dt>{props.label}</dt>
      <dd data-stat={props.name}>{formatCount(props.value)}</dd>
    </div>
  );
}

/** A failed run: what failed, and what to do about it. */
function Failure(props: { run: RunView; item: ImportView | null }) {
  const { run, item } = props;
  const advice = failureAdvice(run.error?.code ?? "");
  return (
    <div class="failure" data-field="failure">
      <h3>What failed</h3>
      <p data-field="error">{run.error?.message ?? "The run failed without saying why."}</p>
      <h3>What to do</h3>
      <p>{advice.text}</p>
      {item && advice.step ? (
        <p>
          <a href={`/imports/${encodeURIComponent(item.id)}/edit?step=${advice.step}`}>{advice.stepLabel}</a>
        </p>
      ) : null}
    </div>
  );
}

interface IssueView {
  severity: "error" | "warning";
  code?: string;
  field?: string;
  cursor?: string;
  from: number;
}

function issuesHref(runId: string, view: Partial<IssueView>): string {
  const params = new URLSearchParams();
  if (view.severity) params.set("severity", view.severity);
  if (view.code) params.set("code", view.code);
  if (view.field) params.set("field", view.field);
  if (view.cursor) {
    params.set("cursor", view.cursor);
    params.set("from", String(view.from ?? 1));
  }
  const text = params.toString();
  return `/runs/${encodeURIComponent(runId)}${text ? `?${text}` : ""}#issues-heading`;
}

/** The issues of a run: errors and warnings apart, grouped by code, filtered, paged. */
/**
 * Where an issue's item can be seen: an item with only warnings was imported (an error keeps it
 * out), so a warning's order or customer links to its page; a dry run imports nothing.
 */
function itemHref(run: RunView, item: ImportView | null, issue: IssuePage["items"][number]): string | null {
  if (!item || run.dryRun || issue.severity !== "warning" || !issue.item) return null;
  if (item.type === "orders") return orderHref(issue.item);
  const idType = importedIdType(item);
  return item.type === "customers" && idType ? profileHref(idType, issue.item) : null;
}

/** The id type a customers import gives its profiles' ids as written (E-goi lists: e-mail). */
function importedIdType(item: ImportView): string | null {
  if (item.format === "egoi_contacts") return "email";
  const type = item.options.userIdType;
  return typeof type === "string" && type ? type : null;
}

function IssuesSection(props: {
  run: RunView;
  item: ImportView | null;
  summary: IssueSummaryView;
  page: IssuePage;
  view: IssueView;
}) {
  const { run, summary, page, view } = props;
  const errors = summary.codes.filter((c) => c.severity === "error");
  const warnings = summary.codes.filter((c) => c.severity === "warning");
  const count = (list: typeof errors) => list.reduce((sum, c) => sum + c.count, 0);
  const errorCount = count(errors);
  const warningCount = count(warnings);
  const codes = view.severity === "warning" ? warnings : errors;
  const filtered = Boolean(view.code || view.field);
  const matching = page.matching ?? page.total;
  const to = view.from + page.items.length - 1;
  const runId = run.id;
  return (
    <section class="card" aria-labelledby="issues-heading">
      <div class="card-head">
        <h2 id="issues-heading">Issues</h2>
        <a class="button secondary small" href={`/runs/${encodeURIComponent(runId)}/issues.csv`} download>
          Download CSV
        </a>
      </div>
      <p class="issues-summary">
        {errorCount > 0 ? (
          <span>
            <strong>{plural(errorCount, "error")}</strong>
            {run.stats.itemsInvalid > 0 ? ` in ${plural(run.stats.itemsInvalid, "invalid item")}` : ""}
          </span>
        ) : (
          <span>No errors: no item was invalid.</span>
        )}
        {warningCount > 0 ? (
          <span>
            {" "}
            · <strong>{plural(warningCount, "warning")}</strong>, not counted as invalid
          </span>
        ) : null}
      </p>
      {summary.total > summary.stored ? (
        <p class="muted">
          The run found {formatCount(summary.total)} issues; the first {formatCount(summary.stored)} are kept,
          and the counts here are of those.
        </p>
      ) : null}
      {errorCount > 0 && warningCount > 0 ? (
        <nav class="tabs" aria-label="Kinds of issues">
          <a
            href={issuesHref(runId, { severity: "error" })}
            aria-current={view.severity === "error" ? "page" : undefined}
          >
            Errors ({formatCount(errorCount)})
          </a>
          <a
            href={issuesHref(runId, { severity: "warning" })}
            aria-current={view.severity === "warning" ? "page" : undefined}
            class="tab-warning"
          >
            Warnings ({formatCount(warningCount)})
          </a>
        </nav>
      ) : null}
      {view.severity === "warning" ? (
        <p class="warning-note" data-field="warning-note">
          <span aria-hidden="true">!</span> Warnings are not counted as invalid: their items were imported.
          Check that they are what you expect.
        </p>
      ) : null}
      <ul
        class="code-groups"
        aria-label={view.severity === "warning" ? "Warnings by code" : "Errors by code"}
      >
        {codes.map((c) => (
          <li>
            <a
              href={issuesHref(runId, { severity: view.severity, code: c.code })}
              class={`chip chip-${c.severity}`}
              aria-current={view.code === c.code ? "true" : undefined}
            >
              <code>{c.code}</code>: {formatCount(c.count)}
            </a>
          </li>
        ))}
      </ul>
      <form class="filters compact" method="get" action={`/runs/${encodeURIComponent(runId)}#issues-heading`}>
        <input type="hidden" name="severity" value={view.severity} />
        <div class="field">
          <label for="issue-code">Code</label>
          <select id="issue-code" name="code">
            <option value="">All codes</option>
            {codes.map((c) => (
              <option value={c.code} selected={view.code === c.code}>
                {c.code} ({formatCount(c.count)})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="issue-field">Field</label>
          <select id="issue-field" name="field">
            <option value="">All fields</option>
            {summary.fields.map((f) => (
              <option value={f.field} selected={view.field === f.field}>
                {f.field}
              </option>
            ))}
          </select>
        </div>
        <div class="filter-actions">
          <button type="submit" class="button secondary">
            Filter
          </button>
          {filtered ? <a href={issuesHref(runId, { severity: view.severity })}>Clear filters</a> : null}
        </div>
      </form>
      {page.items.length === 0 ? (
        <p class="muted">No {view.severity === "warning" ? "warning" : "error"} matches these filters.</p>
      ) : (
        <>
          <p class="muted" role="status">
            {view.severity === "warning" ? "Warnings" : "Errors"} {formatCount(view.from)}–{formatCount(to)}{" "}
            of {formatCount(matching)}
            {filtered ? " that match" : ""}.
          </p>
          <div class="table-wrap">
            <table class={`issues responsive issues-${view.severity}`}>
              <caption class="visually-hidden">
                {view.severity === "warning" ? "Warnings" : "Errors"} of this run
              </caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Item</th>
                  <th scope="col">Field</th>
                  <th scope="col">Code</th>
                  <th scope="col">Message</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((issue) => (
                  <tr>
                    <td data-label="Row" class="num">
                      {issue.row ?? "—"}
                    </td>
                    <td data-label="Item">
                      <IssueItem href={itemHref(run, props.item, issue)} item={issue.item} />
                    </td>
                    <td data-label="Field">
                      {issue.field ?? "—"}
                      {issue.column ? (
                        <span class="sub" data-field="column">
                          Column “{issue.column}”
                        </span>
                      ) : null}
                    </td>
                    <td data-label="Code">
                      <code>{issue.code}</code>
                    </td>
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
            {view.cursor ? (
              <a href={issuesHref(runId, { severity: view.severity, code: view.code, field: view.field })}>
                First page
              </a>
            ) : null}
            {page.nextCursor ? (
              <a
                href={issuesHref(runId, {
                  severity: view.severity,
                  code: view.code,
                  field: view.field,
                  cursor: page.nextCursor,
                  from: to + 1,
                })}
              >
                Next page
              </a>
            ) : null}
          </nav>
        </>
      )}
    </section>
  );
}

function IssueItem(props: { href: string | null; item: string | null }) {
  if (props.item === null) return "—";
  return props.href ? <a href={props.href}>{props.item}</a> : props.item;
}

/** Items of a run listed at a time on its page. */
const RUN_ITEMS_PER_PAGE = 20;

/** What a run's page lists of the items it wrote: its import's kind of item. */
const RUN_ITEM_TYPES: Record<string, RunItemType> = {
  orders: "orders",
  products: "products",
  customers: "profiles",
};

/** Whether a run's page lists what it wrote: a real run that added or updated something. */
const wroteItems = (run: RunView) =>
  (run.status === "completed" || run.status === "cancelled") &&
  !run.dryRun &&
  run.stats.added + run.stats.updated > 0;

const ITEM_NOUNS: Record<RunItemType, string> = { orders: "order", products: "product", profiles: "profile" };

function RunItemLink(props: { type: RunItemType; item: RunItemView }) {
  const { type, item } = props;
  if (type === "orders") return <a href={orderHref(item.id)}>{item.id}</a>;
  const first = item.ids?.[0];
  if (type === "profiles" && first)
    return (
      <a href={profileHref(first.type, first.value)}>
        {first.value} <span class="muted">({first.type})</span>
      </a>
    );
  return <code>{item.id}</code>;
}

/**
 * What a run added or updated, as stored: each order (with its page), profile (with its page)
 * or product, a page at a time; an item a later run changed is listed under that run.
 */
function ImportedData(props: {
  run: RunView;
  item: ImportView | null;
  items: Page<RunItemView> | null;
  cursor: string | undefined;
}) {
  const { run, item, items, cursor } = props;
  if (!item || !wroteItems(run)) return null;
  const type = RUN_ITEM_TYPES[item.type];
  if (!type) return null;
  const changed = run.stats.added + run.stats.updated;
  const noun = ITEM_NOUNS[type];
  const id = encodeURIComponent(run.id);
  return (
    <section class="card" aria-labelledby="imported-heading">
      <h2 id="imported-heading">What this run imported</h2>
      <p class="muted">
        {plural(changed, noun)} added or updated
        {type === "orders" ? ", each with its buyer's profile (in Profiles)" : ""}.{" "}
        {noun === "order" ? "An" : "A"} {noun} a later run changed is listed under that run.
      </p>
      {items === null ? (
        <Alert kind="error">The {noun}s of this run could not be listed. Reload the page to try again.</Alert>
      ) : items.items.length === 0 ? (
        <p>No {noun} of this run is stored as it wrote it any more: later runs changed them.</p>
      ) : (
        <>
          <ul class="run-items">
            {[...items.items]
              .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
              .map((i) => (
                <li>
                  <RunItemLink type={type} item={i} />
                </li>
              ))}
          </ul>
          <nav class="pager" aria-label={`Pages of this run's ${noun}s`}>
            {cursor ? <a href={`/runs/${id}#imported-heading`}>First page</a> : null}
            {items.nextCursor ? (
              <a href={`/runs/${id}?items=${encodeURIComponent(items.nextCursor)}#imported-heading`}>
                Next {RUN_ITEMS_PER_PAGE}
              </a>
            ) : null}
          </nav>
        </>
      )}
      {type === "orders" ? (
        <form class="lookup" method="get" action="/orders" aria-label="Look up an order">
          <div class="field lookup-value">
            <label for="order-id">Order id</label>
            <input id="order-id" name="orderId" type="text" autocomplete="off" spellcheck={false} />
          </div>
          <div class="lookup-actions">
            <button type="submit" class="button secondary">
              Look up
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

interface RunPageProps {
  run: RunView;
  item: ImportView | null;
  /** The page of the run's items its page shows (null when they could not be listed). */
  runItems?: Page<RunItemView> | null;
  runItemsCursor?: string;
  summary: IssueSummaryView | null;
  issues: IssuePage | null;
  issuesError?: string;
  view: IssueView;
  csrf: string;
  error?: string;
  notice?: string;
}

function CancelDialog(props: { run: RunView; csrf: string }) {
  const id = encodeURIComponent(props.run.id);
  return (
    <dialog id="cancel-dialog" class="dialog" aria-labelledby="cancel-dialog-title">
      <form method="post" action={`/runs/${id}/cancel`} data-submit-once>
        <CsrfField token={props.csrf} />
        <h2 id="cancel-dialog-title">Cancel this run?</h2>
        <p>It stops at the next part of the file. What it imported until then stays in the platform.</p>
        <div class="button-row">
          <button type="submit" class="button danger">
            Cancel the run
          </button>
          <button type="button" class="button secondary" data-close-dialog autofocus>
            Keep it running
          </button>
        </div>
      </form>
    </dialog>
  );
}

function RunActions(props: { run: RunView; item: ImportView | null; csrf: string }) {
  const { run, item, csrf } = props;
  const id = encodeURIComponent(run.id);
  if (isActive(run.status)) {
    return (
      <div class="head-actions">
        <a class="button danger-outline" href={`/runs/${id}/cancel`} data-dialog="cancel-dialog">
          Cancel run
        </a>
      </div>
    );
  }
  if (!item) return null;
  return (
    <div class="head-actions">
      <form method="post" action={`/imports/${encodeURIComponent(item.id)}/runs`} data-submit-once>
        <CsrfField token={csrf} />
        <input type="hidden" name="dryRun" value={run.dryRun ? "true" : "false"} />
        <button type="submit" class={run.dryRun ? "button secondary" : "button"}>
          {run.dryRun ? "Dry run again" : "Run again"}
        </button>
      </form>
      <a class="button secondary" href={`/imports/${encodeURIComponent(item.id)}`}>
        Open the import
      </a>
    </div>
  );
}

function RunPage(props: RunPageProps) {
  const { run, item } = props;
  const now = new Date();
  const view = runStatusView(run, now);
  const outcome = runOutcome(run);
  const name = item?.name ?? run.importId;
  const total = run.progress.bytesTotal;
  const changedSince = item && run.dryRun && item.updatedAt > run.createdAt;
  const active = isActive(run.status);
  const by = startedByText(run.startedBy);
  const counted = showsCounts(run);
  const issuesShown =
    props.summary !== null &&
    props.issues !== null &&
    (props.summary.stored > 0 || props.summary.total > 0 || run.status === "completed" || active);
  return (
    <Layout
      title={`${run.dryRun ? "Dry run" : "Run"} of ${name}`}
      csrf={props.csrf}
      scripts={active ? ["run.js", "submit-once.js", "confirm.js"] : ["submit-once.js"]}
    >
      <Crumbs
        trail={[
          HOME_CRUMB,
          item
            ? { text: item.name, href: `/imports/${encodeURIComponent(item.id)}`, class: "import-name" }
            : { text: run.importId, class: "import-name" },
        ]}
        here={{ text: run.dryRun ? "Dry run" : "Run" }}
      />
      <div class="page-head">
        <div class="title-block">
          <h1>
            {run.dryRun ? "Dry run" : "Run"} of <span class="import-name">{name}</span>
          </h1>
          <p class="muted run-meta">
            {item ? (
              <>
                {label(TYPE_LABELS, item.type)} · {label(FORMAT_LABELS, item.format)} ·{" "}
              </>
            ) : null}
            Trigger: {label(TRIGGER_LABELS, run.trigger)}
            {by ? (
              <>
                {" "}
                · Started by <span data-field="started-by">{by}</span>
              </>
            ) : null}{" "}
            · <time datetime={run.createdAt}>{formatTime(run.createdAt)}</time> ·{" "}
            <span class="id">{run.id}</span>
          </p>
        </div>
        <RunActions run={run} item={item} csrf={props.csrf} />
      </div>
      {props.notice ? <Alert kind="notice">{props.notice}</Alert> : null}
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
        data-status={run.status}
        data-finished={view.finished ? "true" : "false"}
        aria-labelledby="status-heading"
      >
        <h2 id="status-heading" class="visually-hidden">
          Status
        </h2>
        <div class="run-status" aria-live="polite">
          <span data-field="status">
            <OutcomeBadge outcome={outcome} />
          </span>
          {run.dryRun ? <DryRunTag /> : null}
          <span>
            Duration <strong data-field="duration">{view.durationText}</strong>
          </span>
          {!active && readSomething(run) ? (
            <span>
              Read <strong>{formatBytes(run.progress.bytesRead)}</strong>
            </span>
          ) : null}
        </div>
        {active ? (
          <div class="progress-line">
            <label for="run-progress">Progress</label>
            {run.status === "in_progress" ? (
              total > 0 ? (
                <progress id="run-progress" max={total} value={run.progress.bytesRead}>
                  {view.progressText}
                </progress>
              ) : (
                <progress id="run-progress">{view.progressText}</progress>
              )
            ) : (
              <span />
            )}
            <span data-field="progress">{view.progressText}</span>
          </div>
        ) : null}
        {run.status === "failed" ? <Failure run={run} item={item} /> : null}
        {run.status === "cancelled" ? (
          <p class="muted" data-field="cancelled">
            {run.error?.message ? `${run.error.message} ` : ""}
            {counted
              ? "It was cancelled: the counts are of what it read until then, which stays imported."
              : "It was cancelled before it had read anything."}
          </p>
        ) : null}
        {counted ? (
          <dl class="stats">
            <Stat name="added" label="Added" value={run.stats.added} />
            <Stat name="updated" label="Updated" value={run.stats.updated} />
            <Stat name="unchanged" label="Unchanged" value={run.stats.unchanged} />
            <Stat name="itemsInvalid" label="Invalid" value={run.stats.itemsInvalid} bad />
            <Stat name="itemsRead" label="Items read" value={run.stats.itemsRead} />
            <Stat name="rowsRead" label="Rows read" value={run.stats.rowsRead} />
          </dl>
        ) : run.status === "failed" ? (
          <p class="muted" data-field="nothing-read">
            Nothing was imported: the file could not be read.
          </p>
        ) : null}
      </section>
      {props.issuesError ? <Alert kind="error">{props.issuesError}</Alert> : null}
      {issuesShown && props.summary && props.issues ? (
        props.summary.stored === 0 && props.summary.total === 0 ? (
          <section class="card" aria-labelledby="issues-heading">
            <h2 id="issues-heading">Issues</h2>
            <p class="muted">
              {active
                ? "No issues so far. They appear here as the file is read."
                : "No issues: every item was valid."}
            </p>
          </section>
        ) : (
          <IssuesSection
            run={run}
            item={item}
            summary={props.summary}
            page={props.issues}
            view={props.view}
          />
        )
      ) : null}
      {run.status === "completed" || run.status === "cancelled" ? (
        <ImportedData run={run} item={item} items={props.runItems ?? null} cursor={props.runItemsCursor} />
      ) : null}
      {active ? <CancelDialog run={run} csrf={props.csrf} /> : null}
    </Layout>
  );
}

function readIssueView(c: DashboardContext, summary: IssueSummaryView | null): IssueView {
  const severity = c.req.query("severity");
  const hasErrors = summary?.codes.some((code) => code.severity === "error") ?? true;
  const hasWarnings = summary?.codes.some((code) => code.severity === "warning") ?? false;
  const chosen =
    severity === "warning" || severity === "error"
      ? severity
      : !hasErrors && hasWarnings
        ? "warning"
        : "error";
  const cursor = c.req.query("cursor") || undefined;
  return {
    severity: chosen,
    code: c.req.query("code") || undefined,
    field: c.req.query("field") || undefined,
    cursor,
    from: cursor ? Math.max(1, Number.parseInt(c.req.query("from") ?? "1", 10) || 1) : 1,
  };
}

function RunErrorPage(props: { csrf: string; message: string }): Child {
  return (
    <Layout title="Run" csrf={props.csrf}>
      <Crumbs trail={[HOME_CRUMB]} />
      <h1>Run</h1>
      <Alert kind="error">{props.message}</Alert>
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
    return c.html(<RunErrorPage csrf={c.var.csrf} message={run.message} />, apiStatus(run.status));
  }
  const listIssues = (view: IssueView) =>
    c.var.api.listIssues(runId, ISSUES_PER_PAGE, view.cursor, {
      severity: view.severity,
      code: view.code,
      field: view.field,
    });
  // Which issues to list is known from the address, or (no severity asked) from the summary.
  const asked = readIssueView(c, null);
  const [item, summary, askedIssues] = await Promise.all([
    c.var.api.getImport(run.body.importId),
    c.var.api.issueSummary(runId),
    c.req.query("severity") ? listIssues(asked) : null,
  ]);
  const view = askedIssues ? asked : readIssueView(c, summary.ok ? summary.body : null);
  const itemType = item.ok ? RUN_ITEM_TYPES[item.body.type] : undefined;
  const itemsCursor = c.req.query("items") || undefined;
  const runItems =
    itemType && wroteItems(run.body)
      ? await c.var.api.listRunItems(runId, itemType, RUN_ITEMS_PER_PAGE, itemsCursor)
      : null;
  const issues = askedIssues ?? (await listIssues(view));
  const problem = !summary.ok ? summary.message : !issues.ok ? issues.message : undefined;
  return c.html(
    <RunPage
      run={run.body}
      item={item.ok ? item.body : null}
      summary={summary.ok ? summary.body : null}
      issues={issues.ok ? issues.body : null}
      issuesError={problem}
      runItems={runItems?.ok ? runItems.body : null}
      runItemsCursor={itemsCursor}
      view={view}
      csrf={c.var.csrf}
      error={error}
      notice={takeFlash(c)}
    />,
    status,
  );
}

function ConfirmCancelPage(props: { run: RunView; csrf: string }) {
  const id = encodeURIComponent(props.run.id);
  return (
    <Layout title="Cancel the run" csrf={props.csrf} scripts={["submit-once.js"]}>
      <section class="card narrow">
        <h1>Cancel this run?</h1>
        <p>It stops at the next part of the file. What it imported until then stays in the platform.</p>
        <form method="post" action={`/runs/${id}/cancel`} class="button-row" data-submit-once>
          <CsrfField token={props.csrf} />
          <button type="submit" class="button danger">
            Cancel the run
          </button>
          <a class="button secondary" href={`/runs/${id}`}>
            Keep it running
          </a>
        </form>
      </section>
    </Layout>
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

  // Without script, Cancel run leads here to confirm; with it, a dialog on the run page asks.
  app.get("/runs/:id/cancel", async (c) => {
    const run = await c.var.api.getRun(c.req.param("id"));
    if (!run.ok) {
      if (run.status === 401) return keyRefused(c);
      return c.html(<RunErrorPage csrf={c.var.csrf} message={run.message} />, apiStatus(run.status));
    }
    if (!isActive(run.body.status)) return c.redirect(`/runs/${encodeURIComponent(run.body.id)}`, 303);
    return c.html(<ConfirmCancelPage run={run.body} csrf={c.var.csrf} />);
  });

  app.post("/runs/:id/cancel", async (c) => {
    const id = c.req.param("id");
    const cancelled = await c.var.api.cancelRun(id);
    if (!cancelled.ok) {
      if (cancelled.status === 401) return keyRefused(c);
      return renderRun(c, cancelled.message, apiStatus(cancelled.status));
    }
    setFlash(c, "The run was cancelled.");
    return c.redirect(`/runs/${encodeURIComponent(id)}`, 303);
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
