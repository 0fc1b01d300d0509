import { env } from "cloudflare:workers";
import type {
  ApiBinding,
  ImportView,
  IssueView,
  OrderView,
  ProfileView,
  RunItemView,
  RunView,
} from "../src/api";
import type { DashboardBindings } from "../src/app";
import { dashboard } from "../src/index";

export const ORIGIN = "http://dash.test";
export const GOOD_KEY = "key_good";

/** A stand-in of config-api: one tenant with key_good, answering as the real API does. */
export class FakeApi implements ApiBinding {
  imports: ImportView[] = [];
  runs: RunView[] = [];
  issues: IssueView[] = [];
  calls: { method: string; path: string; body: unknown }[] = [];
  /** The keys the API accepts; a key removed here is one revoked after sign-in. */
  keys = new Set([GOOD_KEY]);
  /** The store's profiles, each with its orders (newest first), found by any of its ids. */
  profiles: { profile: ProfileView; orders: OrderView[] }[] = [];
  /** What each run wrote, by run id and item type (GET /v1/runs/{id}/items). */
  runItems = new Map<string, RunItemView[]>();

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = request.method === "GET" ? undefined : await request.json().catch(() => undefined);
    this.calls.push({ method: request.method, path: url.pathname + url.search, body });
    const key = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!key || !this.keys.has(key)) {
      return Response.json(
        { error: { code: "unauthorized", message: "The API key was refused." } },
        { status: 401 },
      );
    }
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /v1/imports") return Response.json({ items: this.imports, nextCursor: null });
    const importMatch = /^\/v1\/imports\/([^/]+)(\/runs)?$/.exec(url.pathname);
    if (route === "POST /v1/uploads") {
      return Response.json(
        {
          key: "up_1/orders.csv",
          uploadUrl: "https://api.internal/uploads/up_1/orders.csv?expires=1&sig=abc",
          method: "PUT",
          expiresAt: "2026-12-01T00:00:00.000Z",
        },
        { status: 201 },
      );
    }
    if (importMatch?.[1] && importMatch[2] && request.method === "GET") {
      if (!this.imports.some((i) => i.id === importMatch[1]))
        return notFound(`No import '${importMatch[1]}'.`);
      const runs = this.runs.filter((r) => r.importId === importMatch[1]).reverse();
      return Response.json(pageOf(runs, url));
    }
    if (importMatch?.[1] && importMatch[2] && request.method === "POST") {
      if (!this.imports.some((i) => i.id === importMatch[1]))
        return notFound(`No import '${importMatch[1]}'.`);
      const run = sampleRun({
        id: `run_${this.runs.length + 1}`,
        importId: importMatch[1],
        dryRun: Boolean((body as { dryRun?: boolean })?.dryRun),
      });
      this.runs.push(run);
      return Response.json(run, { status: 202 });
    }
    if (importMatch?.[1] && request.method === "DELETE") {
      const before = this.imports.length;
      this.imports = this.imports.filter((i) => i.id !== importMatch[1]);
      return this.imports.length < before
        ? new Response(null, { status: 204 })
        : notFound(`No import '${importMatch[1]}'.`);
    }
    if (importMatch?.[1] && request.method === "GET") {
      const found = this.imports.find((i) => i.id === importMatch[1]);
      return found ? Response.json(found) : notFound(`No import '${importMatch[1]}'.`);
    }
    const cloneMatch = /^\/v1\/runs\/([^/]+)\/clone$/.exec(url.pathname);
    if (cloneMatch?.[1] && request.method === "POST") {
      const original = this.runs.find((r) => r.id === cloneMatch[1]);
      if (!original) return notFound(`No run '${cloneMatch[1]}'.`);
      const run = sampleRun({
        id: `run_${this.runs.length + 1}`,
        importId: original.importId,
        dryRun: Boolean((body as { dryRun?: boolean })?.dryRun),
      });
      this.runs.push(run);
      return Response.json(run, { status: 202 });
    }
    const runMatch = /^\/v1\/runs\/([^/]+)(\/issues|\/issues\/summary|\/cancel|\/items)?$/.exec(url.pathname);
    if (runMatch?.[1]) {
      const run = this.runs.find((r) => r.id === runMatch[1]);
      if (!run) return notFound(`No run '${runMatch[1]}'.`);
      if (!runMatch[2]) return Response.json(run);
      if (runMatch[2] === "/cancel") {
        if (run.status !== "queued" && run.status !== "in_progress") {
          return Response.json(
            { error: { code: "conflict", message: `The run has already ended: it is ${run.status}.` } },
            { status: 409 },
          );
        }
        run.status = "cancelled";
        run.finishedAt = new Date().toISOString();
        return Response.json(run);
      }
      if (runMatch[2] === "/issues/summary") return Response.json(summaryOf(this.issues));
      if (runMatch[2] === "/items")
        return Response.json(
          pageOf(this.runItems.get(`${run.id} ${url.searchParams.get("type")}`) ?? [], url),
        );
      if (url.searchParams.get("format") === "csv") {
        return new Response(
          'row,item,field,code,severity,message,value\r\n8,or4,total,invalid_number,error,bad,"12,5"\r\n',
          {
            headers: {
              "content-type": "text/csv; charset=utf-8",
              "content-disposition": `attachment; filename="${run.id}-issues.csv"`,
            },
          },
        );
      }
      const matching = this.issues.filter((issue) =>
        (["severity", "code", "field"] as const).every((name) => {
          const wanted = url.searchParams.get(name);
          return wanted === null || issue[name] === wanted;
        }),
      );
      return Response.json({
        ...pageOf(matching, url),
        total: this.issues.length,
        matching: matching.length,
      });
    }
    const profileMatch = /^\/v1\/profiles\/([^/]+)\/([^/]+)(\/orders|\/export)?$/.exec(url.pathname);
    if (profileMatch?.[1] && profileMatch[2]) {
      const [type, value] = [decodeURIComponent(profileMatch[1]), decodeURIComponent(profileMatch[2])];
      const found = this.profiles.find((p) =>
        p.profile.ids.some((id) => id.type === type && id.value === value),
      );
      if (!found) return notFound(`No profile with ${type} '${value}'.`);
      if (request.method === "DELETE") {
        this.profiles = this.profiles.filter((p) => p !== found);
        const lineItems = found.orders.reduce((sum, order) => sum + order.lineItems.length, 0);
        return Response.json({
          deleted: { profiles: 1, ids: found.profile.ids.length, orders: found.orders.length, lineItems },
        });
      }
      if (profileMatch[3] === "/orders") return Response.json(pageOf(found.orders, url));
      if (profileMatch[3] === "/export")
        return Response.json({ profile: found.profile, orders: found.orders });
      return Response.json(found.profile);
    }
    const orderMatch = /^\/v1\/orders\/([^/]+)$/.exec(url.pathname);
    if (orderMatch?.[1]) {
      const orderId = decodeURIComponent(orderMatch[1]);
      const order = this.profiles.flatMap((p) => p.orders).find((o) => o.orderId === orderId);
      return order ? Response.json(order) : notFound(`No order '${orderId}'.`);
    }
    return notFound(`No route for ${request.method} ${url.pathname}.`);
  }
}

