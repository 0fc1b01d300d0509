import type { ImportView } from "../api";
import {
  type DashboardApp,
  type DashboardContext,
  keyRefused,
  requireCsrf,
  requireSession,
  setFlash,
  takeFlash,
} from "../app";
import { FORMAT_LABELS, formatTime, label, SOURCE_LABELS, STATUS_LABELS, TYPE_LABELS } from "../labels";
import { Alert, CsrfField, Layout } from "../layout";

function scheduleText(schedule: ImportView["schedule"]): { text: string; next?: string } {
  if (!schedule) return { text: "None" };
  const every = schedule.everyDays === 1 ? "Every day" : `Every ${schedule.everyDays} days`;
  if (!schedule.enabled) return { text: `${every} (paused)` };
  return { text: every, next: schedule.nextRunAt ?? undefined };
}

export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status}`}>{label(STATUS_LABELS, props.status)}</span>;
}

function ImportRow(props: { item: ImportView; csrf: string }) {
  const { item, csrf } = props;
  const schedule = scheduleText(item.schedule);
  const run = item.lastRun;
  return (
    <tr>
      <th scope="row" data-label="Name">
        <span class="import-name">{item.name}</span>
      </th>
      <td data-label="Type">{label(TYPE_LABELS, item.type)}</td>
      <td data-label="Format">{label(FORMAT_LABELS, item.format)}</td>
      <td data-label="Source">{label(SOURCE_LABELS, item.source.type)}</td>
      <td data-label="Schedule">
        <div>
          {schedule.text}
          {schedule.next ? (
            <span class="sub">
              Next run <time datetime={schedule.next}>{formatTime(schedule.next)}</time>
            </span>
          ) : null}
        </div>
      </td>
      <td data-label="Last run">
        {run ? (
          <div>
            <a
              href={`/runs/${encodeURIComponent(run.id)}`}
              aria-label={`Last run of ${item.name}: ${label(STATUS_LABELS, run.status)}`}
            >
              <StatusBadge status={run.status} />
            </a>
            <span class="sub">
              <time datetime={run.finishedAt ?? run.createdAt}>
                {formatTime(run.finishedAt ?? run.createdAt)}
              </time>
            </span>
          </div>
        ) : (
          <span class="muted">Never run</span>
        )}
      </td>
      <td data-label="Actions" class="actions">
        <form method="post" action={`/imports/${encodeURIComponent(item.id)}/runs`} data-submit-once>
          <CsrfField token={csrf} />
          <input type="hidden" name="dryRun" value="false" />
          <button type="submit" class="button small" aria-label={`Run ${item.name} now`}>
            Run now
          </button>
        </form>
        <form method="post" action={`/imports/${encodeURIComponent(item.id)}/runs`} data-submit-once>
          <CsrfField token={csrf} />
          <input type="hidden" name="dryRun" value="true" />
          <button type="submit" class="button small secondary" aria-label={`Dry run of ${item.name}`}>
            Dry run
          </button>
        </form>
        <a
          class="button small secondary"
          href={`/imports/${encodeURIComponent(item.id)}/edit`}
          aria-label={`Edit ${item.name}`}
        >
          Edit
        </a>
        <a
          class="button small danger-outline"
          href={`/imports/${encodeURIComponent(item.id)}/delete`}
          aria-label={`Delete ${item.name}`}
        >
          Delete
        </a>
      </td>
    </tr>
  );
}

async function renderList(
  c: DashboardContext,
  message?: { kind: "error" | "notice"; text: string },
  status: 200 | 400 | 404 | 409 | 422 | 429 | 500 | 502 = 200,
) {
  const cursor = c.req.query("cursor");
  const page = await c.var.api.call<{ items: ImportView[]; nextCursor: string | null }>(
    "GET",
    `/v1/imports?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
  );
  if (!page.ok && page.status === 401) return keyRefused(c);
  const noticeText = takeFlash(c);
  return c.html(
    <Layout title="Data Imports" csrf={c.var.csrf} scripts={["submit-once.js"]}>
      <div class="page-head">
        <h1>Data Imports</h1>
        <a class="button" href="/imports/new">
          New Import
        </a>
      </div>
      <p class="muted">
        Bring orders, customers and product catalogues into the platform, once or every few days.
      </p>
      {noticeText ? <Alert kind="notice">{noticeText}</Alert> : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {!page.ok ? (
        <Alert kind="error">{page.message}</Alert>
      ) : page.body.items.length === 0 && !cursor ? (
        <section class="card empty">
          <h2>No imports yet</h2>
          <p>
            Create one with New Import: pick what you import, where the file is, and check a preview before
            anything runs.
          </p>
        </section>
      ) : (
        <>
          <div class="table-wrap">
            <table class="imports responsive">
              <caption class="visually-hidden">Imports</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Format</th>
                  <th scope="col">Source</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Last run</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.body.items.map((item) => (
                  <ImportRow item={item} csrf={c.var.csrf} />
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages of imports">
            {cursor ? <a href="/">First page</a> : null}
            {page.body.nextCursor ? (
              <a href={`/?cursor=${encodeURIComponent(page.body.nextCursor)}`}>Next page</a>
            ) : null}
          </nav>
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
          <a class="button secondary" href="/">
            Cancel
          </a>
        </form>
      </section>
    </Layout>
  );
}

export function registerImports(app: DashboardApp): void {
  app.use("/", requireSession);
  app.use("/imports/*", requireSession, requireCsrf);

  app.get("/", (c) => renderList(c));

  app.post("/imports/:id/runs", async (c) => {
    const form = await c.req.parseBody();
    const run = await c.var.api.startRun(c.req.param("id"), form.dryRun === "true");
    if (!run.ok) return renderList(c, { kind: "error", text: run.message }, apiStatus(run.status));
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
