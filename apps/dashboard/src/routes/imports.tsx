import type { ImportView, LastRunView, Page } from "../api";
import {
  type DashboardApp,
  type DashboardContext,
  keyRefused,
  requireCsrf,
  requireSession,
  setFlash,
  takeFlash,
} from "../app";
import { FORMAT_LABELS, formatCount, label, plural, SOURCE_LABELS, TYPE_LABELS } from "../labels";
import { Alert, CsrfField, Layout } from "../layout";
import {
  countsShown,
  DryRunTag,
  isActive,
  OutcomeBadge,
  type OutcomeKind,
  RelativeTime,
  RunCounts,
  runOutcome,
} from "../outcome";

/** Imports per page of the list. */
export const IMPORTS_PER_PAGE = 50;
/** The list reads the tenant's imports in pages of this many, at most MAX_PAGES of them. */
const API_PAGE = 1000;
const MAX_PAGES = 10;

/** The list's filter of the last run's status: an outcome, "running" (or queued), or "never". */
export const STATUS_FILTERS: { value: string; label: string; kinds: (OutcomeKind | "never")[] }[] = [
  { value: "completed", label: "Completed", kinds: ["completed"] },
  { value: "issues", label: "Completed with invalid items", kinds: ["issues"] },
  { value: "failed", label: "Failed", kinds: ["failed"] },
  { value: "running", label: "Running or queued", kinds: ["running", "queued"] },
  { value: "cancelled", label: "Cancelled", kinds: ["cancelled"] },
  { value: "never", label: "Never run", kinds: ["never"] },
];

export interface ListFilter {
  q: string;
  type: string;
  status: string;
}

export function readFilter(c: DashboardContext): ListFilter {
  const value = (name: string) => (c.req.query(name) ?? "").trim();
  const type = value("type");
  const status = value("status");
  return {
    q: value("q").slice(0, 200),
    type: type in TYPE_LABELS ? type : "",
    status: STATUS_FILTERS.some((f) => f.value === status) ? status : "",
  };
}

/** Whether an import passes the list's filter: the search matches its name or id, whatever the case. */
export function matchesFilter(item: ImportView, filter: ListFilter): boolean {
  const q = filter.q.toLowerCase();
  if (q && !item.name.toLowerCase().includes(q) && !item.id.toLowerCase().includes(q)) return false;
  if (filter.type && item.type !== filter.type) return false;
  if (filter.status) {
    const kinds = STATUS_FILTERS.find((f) => f.value === filter.status)?.kinds ?? [];
    const kind = item.lastRun ? runOutcome(item.lastRun).kind : "never";
    if (!kinds.includes(kind)) return false;
  }
  return true;
}

