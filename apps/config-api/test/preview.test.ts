import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, seedTenants, TENANTS, upload } from "./support/api";

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
