import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call, seedTenants, TENANTS, upload, urlImport } from "./support/api";

beforeAll(seedTenants);

async function uploaded(content: string, filename = "c.csv"): Promise<string> {
  const key = await upload(filename);
  await env.FILES.put(`tenants/${TENANTS.acme.id}/uploads/${key}`, content);
  return key;
}

const customers = (key: string, extra: Record<string, unknown> = {}) => ({
  type: "customers",
  format: "csv",
  source: { type: "upload", key },
  options: { userIdField: "email", userIdType: "email", hashUserIds: true },
  transformations: [
    {
      op: "rename",
      from: "number_of_orders",
      to: "completedOrders",
      values: [{ type: "cast", to: "integer" }],
    },
  ],
  ...extra,
});

interface PreviewBody {
  columns: string[];
  items: { ids: { type: string; value: string }[]; attributes: Record<string, unknown> }[];
  issues: { row: number; item: string | null; field: string; code: string; value: string | null }[];
}

describe("POST /v1/imports/preview", () => {
  it("shows the first normalised items and their issues, storing nothing", async () => {
    const key = await uploaded("email,number_of_orders\nann@x.com,3\nbob@x.com,many\n,1\ncid@x.com,2\n");
    const res = await call<PreviewBody>("POST", "/v1/imports/preview", {
      body: { config: customers(key), limit: 20 },
    });
    expect(res.status).toBe(200);
    expect(res.body.columns).toEqual(["email", "number_of_orders"]);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0]).toEqual({
      ids: [{ type: "email_sha256", value: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      attributes: { completedOrders: 3 },
    });
    expect(res.body.issues.map((i) => [i.row, i.item, i.field, i.code, i.value])).toEqual([
      [3, "bob@x.com", "completedOrders", "cast_failed", "many"],
      [4, null, "email", "missing_field", null],
    ]);
    const stored = await env.CONFIG_DB.prepare("SELECT COUNT(*) AS n FROM runs").first();
    expect(stored).toEqual({ n: 0 });
  });

  it("stops at the limit", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `u${i}@x.com,${i}`).join("\n");
    const key = await uploaded(`email,number_of_orders\n${rows}\n`);
    const res = await call<PreviewBody>("POST", "/v1/imports/preview", {
      body: { config: customers(key), limit: 5 },
    });
    expect(res.body.items).toHaveLength(5);
  });

  it("says why a file cannot be read at all", async () => {
    const key = await uploaded("Email,number_of_orders\nann@x.com,3\n");
    const res = await call("POST", "/v1/imports/preview", { body: { config: customers(key) } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      error: { code: "unprocessable", details: { code: "missing_columns" } },
    });
    expect((res.body as { error: { message: string } }).error.message).toContain('Did you mean "Email"?');
  });

  it("refuses a config that could never run, and another tenant's upload", async () => {
    const bad = await call("POST", "/v1/imports/preview", {
      body: { config: customers("x", { format: "xml" }) },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "unknown_format" } });
    const theirs = await upload("t.csv", TENANTS.globex.key);
    const res = await call("POST", "/v1/imports/preview", { body: { config: customers(theirs) } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "upload_not_found" } });
  });
});

describe("POST /v1/imports/preview: issues and the file's columns", () => {
  it("names the column a rename mapped onto an issue's field", async () => {
    const key = await uploaded("E-mail Address,Orders\nann@x.com,3\nnot-an-email,many\n");
    const res = await call<{ issues: Record<string, unknown>[] }>("POST", "/v1/imports/preview", {
      body: {
        config: customers(key, {
          transformations: [
            { op: "rename", from: "E-mail Address", to: "email" },
            { op: "rename", from: "Orders", to: "orders", values: [{ type: "cast", to: "integer" }] },
          ],
        }),
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.issues.map((i) => [i.row, i.field, i.column, i.code])).toEqual([
      [3, "orders", "Orders", "cast_failed"],
      [3, "email", "E-mail Address", "invalid_id"],
    ]);
  });

  it("says an empty file is empty", async () => {
    const res = await call("POST", "/v1/imports/preview", {
      body: { config: customers(await uploaded("")) },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: "unprocessable", details: { code: "empty_file" } } });
  });
});

describe("POST /v1/imports/preview of an import being edited (importId)", () => {
  afterEach(() => vi.restoreAllMocks());

  const egoi = {
    name: "E-goi contacts",
    type: "customers",
    format: "egoi_contacts",
    source: { type: "egoi", apiKey: "egoi-stored-key", listId: 7 },
  };

  /** E-goi's API as the preview calls it, recording the Apikey header of each call. */
  function fakeEgoi(): string[] {
    const keys: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      keys.push(request.headers.get("Apikey") ?? "");
      const path = new URL(request.url).pathname;
      if (path === "/my-account") return Response.json({ general_info: { client_id: 42 } });
      return Response.json({ items: [] });
    });
    return keys;
  }

  it('sends the stored secret in place of "***"', async () => {
    const created = await call<{ id: string; source: Record<string, unknown> }>("POST", "/v1/imports", {
      body: egoi,
    });
    expect(created.body.source.apiKey).toBe("***");
    const { name: _name, ...config } = { ...egoi, source: created.body.source };
    const keys = fakeEgoi();
    const res = await call("POST", "/v1/imports/preview", { body: { config, importId: created.body.id } });
    expect(res.status).toBe(200);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys)).toEqual(new Set(["egoi-stored-key"]));
  });

  it('asks for a secret again when "***" would go to another place than it was given for', async () => {
    const stored = urlImport({
      source: {
        type: "url",
        url: "https://exports.example.com/customers.csv",
        headers: { Authorization: "Bearer s3cr3t-header", "X-Api-Key": "key-value" },
      },
    });
    const created = await call<{ id: string }>("POST", "/v1/imports", { body: stored });
    const preview = (url: string) =>
      call("POST", "/v1/imports/preview", {
        body: {
          importId: created.body.id,
          config: {
            ...stored,
            source: { type: "url", url, headers: { Authorization: "***", "X-Api-Key": "***" } },
          },
        },
      });
    const elsewhere = await preview("https://collector.example.net/customers.csv");
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toMatchObject({
      error: {
        code: "validation_failed",
        details: [{ path: "source.headers.Authorization" }, { path: "source.headers.X-Api-Key" }],
      },
    });
    // The same origin keeps them: the config passes, and the source is read (by ingest's stand-in here).
    const same = await preview("https://exports.example.com/other.csv");
    expect(same.status).not.toBe(400);
    expect(same.status).not.toBe(404);
  });

  it("answers 404 for an import of another tenant, or none", async () => {
    const theirs = await call<{ id: string }>("POST", "/v1/imports", {
      key: TENANTS.globex.key,
      body: egoi,
    });
    expect(theirs.status).toBe(201);
    const { name: _name, ...config } = { ...egoi, source: { ...egoi.source, apiKey: "***" } };
    const keys = fakeEgoi();
    for (const importId of [theirs.body.id, "imp_missing"]) {
      const res = await call("POST", "/v1/imports/preview", { body: { config, importId } });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: { code: "not_found" } });
    }
    expect(keys).toEqual([]);
  });
});