/** A page of `items` as the API pages them, the cursor being the offset. */
function pageOf<T>(items: T[], url: URL): { items: T[]; nextCursor: string | null } {
  const limit = Number(url.searchParams.get("limit") ?? 50);
  const offset = Number(url.searchParams.get("cursor") ?? 0);
  const end = offset + limit;
  return { items: items.slice(offset, end), nextCursor: end < items.length ? String(end) : null };
}

/** The issues counted by code and field, most frequent first, as the API counts them. */
function summaryOf(issues: IssueView[]) {
  const codes = new Map<string, { code: string; severity: string; count: number }>();
  const fields = new Map<string, number>();
  for (const issue of issues) {
    const key = `${issue.code} ${issue.severity}`;
    const entry = codes.get(key) ?? { code: issue.code, severity: issue.severity, count: 0 };
    entry.count++;
    codes.set(key, entry);
    if (issue.field !== null) fields.set(issue.field, (fields.get(issue.field) ?? 0) + 1);
  }
  return {
    total: issues.length,
    stored: issues.length,
    codes: [...codes.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    fields: [...fields]
      .map(([field, count]) => ({ field, count }))
      .sort((a, b) => b.count - a.count || a.field.localeCompare(b.field)),
  };
}

const notFound = (message: string) =>
  Response.json({ error: { code: "not_found", message } }, { status: 404 });

export function sampleImport(overrides: Partial<ImportView> = {}): ImportView {
  return {
    id: "imp_1",
    name: "Historic orders",
    type: "orders",
    format: "velocidi_csv",
    source: { type: "upload", key: "up_1/orders.csv" },
    options: {},
    transformations: [],
    schedule: null,
    lastRun: null,
    createdAt: "2026-11-20T10:00:00.000Z",
    updatedAt: "2026-11-20T10:00:00.000Z",
    ...overrides,
  };
}

export function sampleRun(overrides: Partial<RunView> = {}): RunView {
  return {
    id: "run_1",
    importId: "imp_1",
    status: "completed",
    trigger: "manual",
    startedBy: "dashboard:key_go",
    dryRun: false,
    progress: { bytesRead: 2048, bytesTotal: 2048 },
    stats: {
      rowsRead: 30,
      itemsRead: 15,
      itemsValid: 14,
      itemsInvalid: 1,
      added: 14,
      updated: 0,
      unchanged: 0,
    },
    error: null,
    createdAt: "2026-11-20T10:00:00.000Z",
    startedAt: "2026-11-20T10:00:01.000Z",
    finishedAt: "2026-11-20T10:00:03.500Z",
    ...overrides,
  };
}

/** The dashboard with a fake API behind its service binding. */
export function dashboardWith(api: FakeApi, secret = env.SESSION_SECRET) {
  const bindings: DashboardBindings = { API: api, ASSETS: env.ASSETS, SESSION_SECRET: secret };
  return async (path: string, init: RequestInit = {}): Promise<Response> =>
    dashboard.fetch(new Request(new URL(path, ORIGIN), init), bindings);
}

export type Dashboard = ReturnType<typeof dashboardWith>;

/** The value of a cookie set by a response. */
export function cookieOf(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const [key, ...value] = (pair ?? "").split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no hidden field ${name}`);
  return match[1];
}

/** Signs in through the form as a browser does; returns the session cookie and the page's CSRF token. */
export async function signIn(fetchDashboard: Dashboard, key = GOOD_KEY) {
  const form = await fetchDashboard("/sign-in");
  const token = hiddenField(await form.text(), "_csrf");
  const response = await fetchDashboard("/sign-in", {
    method: "POST",
    headers: {
      origin: ORIGIN,
      cookie: `cdp_sign_in=${cookieOf(form, "cdp_sign_in")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ _csrf: token, apiKey: key, next: "/" }),
  });
  const session = cookieOf(response, "cdp_session");
  if (!session) return { response, cookie: "", csrf: "" };
  const cookie = `cdp_session=${session}`;
  const list = await fetchDashboard("/", { headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await list.text())?.[1] ?? "";
  return { response, cookie, csrf };
}