/** "?q=…&type=…&page=2" of a filter, the values given only. */
export function listQuery(filter: ListFilter, page = 1): string {
  const params = new URLSearchParams();
  if (filter.q) params.set("q", filter.q);
  if (filter.type) params.set("type", filter.type);
  if (filter.status) params.set("status", filter.status);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function scheduleText(schedule: ImportView["schedule"]): string {
  if (!schedule) return "None";
  const every = schedule.everyDays === 1 ? "Every day" : `Every ${schedule.everyDays} days`;
  return schedule.enabled ? every : `${every} (paused)`;
}

/** A run's status in a cell: the badge (a link to the run), its counts or error, and when. */
export function RunCell(props: { run: LastRunView; now: Date; name?: string }) {
  const { run, now } = props;
  const outcome = runOutcome(run);
  const active = isActive(run.status);
  const when = run.finishedAt ?? run.startedAt ?? run.createdAt;
  const verb = run.finishedAt ? "Finished" : run.startedAt ? "Started" : "Queued";
  return (
    <div class="run-cell" data-live-run={active ? run.id : undefined}>
      <a
        href={`/runs/${encodeURIComponent(run.id)}`}
        class="badge-link"
        aria-label={props.name ? `Last run of ${props.name}: ${outcome.label}` : undefined}
      >
        <OutcomeBadge outcome={outcome} />
      </a>
      {run.dryRun ? <DryRunTag /> : null}
      {outcome.detail ? (
        <span class={`sub detail detail-${outcome.kind}`} data-live="detail" title={run.error?.message}>
          {outcome.detail}
        </span>
      ) : null}
      {run.stats && countsShown(run) ? (
        <span class="sub" data-live="counts">
          <RunCounts stats={run.stats} />
        </span>
      ) : null}
      <span class="sub">
        {verb} <RelativeTime iso={when} now={now} />
      </span>
    </div>
  );
}

/** The forms of a row's actions; the one that matters most is a button, the others in a menu. */
function RunForm(props: { id: string; name: string; csrf: string; dryRun: boolean; from?: string }) {
  return (
    <form method="post" action={`/imports/${encodeURIComponent(props.id)}/runs`} data-submit-once>
      <CsrfField token={props.csrf} />
      <input type="hidden" name="dryRun" value={props.dryRun ? "true" : "false"} />
      {props.from ? <input type="hidden" name="from" value={props.from} /> : null}
      {props.dryRun ? (
        <button type="submit" class="menu-item" aria-label={`Dry run of ${props.name}`}>
          Dry run
        </button>
      ) : (
        <button type="submit" class="button small" aria-label={`Run now: ${props.name}`}>
          Run now
        </button>
      )}
    </form>
  );
}

function ImportRow(props: { item: ImportView; csrf: string; now: Date }) {
  const { item, csrf, now } = props;
  const run = item.lastRun;
  const id = encodeURIComponent(item.id);
  const active = run !== null && isActive(run.status);
  const next = item.schedule?.enabled ? item.schedule.nextRunAt : null;
  return (
    <tr>
      <th scope="row" data-label="Name">
        <div>
          <a class="import-name" href={`/imports/${id}`}>
            {item.name}
          </a>
          <span class="sub id">{item.id}</span>
        </div>
      </th>
      <td data-label="Data">
        <div>
          {label(TYPE_LABELS, item.type)}
          <span class="sub">
            {label(FORMAT_LABELS, item.format)} · {label(SOURCE_LABELS, item.source.type)}
          </span>
        </div>
      </td>
      <td data-label="Schedule">
        <div>
          {scheduleText(item.schedule)}
          {next ? (
            <span class="sub">
              Next <RelativeTime iso={next} now={now} />
            </span>
          ) : null}
        </div>
      </td>
      <td data-label="Last run">
        {run ? <RunCell run={run} now={now} name={item.name} /> : <span class="muted">Never run</span>}
      </td>
      <td data-label="Actions" class="actions">
        <div class="row-actions">
          {active && run ? (
            <a
              class="button small"
              href={`/runs/${encodeURIComponent(run.id)}`}
              aria-label={`Follow run: ${item.name}`}
            >
              Follow run
            </a>
          ) : (
            <RunForm id={item.id} name={item.name} csrf={csrf} dryRun={false} />
          )}
          <ActionsMenu item={item} csrf={csrf} />
        </div>
      </td>
    </tr>
  );
}

/** The other actions of an import, in a menu that works without script (a disclosure). */
export function ActionsMenu(props: { item: ImportView; csrf: string }) {
  const { item, csrf } = props;
  const id = encodeURIComponent(item.id);
  return (
    <details class="menu">
      <summary class="button small secondary" aria-label={`More actions for ${item.name}`}>
        More <span aria-hidden="true">▾</span>
      </summary>
      <div class="menu-items">
        <a class="menu-item" href={`/imports/${id}`} aria-label={`Open import: ${item.name}`}>
          Open import
        </a>
        <RunForm id={item.id} name={item.name} csrf={csrf} dryRun={true} />
        <a class="menu-item" href={`/imports/${id}/edit`} aria-label={`Edit ${item.name}`}>
          Edit
        </a>
        <a class="menu-item danger" href={`/imports/${id}/delete`} aria-label={`Delete ${item.name}`}>
          Delete
        </a>
      </div>
    </details>
  );
}

/** Every import of the tenant (the list filters them itself), or the API's error. */
async function allImports(c: DashboardContext) {
  const items: ImportView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await c.var.api.call<Page<ImportView>>(
      "GET",
      `/v1/imports?limit=${API_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (!answer.ok) return answer;
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor ?? undefined;
    if (!cursor) return { ok: true as const, items, complete: true };
  }
  return { ok: true as const, items, complete: false };
}

function FilterForm(props: { filter: ListFilter }) {
  const { filter } = props;
  const active = Boolean(filter.q || filter.type || filter.status);
  return (
    <form class="filters" method="get" action="/" aria-label="Filter the imports">
      <div class="field">
        <label for="filter-q">Search</label>
        <input
          id="filter-q"
          type="search"
          name="q"
          value={filter.q}
          placeholder="Name or id"
          autocomplete="off"
        />
      </div>
      <div class="field">
        <label for="filter-type">Type</label>
        <select id="filter-type" name="type">
          <option value="">All types</option>
          {Object.entries(TYPE_LABELS).map(([value, text]) => (
            <option value={value} selected={filter.type === value}>
              {text}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-status">Last run</label>
        <select id="filter-status" name="status">
          <option value="">Any status</option>
          {STATUS_FILTERS.map((f) => (
            <option value={f.value} selected={filter.status === f.value}>
              {f.label}
            </option>
          ))}
        </select>
      </div>
      <div class="filter-actions">
        <button type="submit" class="button secondary">
          Filter
        </button>
        {active ? <a href="/">Clear filters</a> : null}
      </div>
    </form>
  );
}

async function renderList(
  c: DashboardContext,
  message?: { kind: "error" | "notice"; text: string },
  status: 200 | 400 | 404 | 409 | 422 | 429 | 500 | 502 = 200,
) {
  const all = await allImports(c);
  if (!all.ok && all.status === 401) return keyRefused(c);
  const filter = readFilter(c);
  const noticeText = takeFlash(c);
  const now = new Date();
  const matching = all.ok ? all.items.filter((item) => matchesFilter(item, filter)) : [];
  const pages = Math.max(1, Math.ceil(matching.length / IMPORTS_PER_PAGE));
  const page = Math.min(pages, Math.max(1, Number.parseInt(c.req.query("page") ?? "1", 10) || 1));
  const shown = matching.slice((page - 1) * IMPORTS_PER_PAGE, page * IMPORTS_PER_PAGE);
  const filtered = Boolean(filter.q || filter.type || filter.status);
  return c.html(
    <Layout title="Data Imports" csrf={c.var.csrf} scripts={["submit-once.js", "menu.js", "live.js"]}>
      <div class="page-head">
        <h1>Data Imports</h1>
        <a class="button" href="/imports/new">
          New Import
        </a>
      </div>
      <p class="muted lead">
        Bring orders, customers and product catalogues into the platform, once or every few days.
      </p>
      {noticeText ? <Alert kind="notice">{noticeText}</Alert> : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {!all.ok ? (
        <Alert kind="error">{all.message}</Alert>
      ) : all.items.length === 0 ? (
        <section class="card empty">
          <h2>No imports yet</h2>
          <p>
            Create one with New Import: pick what you import, where the file is, and check a preview before
            anything runs.
          </p>
        </section>
      ) : (
        <>
          <FilterForm filter={filter} />
          <p class="list-count muted" role="status">
            {filtered
              ? `${plural(matching.length, "import")} of ${formatCount(all.items.length)} match`
              : plural(all.items.length, "import")}
            {all.complete ? "" : ` (the first ${formatCount(all.items.length)} are listed)`}
          </p>
          {shown.length === 0 ? (
            <section class="card empty">
              <h2>No import matches</h2>
              <p>
                Nothing matches these filters. <a href="/">Clear filters</a> to see every import.
              </p>
            </section>
          ) : (
            <div class="table-wrap menus">
              <table class="imports responsive">
                <caption class="visually-hidden">Imports</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Data</th>
                    <th scope="col">Schedule</th>
                    <th scope="col">Last run</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((item) => (
                    <ImportRow item={item} csrf={c.var.csrf} now={now} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pages > 1 ? (
            <nav class="pager" aria-label="Pages of imports">
              {page > 1 ? <a href={`/${listQuery(filter, page - 1)}`}>Previous page</a> : null}
              <span class="muted">
                Page {page} of {pages}
              </span>
              {page < pages ? <a href={`/${listQuery(filter, page + 1)}`}>Next page</a> : null}
            </nav>
          ) : null}
        </>
      )}
    </Layout>,
    status,
  );
}

function ConfirmDeletePage(props: { item: ImportView; csrf: string; error?: string }) {
  const { item } = props;
  return (
    <Layout title={`Delete ${item.name}`} csrf={props.csrf} scripts={["submit-once.js"]}>
      <section class="card narrow">
        <h1>Delete this import?</h1>
        {props.error ? <Alert kind="error">{props.error}</Alert> : null}
        <p>
          <strong class="import-name">{item.name}</strong> ({label(TYPE_LABELS, item.type)},{" "}
          {label(FORMAT_LABELS, item.format)}) will be deleted with its schedule. Runs that have not started
          are cancelled. What it has already imported stays in the platform.
        </p>
        <form
          method="post"
          action={`/imports/${encodeURIComponent(item.id)}/delete`}
          class="button-row"
          data-submit-once
        >
          <CsrfField token={props.csrf} />
          <button type="submit" class="button danger">
            Delete import
          </button>
          <a class="button secondary" href={`/imports/${encodeURIComponent(item.id)}`}>
            Cancel
          </a>
        </form>
      </section>
    </Layout>
  );
}

/** Renders the import page with a message (set by the import page's routes). */
export type ImportPageRenderer = (
  c: DashboardContext,
  id: string,
  message?: { kind: "error" | "notice"; text: string },
  status?: 200 | 400 | 404 | 409 | 422 | 429 | 500 | 502,
) => Promise<Response>;

export function registerImports(app: DashboardApp, importPage: ImportPageRenderer): void {
  app.use("/", requireSession);
  app.use("/imports/*", requireSession, requireCsrf);

  app.get("/", (c) => renderList(c));

  app.post("/imports/:id/runs", async (c) => {
    const form = await c.req.parseBody();
    const id = c.req.param("id");
    const run = await c.var.api.startRun(id, form.dryRun === "true");
    if (!run.ok) {
      if (run.status === 401) return keyRefused(c);
      const message = { kind: "error" as const, text: run.message };
      // Started from the import's page: its page says what went wrong.
      if (form.from === "import" && run.status !== 404)
        return importPage(c, id, message, apiStatus(run.status));
      return renderList(c, message, apiStatus(run.status));
    }
    return c.redirect(`/runs/${encodeURIComponent(run.body.id)}`, 303);
  });

  app.get("/imports/:id/delete", async (c) => {
    const item = await c.var.api.getImport(c.req.param("id"));
    if (!item.ok) return renderList(c, { kind: "error", text: item.message }, apiStatus(item.status));
    return c.html(<ConfirmDeletePage item={item.body} csrf={c.var.csrf} />);
  });

  app.post("/imports/:id/delete", async (c) => {
    const id = c.req.param("id");
    const item = await c.var.api.getImport(id);
    const deleted = await c.var.api.deleteImport(id);
    if (!deleted.ok)
      return renderList(c, { kind: "error", text: deleted.message }, apiStatus(deleted.status));
    setFlash(c, `Import “${item.ok ? item.body.name : id}” deleted.`);
    return c.redirect("/", 303);
  });
}

/** The API's status where the page can answer it; anything else is the API failing us. */
export function apiStatus(status: number): 400 | 404 | 409 | 422 | 429 | 500 | 502 {
  return status === 400 || status === 404 || status === 409 || status === 422 || status === 429
    ? status
    : 502;
}
