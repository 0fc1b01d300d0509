import { BUILT_IN_ID_TYPES } from "@cdp/core";
import type { OrderView, Page, ProfileView, RunView } from "../api";
import {
  type DashboardApp,
  type DashboardContext,
  keyRefused,
  requireCsrf,
  requireSession,
  setFlash,
  takeFlash,
} from "../app";
import { formatCount, formatMoney, formatTime, plural } from "../labels";
import { Alert, Crumbs, CsrfField, Layout } from "../layout";
import { apiStatus } from "./imports";

/** Orders per page of a profile. */
export const ORDERS_PER_PAGE = 10;
/** The runs named beside a profile's attributes: each is read for its import's name and time. */
const RUNS_NAMED = 10;

const AREA = { name: "Profiles", href: "/profiles" };
/** The trail of a profile's or an order's page starts at the profile search. */
const PROFILES_CRUMB = { text: AREA.name, href: AREA.href };

/** The dashboard's page of the profile that has this id. */
export const profileHref = (idType: string, idValue: string) =>
  `/profiles/${encodeURIComponent(idType)}/${encodeURIComponent(idValue)}`;

/** The dashboard's page of an order. */
export const orderHref = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

type PageStatus = 200 | ReturnType<typeof apiStatus>;

/** The form that looks a person up by one of their ids. */
function LookupForm(props: { idType?: string; idValue?: string }) {
  return (
    <form class="lookup" method="get" action="/profiles" aria-label="Look up a profile">
      <div class="field">
        <label for="id-type">Id type</label>
        <input
          id="id-type"
          name="idType"
          type="text"
          list="id-types"
          value={props.idType ?? "email"}
          autocomplete="off"
          spellcheck={false}
          aria-describedby="id-type-hint"
        />
        <p class="hint" id="id-type-hint">
          A built-in type, or your own (like crm_id).
        </p>
      </div>
      <div class="field lookup-value">
        <label for="id-value">Id</label>
        <input
          id="id-value"
          name="idValue"
          type="text"
          value={props.idValue ?? ""}
          autocomplete="off"
          spellcheck={false}
          aria-describedby="id-value-hint"
        />
        <p class="hint" id="id-value-hint">
          An e-mail address or phone number finds its hashed id too.
        </p>
      </div>
      <div class="lookup-actions">
        <button type="submit" class="button">
          Look up
        </button>
      </div>
      <datalist id="id-types">
        {BUILT_IN_ID_TYPES.map((type) => (
          <option value={type} />
        ))}
      </datalist>
    </form>
  );
}

function LookupPage(props: {
  csrf: string;
  idType?: string;
  idValue?: string;
  error?: string;
  notice?: string;
}) {
  return (
    <Layout title="Profiles" csrf={props.csrf} area={AREA}>
      <div class="page-head">
        <div class="title-block">
          <h1>Profiles</h1>
          <p class="muted intro">
            Look a person up by one of their ids: their ids, attributes and orders, what each import changed,
            and their data to download or delete.
          </p>
        </div>
      </div>
      {props.notice ? <Alert kind="notice">{props.notice}</Alert> : null}
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
      <section class="card" aria-label="Look up">
        <LookupForm idType={props.idType} idValue={props.idValue} />
      </section>
    </Layout>
  );
}

/** A value of an attribute as text: JSON for lists and objects. */
function AttributeValue(props: { value: unknown }) {
  const { value } = props;
  if (value === null || value === undefined) return <span class="muted">(empty)</span>;
  if (typeof value === "object") return <code>{JSON.stringify(value)}</code>;
  if (typeof value === "string" && value === "") return <span class="muted">(empty text)</span>;
  return <>{String(value)}</>;
}

/** What a run is called beside the attributes it changed: its import and when it ran. */
interface RunName {
  importName: string | null;
  at: string;
}

