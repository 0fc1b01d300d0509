import type { Child } from "hono/jsx";
import type { ApiFailure, Page } from "../api";
import {
  type DashboardApp,
  type DashboardContext,
  keyRefused,
  requireCsrf,
  requireSession,
  setFlash,
  takeFlash,
} from "../app";
import { formatTime, label } from "../labels";
import { Alert, CsrfField, Layout } from "../layout";
import { apiStatus } from "./imports";

/** An endpoint as GET /v1/webhooks answers it. */
export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One attempt of the delivery log. */
export interface DeliveryView {
  id: string;
  eventId: string;
  event: string;
  runId: string | null;
  attempt: number;
  statusCode: number | null;
  response: string | null;
  error: string | null;
  latencyMs: number | null;
  at: string;
  outcome: "delivered" | "retrying" | "failed";
}

/** Attempts shown with each endpoint on the list; its own page shows them all, a page at a time. */
export const RECENT_DELIVERIES = 5;
export const DELIVERIES_PER_PAGE = 50;

const RUN_EVENTS = ["run.completed", "run.failed", "run.cancelled"] as const;

const EVENT_LABELS: Record<string, string> = {
  "run.completed": "Run completed",
  "run.failed": "Run failed",
  "run.cancelled": "Run cancelled",
  test: "Test event",
};

const OUTCOME_LABELS: Record<string, string> = {
  delivered: "Delivered",
  retrying: "Retrying",
  failed: "Failed",
};

/** Badge colours: delivered green, failed red (as failed runs), retrying amber (as running ones). */
const OUTCOME_BADGES: Record<string, string> = {
  delivered: "webhook-ok",
  retrying: "status-in_progress",
  failed: "status-failed",
};

/** What a page answers: 200, or the API's refusal as apiStatus maps it. */
type PageStatus = 200 | ReturnType<typeof apiStatus>;

const SECTION = { name: "Webhooks", href: "/webhooks" };
const pathOf = (id: string) => `/webhooks/${encodeURIComponent(id)}`;

/** The frame of these pages: under Data Imports in the breadcrumbs. */
function WebhooksLayout(props: { title: string; csrf: string; scripts?: string[]; children: Child }) {
  return (
    <Layout title={props.title} csrf={props.csrf} scripts={props.scripts} section={SECTION}>
      <div class="webhooks-page">{props.children}</div>
    </Layout>
  );
}

/** A secret just made: shown once, here, and never again. */
interface ShownSecret {
  url: string;
  secret: string;
  rotated: boolean;
}

function SecretPanel(props: { shown: ShownSecret }) {
  return (
    <section class="banner secret-panel" aria-labelledby="secret-heading">
      <h2 id="secret-heading">{props.shown.rotated ? "New signing secret" : "Signing secret"}</h2>
      <p>
        Copy the secret of <span class="webhook-url">{props.shown.url}</span> now: it is not shown again.
        {props.shown.rotated ? " The previous secret keeps signing deliveries for 24 hours." : ""}
      </p>
      <p>
        <code class="secret" id="webhook-secret">
          {props.shown.secret}
        </code>
      </p>
    </section>
  );
}

function EndpointStatus(props: { webhook: WebhookView }) {
  const { webhook } = props;
  if (!webhook.enabled) return <span class="badge status-failed">Disabled</span>;
  if (webhook.failingSince) return <span class="badge status-in_progress">Failing</span>;
  return <span class="badge webhook-ok">Enabled</span>;
}

/** What an attempt got back: the status code (and the start of the answer), or why it got nothing. */
function AnswerCell(props: { delivery: DeliveryView }) {
  const { delivery } = props;
  return (
    <div>
      {delivery.statusCode !== null ? (
        <strong>{delivery.statusCode}</strong>
      ) : (
        <span class="muted">No answer</span>
      )}
      {delivery.latencyMs !== null ? <span class="muted"> · {delivery.latencyMs} ms</span> : null}
      {delivery.error ? <span class="sub">{delivery.error}</span> : null}
      {delivery.response ? (
        <span class="sub">
          <code class="answer">
            {delivery.response.length > 120 ? `${delivery.response.slice(0, 120)}…` : delivery.response}
          </code>
        </span>
      ) : null}
    </div>
  );
}

