import { describe, expect, it } from "vitest";
import {
  dashboardWith,
  FakeApi,
  ORIGIN,
  sampleImport,
  sampleOrder,
  sampleProfile,
  sampleRun,
  signIn,
} from "./fake-api";

const SCRIPT = "<img src=x onerror=alert(1)>";

async function signedIn(api: FakeApi) {
  const fetchDashboard = dashboardWith(api);
  const session = await signIn(fetchDashboard);
  const get = (path: string) => fetchDashboard(path, { headers: { cookie: session.cookie } });
  const post = (path: string, fields: Record<string, string> = {}) =>
    fetchDashboard(path, {
      method: "POST",
      headers: {
        cookie: session.cookie,
        origin: ORIGIN,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: session.csrf, ...fields }),
    });
  return { get, post, fetchDashboard, session };
}

/** A store with one person: two ids, attributes set by run_1 of "CRM customers", one order. */
function storeWithOnePerson(profile = sampleProfile()) {
  const api = new FakeApi();
  api.imports.push(sampleImport({ id: "imp_crm", name: "CRM customers", type: "customers", format: "csv" }));
  api.runs.push(sampleRun({ id: "run_1", importId: "imp_crm" }));
  api.profiles.push({ profile, orders: [sampleOrder()] });
  return api;
}

describe("the profile explorer", () => {
  it("is Collect › Profiles, linked from every page's header", async () => {
    const { get } = await signedIn(new FakeApi());
    const list = await (await get("/")).text();
    expect(list).toContain('<a class="header-link" href="/profiles">Profiles</a>');
    const res = await get("/profiles");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(
      /<span>Collect<\/span>[\s\S]*<a href="\/profiles" aria-current="page">Profiles<\/a>/,
    );
    expect(html).toContain('<label for="id-type">Id type</label>');
    expect(html).toContain('<label for="id-value">Id</label>');
    // From Profiles, the header leads back to Data Imports.
    expect(html).toContain('<a class="header-link" href="/">Data Imports</a>');
  });

  it("looks a person up by id type and value, and says what is missing when either is empty", async () => {
    const { get } = await signedIn(new FakeApi());
    const found = await get("/profiles?idType=email&idValue=+ann%40example.com+");
    expect(found.status).toBe(303);
    expect(found.headers.get("location")).toBe("/profiles/email/ann%40example.com");
    const empty = await get("/profiles?idType=email&idValue=");
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Type the id to look up, like an e-mail address.");
  });

  it("finds an id with a slash in it, which stays one part of the address", async () => {
    const { get } = await signedIn(
      storeWithOnePerson(sampleProfile({ ids: [{ type: "customer_id", value: "shop/42" }] })),
    );
    const found = await get("/profiles?idType=customer_id&idValue=shop%2F42");
    expect(found.headers.get("location")).toBe("/profiles/customer_id/shop%2F42");
    const res = await get("/profiles/customer_id/shop%2F42");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1 class="profile-title">shop/42</h1>');
  });

  it("answers an unknown person with the API's words, the form filled in to correct it", async () => {
    const { get } = await signedIn(storeWithOnePerson());
    const res = await get("/profiles/email/nobody%40example.com");
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("No profile with email &#39;nobody@example.com&#39;.");
    expect(html).toContain('value="nobody@example.com"');
  });

  it("shows a profile's ids, attributes with the run that changed each, orders summary and orders with line items", async () => {
    const profile = sampleProfile({
      attributes: { city: "Lisboa", note: SCRIPT, tags: ["a", "b"] },
      attributeRuns: { city: "run_1", note: "run_1" },
      orders: { count: 1, revenue: { EUR: 1234.5, USD: 10 }, firstOrderAt: null, lastOrderAt: null },
    });
    const { get } = await signedIn(storeWithOnePerson(profile));
    const res = await get("/profiles/customer_id/c-42");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of [
      "email_sha256",
      "a".repeat(64),
      "customer_id",
      "c-42",
      "Lisboa",
      "€1,234.50",
      "$10.00",
    ])
      expect(html).toContain(text);
    // The run that last changed an attribute, by its import's name; none for `tags`.
    expect(html).toMatch(/<a href="\/runs\/run_1"><span class="import-name">CRM customers<\/span>/);
    expect(html).toContain("<code>[&quot;a&quot;,&quot;b&quot;]</code>");
    // A value from a file is text, never markup.
    expect(html).not.toContain(SCRIPT);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toMatch(/<a href="\/orders\/or1">Order <span class="order-id">or1<\/span><\/a>/);
    expect(html).toContain("Blue shirt");
    expect(html).toContain("SKU-1");
    // Download and Delete, the delete naming what it takes away.
    expect(html).toContain('href="/profiles/customer_id/c-42/export?profile=prf_1"');
    expect(html).toContain(
      "The profile, its 2 ids (email_sha256, customer_id) and its 1 order with their line items will be deleted for good",
    );
  });

  it("pages a profile's orders, newest first, with the API's cursor", async () => {
    const api = storeWithOnePerson(
      sampleProfile({ orders: { count: 12, revenue: { EUR: 12 }, firstOrderAt: null, lastOrderAt: null } }),
    );
    const first = api.profiles[0];
    if (!first) throw new Error("no profile");
    first.orders = Array.from({ length: 12 }, (_, i) => sampleOrder({ orderId: `or${12 - i}` }));
    const { get } = await signedIn(api);
    const html = await (await get("/profiles/customer_id/c-42")).text();
    expect(html).toContain("Newest first: orders 1–10 of 12.");
    expect(html).toContain(
      'href="/profiles/customer_id/c-42?cursor=10&amp;from=11#orders-heading">Older orders',
    );
    const older = await (await get("/profiles/customer_id/c-42?cursor=10&from=11")).text();
    expect(older).toContain("Newest first: orders 11–12 of 12.");
    expect(older).toContain(">or2<");
    expect(older).not.toContain(">or3<");
    expect(older).toContain('href="/profiles/customer_id/c-42#orders-heading">Newest orders');
  });

  it("deletes a profile only after a confirmation that names what goes, and says what was deleted", async () => {
    const api = storeWithOnePerson();
    const { get, post, fetchDashboard, session } = await signedIn(api);
    const confirm = await (await get("/profiles/customer_id/c-42/delete")).text();
    expect(confirm).toContain("Delete this profile?");
    expect(confirm).toContain("its 2 ids (email_sha256, customer_id) and its 1 order");
    // Another site's form cannot delete.
    const forged = await fetchDashboard("/profiles/customer_id/c-42/delete", {
      method: "POST",
      headers: {
        cookie: session.cookie,
        origin: "https://evil.test",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: session.csrf }),
    });
    expect(forged.status).toBe(403);
    expect(api.profiles).toHaveLength(1);

    const deleted = await post("/profiles/customer_id/c-42/delete");
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/profiles");
    expect(api.calls.some((c) => c.method === "DELETE" && c.path === "/v1/profiles/customer_id/c-42")).toBe(
      true,
    );
    const flash = /cdp_flash=([^;]+)/.exec(deleted.headers.getSetCookie().join("; "))?.[1] ?? "";
    const page = await fetchDashboard("/profiles", {
      headers: { cookie: `${session.cookie}; cdp_flash=${flash}` },
    });
    expect(await page.text()).toContain("Profile deleted: 1 profile, 2 ids, 1 order and 1 line item.");
    expect(api.profiles).toHaveLength(0);
  });

  it("downloads everything stored about the person as a JSON file", async () => {
    const { get } = await signedIn(storeWithOnePerson());
    const res = await get("/profiles/customer_id/c-42/export?profile=prf_1");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="profile-prf_1.json"');
    const body = (await res.json()) as { profile: { id: string }; orders: { orderId: string }[] };
    expect(body.profile.id).toBe("prf_1");
    expect(body.orders.map((o) => o.orderId)).toEqual(["or1"]);
    // A name that is no profile id does not reach the header.
    const odd = await get('/profiles/customer_id/c-42/export?profile=x"y');
    expect(odd.headers.get("content-disposition")).toBe('attachment; filename="profile.json"');
  });

  it("shows an order with its line items and its buyer's profile", async () => {
    const { get } = await signedIn(storeWithOnePerson());
    const html = await (await get("/orders/or1")).text();
    expect(html).toContain("Blue shirt");
    expect(html).toContain(`href="/profiles/email_sha256/${"a".repeat(64)}"`);
    const missing = await get("/orders/or404");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("No order &#39;or404&#39;.");
    const lookup = await get("/orders?orderId=or1");
    expect(lookup.headers.get("location")).toBe("/orders/or1");
  });
});