function RunLink(props: { runId: string | undefined; names: Map<string, RunName> }) {
  const { runId } = props;
  if (!runId) return <span class="muted">—</span>;
  const name = props.names.get(runId);
  return (
    <a href={`/runs/${encodeURIComponent(runId)}`}>
      {name ? (
        <>
          {name.importName ? <span class="import-name">{name.importName}</span> : "Run"}
          <span class="sub">{formatTime(name.at)}</span>
        </>
      ) : (
        <span class="id">{runId}</span>
      )}
    </a>
  );
}

function Money(props: { amount: number; currency: string }) {
  return <span class="money">{formatMoney(props.amount, props.currency)}</span>;
}

/** An order with its amounts and its line items. */
export function OrderBlock(props: { order: OrderView; headingLevel: 1 | 3; link: boolean }) {
  const { order } = props;
  const headingId = `order-${order.orderId}`.replace(/[^\w-]/g, "_");
  const title = (
    <>
      Order <span class="order-id">{order.orderId}</span>
    </>
  );
  const heading = props.link ? <a href={orderHref(order.orderId)}>{title}</a> : title;
  const amounts: [string, number][] = [
    ["Subtotal", order.subtotal],
    ["Tax", order.tax],
    ["Shipping", order.shipping],
    ["Discount", order.discount],
    ["Refund", order.refund],
  ];
  return (
    <article class="order" aria-labelledby={headingId}>
      <div class="order-head">
        {props.headingLevel === 1 ? <h1 id={headingId}>{heading}</h1> : <h3 id={headingId}>{heading}</h3>}
        <span class="muted">
          <time datetime={order.createdAt}>{formatTime(order.createdAt)}</time>
        </span>
        <strong class="order-total">
          <Money amount={order.total} currency={order.currency} />
        </strong>
      </div>
      <p class="order-facts muted">
        {amounts
          .filter(([, amount]) => amount !== 0)
          .map(([name, amount]) => (
            <span>
              {name} <Money amount={amount} currency={order.currency} />
            </span>
          ))}
        {order.paymentMethod ? <span>Paid by {order.paymentMethod}</span> : null}
        {order.shippingCountry ? <span>Shipped to {order.shippingCountry}</span> : null}
        {order.promotions.length ? <span>Promotions: {order.promotions.join(", ")}</span> : null}
      </p>
      <div class="table-wrap">
        <table class="line-items responsive">
          <caption class="visually-hidden">Line items of order {order.orderId}</caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Name</th>
              <th scope="col">SKU</th>
              <th scope="col" class="num">
                Quantity
              </th>
              <th scope="col" class="num">
                Total
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {order.lineItems.map((line) => (
              <tr>
                <td data-label="Product">
                  <code>{line.productId}</code>
                </td>
                <td data-label="Name">{line.name ?? <span class="muted">—</span>}</td>
                <td data-label="SKU">{line.sku}</td>
                <td data-label="Quantity" class="num">
                  {formatCount(line.quantity)}
                </td>
                <td data-label="Total" class="num">
                  <Money amount={line.total} currency={line.currency} />
                </td>
                <td data-label="Status">{line.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}

interface OrdersView {
  page: Page<OrderView> | null;
  error?: string;
  cursor?: string;
  from: number;
}

function ordersPageHref(idType: string, idValue: string, cursor?: string, from?: number) {
  const base = profileHref(idType, idValue);
  if (!cursor) return `${base}#orders-heading`;
  const params = new URLSearchParams({ cursor, from: String(from ?? 1) });
  return `${base}?${params}#orders-heading`;
}

function OrdersSection(props: { profile: ProfileView; idType: string; idValue: string; orders: OrdersView }) {
  const { profile, idType, idValue, orders } = props;
  const page = orders.page;
  const to = orders.from + (page?.items.length ?? 0) - 1;
  return (
    <section class="card" aria-labelledby="orders-heading">
      <h2 id="orders-heading">Orders</h2>
      {orders.error ? <Alert kind="error">{orders.error}</Alert> : null}
      {page && page.items.length === 0 ? (
        <p class="muted">{orders.cursor ? "No older orders." : "No orders under this profile's ids."}</p>
      ) : null}
      {page && page.items.length > 0 ? (
        <>
          <p class="muted" role="status">
            Newest first: orders {formatCount(orders.from)}–{formatCount(to)} of{" "}
            {formatCount(profile.orders.count)}.
          </p>
          <div class="orders">
            {page.items.map((order) => (
              <OrderBlock order={order} headingLevel={3} link />
            ))}
          </div>
        </>
      ) : null}
      {page && (orders.cursor || page.nextCursor) ? (
        <nav class="pager" aria-label="Pages of orders">
          {orders.cursor ? <a href={ordersPageHref(idType, idValue)}>Newest orders</a> : null}
          {page.nextCursor ? (
            <a href={ordersPageHref(idType, idValue, page.nextCursor, to + 1)}>Older orders</a>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

/** What a delete takes away, in words: the counts of the profile as shown. */
function deletionText(profile: ProfileView): string {
  const types = [...new Set(profile.ids.map((id) => id.type))].join(", ");
  const orders =
    profile.orders.count > 0
      ? ` and its ${plural(profile.orders.count, "order")} with their line items`
      : ", and it has no orders";
  return `The profile, its ${plural(profile.ids.length, "id")} (${types})${orders} will be deleted for good, with its attributes. This cannot be undone.`;
}

function DeleteForm(props: { idType: string; idValue: string; csrf: string; cancelHref?: string }) {
  return (
    <form
      method="post"
      action={`${profileHref(props.idType, props.idValue)}/delete`}
      class="button-row"
      data-submit-once
    >
      <CsrfField token={props.csrf} />
      <button type="submit" class="button danger">
        Delete profile
      </button>
      {props.cancelHref ? (
        <a class="button secondary" href={props.cancelHref}>
          Keep it
        </a>
      ) : (
        <button type="button" class="button secondary" data-close-dialog autofocus>
          Keep it
        </button>
      )}
    </form>
  );
}

function ProfilePage(props: {
  csrf: string;
  idType: string;
  idValue: string;
  profile: ProfileView;
  orders: OrdersView;
  runNames: Map<string, RunName>;
  notice?: string;
  error?: string;
}) {
  const { profile, idType, idValue } = props;
  const href = profileHref(idType, idValue);
  const attributes = Object.entries(profile.attributes).sort(([a], [b]) => a.localeCompare(b));
  const revenue = Object.entries(profile.orders.revenue);
  return (
    <Layout
      title={`Profile ${idValue}`}
      csrf={props.csrf}
      area={AREA}
      scripts={["submit-once.js", "confirm.js"]}
    >
      <Crumbs trail={[PROFILES_CRUMB]} here={{ text: "Profile" }} />
      <div class="page-head">
        <div class="title-block">
          <h1 class="profile-title">{idValue}</h1>
          <p class="muted run-meta">
            Found by <code>{idType}</code> · Created{" "}
            <time datetime={profile.createdAt}>{formatTime(profile.createdAt)}</time> · Updated{" "}
            <time datetime={profile.updatedAt}>{formatTime(profile.updatedAt)}</time> ·{" "}
            <span class="id">{profile.id}</span>
          </p>
        </div>
        <div class="head-actions">
          <a
            class="button secondary"
            href={`${href}/export?profile=${encodeURIComponent(profile.id)}`}
            download={`profile-${profile.id}.json`}
          >
            Download data
          </a>
          <a class="button danger-outline" href={`${href}/delete`} data-dialog="delete-dialog">
            Delete profile
          </a>
        </div>
      </div>
      {props.notice ? <Alert kind="notice">{props.notice}</Alert> : null}
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
      <div class="import-grid">
        <section class="card" aria-labelledby="ids-heading">
          <h2 id="ids-heading">Ids ({formatCount(profile.ids.length)})</h2>
          <div class="table-wrap">
            <table class="profile-ids">
              <caption class="visually-hidden">The ids of this profile</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Id</th>
                </tr>
              </thead>
              <tbody>
                {profile.ids.map((id) => (
                  <tr>
                    <td>
                      <code>{id.type}</code>
                    </td>
                    <td class="id-value">{id.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section class="card" aria-labelledby="summary-heading">
          <h2 id="summary-heading">Orders summary</h2>
          <dl class="facts-list">
            <div>
              <dt>Orders</dt>
              <dd data-field="orders-count">{formatCount(profile.orders.count)}</dd>
            </div>
            <div>
              <dt>Revenue</dt>
              <dd data-field="revenue">
                {revenue.length ? (
                  <ul class="facts plain">
                    {revenue.map(([currency, amount]) => (
                      <li>
                        <Money amount={amount} currency={currency} />
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span class="muted">None</span>
                )}
              </dd>
            </div>
            <div>
              <dt>First order</dt>
              <dd>{formatTime(profile.orders.firstOrderAt)}</dd>
            </div>
            <div>
              <dt>Last order</dt>
              <dd>{formatTime(profile.orders.lastOrderAt)}</dd>
            </div>
          </dl>
        </section>
      </div>
      <section class="card" aria-labelledby="attributes-heading">
        <h2 id="attributes-heading">Attributes ({formatCount(attributes.length)})</h2>
        {attributes.length === 0 ? (
          <p class="muted">No attributes: orders alone made this profile.</p>
        ) : (
          <div class="table-wrap">
            <table class="attributes responsive">
              <caption class="visually-hidden">
                The attributes of this profile, with the run that last changed each
              </caption>
              <thead>
                <tr>
                  <th scope="col">Attribute</th>
                  <th scope="col">Value</th>
                  <th scope="col">Last changed by</th>
                </tr>
              </thead>
              <tbody>
                {attributes.map(([name, value]) => (
                  <tr>
                    <th scope="row" data-label="Attribute">
                      <code>{name}</code>
                    </th>
                    <td data-label="Value">
                      <AttributeValue value={value} />
                    </td>
                    <td data-label="Last changed by">
                      <RunLink runId={profile.attributeRuns[name]} names={props.runNames} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <OrdersSection profile={profile} idType={idType} idValue={idValue} orders={props.orders} />
      <dialog id="delete-dialog" class="dialog" aria-labelledby="delete-dialog-title">
        <h2 id="delete-dialog-title">Delete this profile?</h2>
        <p data-field="deletion">{deletionText(profile)}</p>
        <DeleteForm idType={idType} idValue={idValue} csrf={props.csrf} />
      </dialog>
    </Layout>
  );
}

function ConfirmDeletePage(props: { csrf: string; idType: string; idValue: string; profile: ProfileView }) {
  const { idType, idValue } = props;
  return (
    <Layout title="Delete the profile" csrf={props.csrf} area={AREA} scripts={["submit-once.js"]}>
      <section class="card narrow">
        <h1>Delete this profile?</h1>
        <p>
          Found by <code>{idType}</code> <span class="id-value">{idValue}</span>.
        </p>
        <p data-field="deletion">{deletionText(props.profile)}</p>
        <DeleteForm
          idType={idType}
          idValue={idValue}
          csrf={props.csrf}
          cancelHref={profileHref(idType, idValue)}
        />
      </section>
    </Layout>
  );
}

function OrderPage(props: { csrf: string; order: OrderView }) {
  const { order } = props;
  return (
    <Layout title={`Order ${order.orderId}`} csrf={props.csrf} area={AREA}>
      <Crumbs trail={[PROFILES_CRUMB]} here={{ text: "Order" }} />
      <section class="card">
        <OrderBlock order={order} headingLevel={1} link={false} />
        <p class="buyer">
          {order.userIdType && order.userId ? (
            <>
              Bought by{" "}
              <a href={profileHref(order.userIdType, order.userId)}>
                <code>{order.userIdType}</code> <span class="id-value">{order.userId}</span>
              </a>
            </>
          ) : (
            <span class="muted">A guest order: no buyer profile.</span>
          )}
        </p>
      </section>
    </Layout>
  );
}

function OrderErrorPage(props: { csrf: string; message: string }) {
  return (
    <Layout title="Order" csrf={props.csrf} area={AREA}>
      <h1>Order</h1>
      <Alert kind="error">{props.message}</Alert>
      <p class="muted">
        An order whose issues are errors is not imported; a dry run imports nothing. Look its buyer up in{" "}
        <a href="/profiles">Profiles</a>.
      </p>
    </Layout>
  );
}

/** The import and time of each run named beside the attributes (the first few), read at once. */
async function nameRuns(c: DashboardContext, profile: ProfileView): Promise<Map<string, RunName>> {
  const runIds = [...new Set(Object.values(profile.attributeRuns))].slice(0, RUNS_NAMED);
  const runs = await Promise.all(runIds.map((id) => c.var.api.getRun(id)));
  const found = runs.flatMap((r) => (r.ok ? [r.body] : []));
  const importIds = [...new Set(found.map((run) => run.importId))];
  const imports = await Promise.all(importIds.map((id) => c.var.api.getImport(id)));
  const importNames = new Map(
    imports.flatMap((i) => (i.ok ? [[i.body.id, i.body.name] as [string, string]] : [])),
  );
  return new Map(
    found.map((run: RunView) => [
      run.id,
      { importName: importNames.get(run.importId) ?? null, at: run.finishedAt ?? run.createdAt },
    ]),
  );
}

async function renderProfile(c: DashboardContext, message?: { kind: "error" | "notice"; text: string }) {
  const idType = c.req.param("idType") ?? "";
  const idValue = c.req.param("idValue") ?? "";
  const cursor = c.req.query("cursor") || undefined;
  const from = cursor ? Math.max(1, Number.parseInt(c.req.query("from") ?? "1", 10) || 1) : 1;
  const [profile, orders] = await Promise.all([
    c.var.api.getProfile(idType, idValue),
    c.var.api.listProfileOrders(idType, idValue, ORDERS_PER_PAGE, cursor),
  ]);
  if (!profile.ok) {
    if (profile.status === 401) return keyRefused(c);
    return c.html(
      <LookupPage csrf={c.var.csrf} idType={idType} idValue={idValue} error={profile.message} />,
      apiStatus(profile.status),
    );
  }
  const runNames = await nameRuns(c, profile.body);
  const flash = takeFlash(c);
  return c.html(
    <ProfilePage
      csrf={c.var.csrf}
      idType={idType}
      idValue={idValue}
      profile={profile.body}
      orders={{
        page: orders.ok ? orders.body : null,
        error: orders.ok ? undefined : orders.message,
        cursor,
        from,
      }}
      runNames={runNames}
      notice={message?.kind === "notice" ? message.text : flash}
      error={message?.kind === "error" ? message.text : undefined}
    />,
    message?.kind === "error" ? 502 : 200,
  );
}

/** The id of a profile as a file name may carry it. */
const PROFILE_ID = /^[\w-]{1,64}$/;

export function registerProfiles(app: DashboardApp): void {
  app.use("/profiles", requireSession);
  app.use("/profiles/*", requireSession, requireCsrf);
  app.use("/orders", requireSession);
  app.use("/orders/*", requireSession);

  // The lookup: a typed id opens the page of its profile.
  app.get("/profiles", (c) => {
    const idType = (c.req.query("idType") ?? "").trim();
    const idValue = (c.req.query("idValue") ?? "").trim();
    const asked = c.req.query("idType") !== undefined || c.req.query("idValue") !== undefined;
    if (idType && idValue) return c.redirect(profileHref(idType, idValue), 303);
    const error = !asked
      ? undefined
      : !idType
        ? "Type the id type to look up, like email."
        : "Type the id to look up, like an e-mail address.";
    const status: PageStatus = error ? 400 : 200;
    return c.html(
      <LookupPage
        csrf={c.var.csrf}
        idType={idType || undefined}
        idValue={idValue || undefined}
        error={error}
        notice={takeFlash(c)}
      />,
      status,
    );
  });

  app.get("/profiles/:idType/:idValue", (c) => renderProfile(c));

  // Without script, Delete profile leads here to confirm; with it, a dialog on the profile page asks.
  app.get("/profiles/:idType/:idValue/delete", async (c) => {
    const idType = c.req.param("idType");
    const idValue = c.req.param("idValue");
    const profile = await c.var.api.getProfile(idType, idValue);
    if (!profile.ok) {
      if (profile.status === 401) return keyRefused(c);
      return c.html(
        <LookupPage csrf={c.var.csrf} idType={idType} idValue={idValue} error={profile.message} />,
        apiStatus(profile.status),
      );
    }
    return c.html(
      <ConfirmDeletePage csrf={c.var.csrf} idType={idType} idValue={idValue} profile={profile.body} />,
    );
  });

  app.post("/profiles/:idType/:idValue/delete", async (c) => {
    const idType = c.req.param("idType");
    const idValue = c.req.param("idValue");
    const erased = await c.var.api.deleteProfile(idType, idValue);
    if (!erased.ok) {
      if (erased.status === 401) return keyRefused(c);
      if (erased.status === 404)
        return c.html(
          <LookupPage csrf={c.var.csrf} idType={idType} idValue={idValue} error={erased.message} />,
          404,
        );
      return renderProfile(c, { kind: "error", text: erased.message });
    }
    const { profiles, ids, orders, lineItems } = erased.body.deleted;
    setFlash(
      c,
      `Profile deleted: ${plural(profiles, "profile")}, ${plural(ids, "id")}, ${plural(orders, "order")} and ${plural(lineItems, "line item")}.`,
    );
    return c.redirect("/profiles", 303);
  });

  // Right of access: everything stored about the person, as a JSON file (passed through as it comes).
  app.get("/profiles/:idType/:idValue/export", async (c) => {
    const idType = c.req.param("idType");
    const idValue = c.req.param("idValue");
    const response = await c.var.api.raw(
      "GET",
      `/v1/profiles/${encodeURIComponent(idType)}/${encodeURIComponent(idValue)}/export`,
    );
    if (!response.ok) {
      if (response.status === 401) return keyRefused(c);
      const text = await response.text();
      let message = `The API answered ${response.status}.`;
      try {
        message = (JSON.parse(text) as { error: { message: string } }).error.message;
      } catch {}
      return c.text(message, apiStatus(response.status));
    }
    const profileId = c.req.query("profile") ?? "";
    const name = PROFILE_ID.test(profileId) ? `profile-${profileId}.json` : "profile.json";
    return new Response(response.body, {
      status: 200,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });

  // The lookup of an order by its id (the run page's form).
  app.get("/orders", (c) => {
    const orderId = (c.req.query("orderId") ?? "").trim();
    if (orderId) return c.redirect(orderHref(orderId), 303);
    return c.html(<OrderErrorPage csrf={c.var.csrf} message="Type the id of the order to look up." />, 400);
  });

  app.get("/orders/:orderId", async (c) => {
    const orderId = c.req.param("orderId");
    const order = await c.var.api.getOrder(orderId);
    if (!order.ok) {
      if (order.status === 401) return keyRefused(c);
      return c.html(<OrderErrorPage csrf={c.var.csrf} message={order.message} />, apiStatus(order.status));
    }
    return c.html(<OrderPage csrf={c.var.csrf} order={order.body} />);
  });
}
