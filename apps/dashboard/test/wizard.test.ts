import { describe, expect, it } from "vitest";
import { checkDraft } from "../src/wizard-check";
import { dashboardWith, FakeApi, ORIGIN, sampleImport, signIn } from "./fake-api";

const ORDERS = {
  name: "Historic orders",
  type: "orders",
  format: "velocidi_csv",
  source: { type: "upload", key: "up_1/orders.csv" },
  options: {},
  transformations: [],
  schedule: null,
};

describe("checks of the wizard's draft", () => {
  it("finds nothing wrong in a complete import", () => {
    expect(checkDraft(ORDERS)).toEqual([]);
  });

  it("places each problem at its field, in words", () => {
    const errors = checkDraft({ ...ORDERS, name: "", format: "csv", source: { type: "upload", key: "" } });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: "name", message: "Required." },
        {
          path: "format",
          message: "'csv' is not a format of orders imports; use one of: velocidi_csv, shopify_csv.",
        },
        { path: "source.key", message: "Choose a file to upload." },
      ]),
    );
  });

  it("checks transformations as they are typed, timestamp patterns included", () => {
    const errors = checkDraft({
      ...ORDERS,
      transformations: [
        { op: "rename", from: "signup", values: [{ type: "timestamp", pattern: "yyyy/MM/dd hh:mm" }] },
        { op: "copy", from: "a", to: "b", values: [{ type: "timestamp", pattern: "yyyy-QQ" }] },
      ],
    });
    expect(errors.map((e) => e.path)).toEqual(["transformations.0.to", "transformations.1.values.0.pattern"]);
    expect(errors[1]?.message).toMatch(/Q/);
  });

  it("asks for at least one mapping in a map step", () => {
    const errors = checkDraft({
      ...ORDERS,
      transformations: [{ op: "rename", from: "a", to: "b", values: [{ type: "map", mappings: [] }] }],
    });
    expect(errors).toEqual([{ path: "transformations.0.values.0.mappings", message: "Add at least one." }]);
  });

  it("asks customer imports for the user id field and type", () => {
    const errors = checkDraft({ ...ORDERS, type: "customers", format: "csv" });
    expect(errors.map((e) => e.path)).toEqual(["options.userIdField", "options.userIdType"]);
  });
});