export function sampleOrder(overrides: Partial<OrderView> = {}): OrderView {
  return {
    orderId: "or1",
    userIdType: "email_sha256",
    userId: "a".repeat(64),
    currency: "EUR",
    total: 59.9,
    subtotal: 50,
    tax: 9.9,
    shipping: 0,
    discount: 0,
    refund: 0,
    paymentMethod: "card",
    shippingMethod: null,
    shippingCountry: "PT",
    promotions: [],
    createdAt: "2026-11-19T09:30:00.000Z",
    lastUpdated: null,
    lineItems: [
      {
        id: "1",
        productId: "p1",
        itemGroupId: null,
        name: "Blue shirt",
        sku: "SKU-1",
        brand: null,
        category: null,
        categoryList: [],
        currency: "EUR",
        total: 59.9,
        subtotal: 50,
        tax: 9.9,
        shipping: 0,
        discount: 0,
        refund: 0,
        quantity: 2,
        promotions: [],
        adult: false,
        subscriptionDuration: null,
        size: null,
        sizeSystem: null,
        status: "paid",
      },
    ],
    ...overrides,
  };
}

export function sampleProfile(overrides: Partial<ProfileView> = {}): ProfileView {
  return {
    id: "prf_1",
    ids: [
      { type: "email_sha256", value: "a".repeat(64) },
      { type: "customer_id", value: "c-42" },
    ],
    attributes: { city: "Lisboa", tier: "gold" },
    attributeRuns: { city: "run_1", tier: "run_1" },
    orders: {
      count: 1,
      revenue: { EUR: 59.9 },
      firstOrderAt: "2026-11-19T09:30:00.000Z",
      lastOrderAt: "2026-11-19T09:30:00.000Z",
    },
    createdAt: "2026-11-19T09:31:00.000Z",
    updatedAt: "2026-11-20T10:00:03.000Z",
    ...overrides,
  };
}