function DeliveriesTable(props: {
  webhook: WebhookView;
  deliveries: DeliveryView[];
  csrf: string;
  back: string;
  caption: string;
}) {
  // Resend is offered once per event, on its latest attempt, when that attempt is not still retrying.
  const offered = new Set<string>();
  return (
    <div class="table-wrap">
      <table class="deliveries responsive">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Attempt</th>
            <th scope="col">Answer</th>
            <th scope="col">Outcome</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((delivery) => {
            const latest = !offered.has(delivery.eventId);
            offered.add(delivery.eventId);
            const resend = latest && delivery.outcome !== "retrying" && props.webhook.enabled;
            return (
              <tr data-delivery={delivery.id} data-outcome={delivery.outcome}>
                <td data-label="Time">
                  <time datetime={delivery.at}>{formatTime(delivery.at)}</time>
                </td>
                <td data-label="Event">
                  <div>
                    {label(EVENT_LABELS, delivery.event)}
                    {delivery.runId ? (
                      <span class="sub">
                        <a href={`/runs/${encodeURIComponent(delivery.runId)}`}>View run</a>
                      </span>
                    ) : null}
                  </div>
                </td>
                <td data-label="Attempt" class="num">
                  {delivery.attempt}
                </td>
                <td data-label="Answer">
                  <AnswerCell delivery={delivery} />
                </td>
                <td data-label="Outcome">
                  <div>
                    <span class={`badge ${OUTCOME_BADGES[delivery.outcome] ?? ""}`}>
                      {label(OUTCOME_LABELS, delivery.outcome)}
                    </span>
                  </div>
                </td>
                <td data-label="Actions" class="delivery-actions">
                  {resend ? (
                    <form
                      method="post"
                      action={`${pathOf(props.webhook.id)}/events/${encodeURIComponent(delivery.eventId)}/resend`}
                      data-submit-once
                    >
                      <CsrfField token={props.csrf} />
                      <input type="hidden" name="back" value={props.back} />
                      <button
                        type="submit"
                        class="button small secondary"
                        aria-label={`Resend the ${label(EVENT_LABELS, delivery.event).toLowerCase()} of ${delivery.at}`}
                      >
                        Resend
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EndpointCard(props: {
  webhook: WebhookView;
  deliveries: DeliveryView[] | ApiFailure;
  csrf: string;
  back: string;
  headingLevel: 2 | 1;
  children?: Child;
}) {
  const { webhook, csrf } = props;
  const headingId = `webhook-${webhook.id}`;
  const failures = Array.isArray(props.deliveries)
    ? props.deliveries.filter((d) => d.outcome !== "delivered").length
    : 0;
  return (
    <section class="card webhook" aria-labelledby={headingId} data-webhook={webhook.id}>
      <div class="webhook-head">
        {props.headingLevel === 1 ? (
          <h1 id={headingId} class="webhook-url">
            {webhook.url}
          </h1>
        ) : (
          <h2 id={headingId} class="webhook-url">
            {webhook.url}
          </h2>
        )}
        <EndpointStatus webhook={webhook} />
      </div>
      {webhook.description ? <p class="muted webhook-description">{webhook.description}</p> : null}
      <dl class="webhook-facts">
        <div>
          <dt>Events</dt>
          <dd>{webhook.events.map((event) => label(EVENT_LABELS, event)).join(", ")}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>
            <time datetime={webhook.createdAt}>{formatTime(webhook.createdAt)}</time>
          </dd>
        </div>
        {webhook.previousSecretExpiresAt ? (
          <div>
            <dt>Previous secret</dt>
            <dd>
              Signs too until{" "}
              <time datetime={webhook.previousSecretExpiresAt}>
                {formatTime(webhook.previousSecretExpiresAt)}
              </time>
            </dd>
          </div>
        ) : null}
      </dl>
      {!webhook.enabled ? (
        <Alert kind="error">
          {webhook.disabledReason ?? "Disabled: no events are sent to this endpoint."}
          {webhook.disabledReason ? " No events are sent to it until it is enabled." : ""}
        </Alert>
      ) : webhook.failingSince ? (
        <p class="webhook-failing" role="status">
          Deliveries have been failing since{" "}
          <time datetime={webhook.failingSince}>{formatTime(webhook.failingSince)}</time>: the endpoint is
          disabled after 3 days of failures.
        </p>
      ) : null}
      <div class="button-row webhook-actions">
        {webhook.enabled ? (
          <form method="post" action={`${pathOf(webhook.id)}/test`} data-submit-once>
            <CsrfField token={csrf} />
            <input type="hidden" name="back" value={props.back} />
            <button type="submit" class="button small" aria-label={`Send test event to ${webhook.url}`}>
              Send test event
            </button>
          </form>
        ) : (
          <form method="post" action={`${pathOf(webhook.id)}/enable`} data-submit-once>
            <CsrfField token={csrf} />
            <input type="hidden" name="back" value={props.back} />
            <button type="submit" class="button small" aria-label={`Enable ${webhook.url}`}>
              Enable
            </button>
          </form>
        )}
        <form method="post" action={`${pathOf(webhook.id)}/rotate-secret`} data-submit-once>
          <CsrfField token={csrf} />
          <input type="hidden" name="back" value={props.back} />
          <button type="submit" class="button small secondary" aria-label={`Rotate secret of ${webhook.url}`}>
            Rotate secret
          </button>
        </form>
        {webhook.enabled ? (
          <form method="post" action={`${pathOf(webhook.id)}/disable`} data-submit-once>
            <CsrfField token={csrf} />
            <input type="hidden" name="back" value={props.back} />
            <button type="submit" class="button small secondary" aria-label={`Disable ${webhook.url}`}>
              Disable
            </button>
          </form>
        ) : null}
        <a
          class="button small danger-outline"
          href={`${pathOf(webhook.id)}/delete`}
          aria-label={`Delete ${webhook.url}`}
        >
          Delete
        </a>
      </div>
      <div class="page-head webhook-log-head">
        {props.headingLevel === 1 ? <h2>Deliveries</h2> : <h3>Recent deliveries</h3>}
        {props.headingLevel === 2 ? (
          <a href={pathOf(webhook.id)} aria-label={`All deliveries to ${webhook.url}`}>
            All deliveries{failures > 0 ? ` (${failures} not delivered recently)` : ""}
          </a>
        ) : null}
      </div>
      {!Array.isArray(props.deliveries) ? (
        <Alert kind="error">{props.deliveries.message}</Alert>
      ) : props.deliveries.length === 0 ? (
        <p class="muted">
          No deliveries yet. Send a test event to check that the endpoint receives and verifies them.
        </p>
      ) : (
        <DeliveriesTable
          webhook={webhook}
          deliveries={props.deliveries}
          csrf={csrf}
          back={props.back}
          caption={`Deliveries to ${webhook.url}`}
        />
      )}
      {props.children}
    </section>
  );
}

interface AddForm {
  url: string;
  events: string[];
  description: string;
}

/** The API's 400 details, by field: shown next to the field they are about. */
function fieldErrorsOf(failure: ApiFailure | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!failure || !Array.isArray(failure.details)) return out;
  for (const detail of failure.details as { path?: string; message?: string }[]) {
    const field = (detail.path ?? "").split(".")[0] ?? "";
    if (field && detail.message && !out[field]) out[field] = detail.message;
  }
  return out;
}

function AddEndpointForm(props: { csrf: string; form: AddForm; failure?: ApiFailure }) {
  const errors = fieldErrorsOf(props.failure);
  const urlError =
    errors.url ??
    (props.failure && !errors.events && !errors.description ? props.failure.message : undefined);
  return (
    <section class="card" id="add-endpoint" aria-labelledby="add-heading">
      <h2 id="add-heading">Add an endpoint</h2>
      <form method="post" action="/webhooks" class="add-webhook" data-submit-once novalidate>
        <CsrfField token={props.csrf} />
        <div class={`field${urlError ? " invalid" : ""}`}>
          <label for="webhook-url">Endpoint URL</label>
          <input
            id="webhook-url"
            name="url"
            type="url"
            required
            placeholder="https://hooks.example.com/cdp-imports"
            value={props.form.url}
            aria-invalid={urlError ? "true" : undefined}
            aria-describedby={urlError ? "webhook-url-hint webhook-url-error" : "webhook-url-hint"}
          />
          <p class="hint" id="webhook-url-hint">
            An https URL on the public internet. Events are POSTed to it as JSON, signed as Standard Webhooks
            describes.
          </p>
          {urlError ? (
            <p class="field-error" id="webhook-url-error">
              {urlError}
            </p>
          ) : null}
        </div>
        <fieldset
          class={`field${errors.events ? " invalid" : ""}`}
          aria-describedby={errors.events ? "webhook-events-error" : undefined}
        >
          <legend>Events</legend>
          <div class="event-choices">
            {RUN_EVENTS.map((event) => (
              <div class="field checkbox">
                <input
                  id={`event-${event}`}
                  type="checkbox"
                  name="events"
                  value={event}
                  checked={props.form.events.includes(event)}
                />
                <label for={`event-${event}`} class="checkbox-label">
                  {label(EVENT_LABELS, event)}
                </label>
              </div>
            ))}
          </div>
          {errors.events ? (
            <p class="field-error" id="webhook-events-error">
              Choose at least one event.
            </p>
          ) : null}
        </fieldset>
        <div class={`field${errors.description ? " invalid" : ""}`}>
          <label for="webhook-description">Description (optional)</label>
          <input
            id="webhook-description"
            name="description"
            type="text"
            maxlength={500}
            value={props.form.description}
          />
        </div>
        <button type="submit" class="button">
          Add endpoint
        </button>
      </form>
    </section>
  );
}

const EMPTY_FORM: AddForm = { url: "", events: [...RUN_EVENTS], description: "" };

async function recentDeliveries(c: DashboardContext, id: string, limit: number, cursor?: string) {
  const page = await c.var.api.call<Page<DeliveryView>>(
    "GET",
    `/v1${pathOf(id)}/deliveries?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
  );
  return page;
}

async function renderList(
  c: DashboardContext,
  options: {
    shown?: ShownSecret;
    message?: { kind: "error" | "notice"; text: string };
    form?: AddForm;
    failure?: ApiFailure;
    status?: PageStatus;
  } = {},
) {
  const cursor = c.req.query("cursor");
  const list = await c.var.api.call<Page<WebhookView>>(
    "GET",
    `/v1/webhooks?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
  );
  if (!list.ok && list.status === 401) return keyRefused(c);
  const webhooks = list.ok ? list.body.items : [];
  const logs = await Promise.all(webhooks.map((w) => recentDeliveries(c, w.id, RECENT_DELIVERIES)));
  const flash = takeFlash(c);
  return c.html(
    <WebhooksLayout title="Webhooks" csrf={c.var.csrf} scripts={["submit-once.js"]}>
      <div class="page-head">
        <h1>Webhooks</h1>
        <a class="button" href="#add-endpoint">
          New endpoint
        </a>
      </div>
      <p class="muted intro">
        Tell your systems when an import run ends. Each completed, failed or cancelled run is sent to your
        endpoints, signed with the endpoint's secret; an answer other than 2xx is retried for 24 hours.
      </p>
      {flash ? <Alert kind="notice">{flash}</Alert> : null}
      {options.message ? <Alert kind={options.message.kind}>{options.message.text}</Alert> : null}
      {options.shown ? <SecretPanel shown={options.shown} /> : null}
      {!list.ok ? <Alert kind="error">{list.message}</Alert> : null}
      {list.ok && webhooks.length === 0 && !cursor ? (
        <section class="card empty">
          <h2>No endpoints yet</h2>
          <p>Add one below: your system then hears of every run that ends, as it ends.</p>
        </section>
      ) : null}
      {webhooks.map((webhook, i) => {
        const log = logs[i];
        return (
          <EndpointCard
            webhook={webhook}
            deliveries={log?.ok ? log.body.items : (log as ApiFailure)}
            csrf={c.var.csrf}
            back="/webhooks"
            headingLevel={2}
          />
        );
      })}
      {list.ok && (cursor || list.body.nextCursor) ? (
        <nav class="pager" aria-label="Pages of endpoints">
          {cursor ? <a href="/webhooks">First page</a> : null}
          {list.body.nextCursor ? (
            <a href={`/webhooks?cursor=${encodeURIComponent(list.body.nextCursor)}`}>Next page</a>
          ) : null}
        </nav>
      ) : null}
      <AddEndpointForm csrf={c.var.csrf} form={options.form ?? EMPTY_FORM} failure={options.failure} />
    </WebhooksLayout>,
    options.status ?? 200,
  );
}

async function renderEndpoint(
  c: DashboardContext,
  options: {
    shown?: ShownSecret;
    message?: { kind: "error" | "notice"; text: string };
    status?: PageStatus;
  } = {},
) {
  const id = c.req.param("id") ?? "";
  const webhook = await c.var.api.call<WebhookView>("GET", `/v1${pathOf(id)}`);
  if (!webhook.ok) {
    if (webhook.status === 401) return keyRefused(c);
    return c.html(
      <WebhooksLayout title="Webhook" csrf={c.var.csrf}>
        <p>
          <a href="/webhooks">← Webhooks</a>
        </p>
        <h1>Webhook</h1>
        <Alert kind="error">{webhook.message}</Alert>
      </WebhooksLayout>,
      apiStatus(webhook.status),
    );
  }
  const cursor = c.req.query("cursor") || undefined;
  const log = await recentDeliveries(c, id, DELIVERIES_PER_PAGE, cursor);
  const flash = takeFlash(c);
  const back = pathOf(id);
  return c.html(
    <WebhooksLayout title={`Webhook ${webhook.body.url}`} csrf={c.var.csrf} scripts={["submit-once.js"]}>
      <p>
        <a href="/webhooks">← Webhooks</a>
      </p>
      {flash ? <Alert kind="notice">{flash}</Alert> : null}
      {options.message ? <Alert kind={options.message.kind}>{options.message.text}</Alert> : null}
      {options.shown ? <SecretPanel shown={options.shown} /> : null}
      <EndpointCard
        webhook={webhook.body}
        deliveries={log.ok ? log.body.items : log}
        csrf={c.var.csrf}
        back={back}
        headingLevel={1}
      >
        {log.ok && (cursor || log.body.nextCursor) ? (
          <nav class="pager" aria-label="Pages of deliveries">
            {cursor ? <a href={back}>Newest</a> : null}
            {log.body.nextCursor ? (
              <a href={`${back}?cursor=${encodeURIComponent(log.body.nextCursor)}`}>Older</a>
            ) : null}
          </nav>
        ) : null}
      </EndpointCard>
    </WebhooksLayout>,
    options.status ?? 200,
  );
}

/** Where an action returns to: the list, or the endpoint's own page (never anywhere else). */
function backTo(form: Record<string, unknown>, id: string): string {
  return form.back === pathOf(id) ? pathOf(id) : "/webhooks";
}

function ConfirmDelete(props: { webhook: WebhookView; csrf: string }) {
  return (
    <WebhooksLayout title="Delete webhook" csrf={props.csrf} scripts={["submit-once.js"]}>
      <section class="card narrow">
        <h1>Delete this endpoint?</h1>
        <p>
          <span class="webhook-url">{props.webhook.url}</span> will receive no more events, and its delivery
          log is deleted with it.
        </p>
        <form method="post" action={`${pathOf(props.webhook.id)}/delete`} class="button-row" data-submit-once>
          <CsrfField token={props.csrf} />
          <button type="submit" class="button danger">
            Delete endpoint
          </button>
          <a class="button secondary" href="/webhooks">
            Cancel
          </a>
        </form>
      </section>
    </WebhooksLayout>
  );
}

export function registerWebhooks(app: DashboardApp): void {
  app.use("/webhooks", requireSession, requireCsrf);
  app.use("/webhooks/*", requireSession, requireCsrf);

  app.get("/webhooks", (c) => renderList(c));

  app.post("/webhooks", async (c) => {
    const body = await c.req.parseBody({ all: true });
    const events = ([] as unknown[]).concat(body.events ?? []).map(String);
    const form: AddForm = {
      url: String(body.url ?? "").trim(),
      events,
      description: String(body.description ?? "").trim(),
    };
    const created = await c.var.api.call<WebhookView & { secret: string }>("POST", "/v1/webhooks", {
      url: form.url,
      events: form.events,
      ...(form.description ? { description: form.description } : {}),
    });
    if (!created.ok) {
      if (created.status === 401) return keyRefused(c);
      return renderList(c, { form, failure: created, status: apiStatus(created.status) });
    }
    return renderList(c, {
      shown: { url: created.body.url, secret: created.body.secret, rotated: false },
      message: { kind: "notice", text: `Endpoint ${created.body.url} added.` },
    });
  });

  app.get("/webhooks/:id", (c) => renderEndpoint(c));

  app.post("/webhooks/:id/test", async (c) => {
    const id = c.req.param("id");
    const back = backTo(await c.req.parseBody(), id);
    const sent = await c.var.api.call<{ eventId: string }>("POST", `/v1${pathOf(id)}/test`);
    if (!sent.ok && sent.status === 401) return keyRefused(c);
    setFlash(c, sent.ok ? "Test event queued: its delivery appears below once attempted." : sent.message);
    return c.redirect(back, 303);
  });

  app.post("/webhooks/:id/events/:eventId/resend", async (c) => {
    const id = c.req.param("id");
    const back = backTo(await c.req.parseBody(), id);
    const sent = await c.var.api.call("POST", `/v1${pathOf(id)}/resend`, { eventId: c.req.param("eventId") });
    if (!sent.ok && sent.status === 401) return keyRefused(c);
    setFlash(c, sent.ok ? "Event queued again, with the same webhook-id." : sent.message);
    return c.redirect(back, 303);
  });

  for (const [action, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(`/webhooks/:id/${action}`, async (c) => {
      const id = c.req.param("id");
      const back = backTo(await c.req.parseBody(), id);
      const changed = await c.var.api.call<WebhookView>("PATCH", `/v1${pathOf(id)}`, { enabled });
      if (!changed.ok && changed.status === 401) return keyRefused(c);
      setFlash(
        c,
        changed.ok ? `Endpoint ${changed.body.url} ${enabled ? "enabled" : "disabled"}.` : changed.message,
      );
      return c.redirect(back, 303);
    });
  }

  app.post("/webhooks/:id/rotate-secret", async (c) => {
    const id = c.req.param("id");
    const back = backTo(await c.req.parseBody(), id);
    const rotated = await c.var.api.call<WebhookView & { secret: string }>(
      "POST",
      `/v1${pathOf(id)}/rotate-secret`,
    );
    if (!rotated.ok) {
      if (rotated.status === 401) return keyRefused(c);
      setFlash(c, rotated.message);
      return c.redirect(back, 303);
    }
    // Shown in this answer only: a secret never goes into a cookie or a URL.
    const shown = { url: rotated.body.url, secret: rotated.body.secret, rotated: true };
    return back === "/webhooks" ? renderList(c, { shown }) : renderEndpoint(c, { shown });
  });

  app.get("/webhooks/:id/delete", async (c) => {
    const webhook = await c.var.api.call<WebhookView>("GET", `/v1${pathOf(c.req.param("id"))}`);
    if (!webhook.ok) {
      if (webhook.status === 401) return keyRefused(c);
      return renderList(c, {
        message: { kind: "error", text: webhook.message },
        status: apiStatus(webhook.status),
      });
    }
    return c.html(<ConfirmDelete webhook={webhook.body} csrf={c.var.csrf} />);
  });

  app.post("/webhooks/:id/delete", async (c) => {
    const id = c.req.param("id");
    const webhook = await c.var.api.call<WebhookView>("GET", `/v1${pathOf(id)}`);
    const deleted = await c.var.api.call("DELETE", `/v1${pathOf(id)}`);
    if (!deleted.ok) {
      if (deleted.status === 401) return keyRefused(c);
      return renderList(c, {
        message: { kind: "error", text: deleted.message },
        status: apiStatus(deleted.status),
      });
    }
    setFlash(c, `Endpoint ${webhook.ok ? webhook.body.url : id} deleted.`);
    return c.redirect("/webhooks", 303);
  });
}