describe("a run's page leads to what it imported", () => {
  it("links the items of warnings (imported) to their order, not those of errors, and shows the column of an issue", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    api.runs.push(sampleRun({ stats: { ...sampleRun().stats, added: 14 } }));
    api.issues.push(
      {
        row: 3,
        item: "or1",
        field: "userId",
        column: "Customer Email",
        code: "unhashed_id",
        severity: "warning",
        message: "stored as written",
        value: "ann@example.com",
      },
      {
        row: 5,
        item: "or2",
        field: "total",
        code: "invalid_number",
        severity: "error",
        message: "not a number",
        value: "x",
      },
    );
    const { get } = await signedIn(api);
    const warnings = await (await get("/runs/run_1?severity=warning")).text();
    expect(warnings).toContain('<a href="/orders/or1">or1</a>');
    expect(warnings).toContain("Column “Customer Email”");
    const errors = await (await get("/runs/run_1?severity=error")).text();
    expect(errors).toContain('<td data-label="Item">or2</td>');
    expect(errors).not.toContain("Column “");
    // Any order of the run can be looked up by its id.
    expect(errors).toContain("What this run imported");
    expect(errors).toContain('action="/orders"');
  });

  it("lists a customers run's profiles, a page at a time, each linked by its id; nothing on a dry run", async () => {
    const api = new FakeApi();
    api.imports.push(
      sampleImport({
        type: "customers",
        format: "csv",
        options: { userIdField: "id", userIdType: "crm_id" },
      }),
    );
    api.runs.push(sampleRun(), sampleRun({ id: "run_2", dryRun: true }));
    api.runItems.set(
      "run_1 profiles",
      Array.from({ length: 25 }, (_, i) => ({ id: `prf_${i}`, ids: [{ type: "crm_id", value: `C-${i}` }] })),
    );
    const { get } = await signedIn(api);
    const html = await (await get("/runs/run_1")).text();
    expect(html).toContain("14 profiles added or updated");
    expect(html).toContain('<a href="/profiles/crm_id/C-0">C-0 <span class="muted">(crm_id)</span></a>');
    expect(html).not.toContain("C-20");
    expect(html).toContain('href="/runs/run_1?items=20#imported-heading">Next 20</a>');
    const next = await (await get("/runs/run_1?items=20")).text();
    expect(next).toContain('<a href="/profiles/crm_id/C-24">');
    expect(next).not.toContain("C-19<");
    expect(next).toContain('href="/runs/run_1#imported-heading">First page</a>');
    const dry = await (await get("/runs/run_2")).text();
    expect(dry).not.toContain("What this run imported");
  });
});