describe("the wizard's calls", () => {
  async function post(path: string, body: unknown, api = new FakeApi()) {
    const fetchDashboard = dashboardWith(api);
    const { cookie, csrf } = await signIn(fetchDashboard);
    return fetchDashboard(path, {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body),
    });
  }

  it("hands the browser a signed upload URL on the dashboard's own origin", async () => {
    const res = await post("/imports/upload-url", { filename: "orders.csv" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      key: "up_1/orders.csv",
      uploadUrl: "/uploads/up_1/orders.csv?expires=1&sig=abc",
      expiresAt: "2026-12-01T00:00:00.000Z",
    });
  });

  it("answers the API's error as it is when the preview fails", async () => {
    const res = await post("/imports/preview", { config: ORDERS });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: "No route for POST /v1/imports/preview." } });
  });

  it("asks the API's preview of an import being edited with its id, for its stored secrets", async () => {
    const api = new FakeApi();
    const source = { type: "url", url: "https://exports.example.com/o.csv", headers: { "X-Api-Key": "***" } };
    await post("/imports/preview", { config: { ...ORDERS, source }, importId: "imp_1" }, api);
    const { name: _name, schedule: _schedule, ...config } = { ...ORDERS, source };
    expect(api.calls.at(-1)).toEqual({
      method: "POST",
      path: "/v1/imports/preview",
      body: { config, limit: 20, importId: "imp_1" },
    });
    await post("/imports/preview", { config: ORDERS }, api);
    expect(api.calls.at(-1)?.body).not.toHaveProperty("importId");
  });

  it("offers a stored user id type and delimiter that are not among the choices, as choices", async () => {
    const api = new FakeApi();
    api.imports.push(
      sampleImport({
        type: "customers",
        format: "csv",
        options: { userIdField: "id", userIdType: "loyalty_card", delimiter: ":" },
      }),
    );
    const fetchDashboard = dashboardWith(api);
    const { cookie } = await signIn(fetchDashboard);
    const html = await (await fetchDashboard("/imports/imp_1/edit", { headers: { cookie } })).text();
    const options = (id: string) =>
      [
        ...(new RegExp(`<select id="${id}">(.*?)</select>`, "s").exec(html)?.[1] ?? "").matchAll(
          /<option value="([^"]*)">([^<]*)</g,
        ),
      ].map((m) => [m[1], m[2]]);
    expect(options("user-id-type").at(-1)).toEqual(["loyalty_card", "loyalty_card"]);
    expect(options("delimiter").at(-1)).toEqual([":", "&quot;:&quot; (stored)"]);
    // A new import has no stored choices.
    const created = await (await fetchDashboard("/imports/new", { headers: { cookie } })).text();
    expect(created).not.toContain("(stored)");
    expect(created).not.toContain("loyalty_card");
  });

  it("renders the wizard with a label for every control", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const { cookie } = await signIn(fetchDashboard);
    const html = await (await fetchDashboard("/imports/new", { headers: { cookie } })).text();
    const ids = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(25);
    for (const id of ids) expect(html, id).toContain(`for="${id}"`);
  });

  it("opens every step from the step list when editing, only the first when creating", async () => {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    const fetchDashboard = dashboardWith(api);
    const { cookie } = await signIn(fetchDashboard);
    const steps = async (path: string) => {
      const html = await (await fetchDashboard(path, { headers: { cookie } })).text();
      return [...html.matchAll(/<button type="button" class="step-link" data-goto="(\d)"([^>]*)>/g)].map(
        (m) => `${m[1]}${m[2]?.includes("disabled") ? " disabled" : ""}`,
      );
    };
    expect(await steps("/imports/imp_1/edit")).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(await steps("/imports/new")).toEqual([
      "0",
      "1 disabled",
      "2 disabled",
      "3 disabled",
      "4 disabled",
      "5 disabled",
      "6 disabled",
      "7 disabled",
    ]);
  });

  it("has a Mapping step after the source, which knows the fields of every format but E-goi lists'", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const { cookie } = await signIn(fetchDashboard);
    const html = await (await fetchDashboard("/imports/new", { headers: { cookie } })).text();
    const titles = [...html.matchAll(/<span class="visually-hidden">Step \d: <\/span>([^<]+)</g)].map(
      (m) => m[1],
    );
    expect(titles.slice(2, 5)).toEqual(["Source", "Mapping", "Options"]);
    const attribute = /data-mapping-fields="([^"]*)"/.exec(html)?.[1] ?? "";
    const fields = JSON.parse(attribute.replaceAll("&quot;", '"')) as Record<
      string,
      { field: string; required: boolean }[]
    >;
    expect(fields["orders velocidi_csv"]).toContainEqual({ field: "orderId", required: true });
    expect(fields["orders velocidi_csv"]).toContainEqual({ field: "paymentMethod", required: false });
    expect(fields["customers csv"]).toEqual([{ field: "userId", required: true }]);
    expect(fields["products google_tsv"]).toContainEqual({ field: "price", required: true });
    expect(Object.keys(fields)).not.toContain("customers egoi_contacts");
  });

  it("asks the API's mapping suggestion of the file the source names, with an edited import's id", async () => {
    const api = new FakeApi();
    const source = { type: "upload", key: "up_1/orders.csv" };
    const res = await post(
      "/imports/suggest-mapping",
      { type: "orders", format: "velocidi_csv", source, options: { delimiter: ";" }, importId: "imp_1" },
      api,
    );
    expect(api.calls.at(-1)).toEqual({
      method: "POST",
      path: "/v1/imports/suggest-mapping",
      body: {
        type: "orders",
        format: "velocidi_csv",
        source,
        options: { delimiter: ";" },
        importId: "imp_1",
      },
    });
    // The API's refusal, as it is.
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { message: "No route for POST /v1/imports/suggest-mapping." },
    });
  });
});
