import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, ordersImport, seedTenants, TENANTS, upload } from "./support/api";

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { path: string; message: string; suggestion?: string }[];
  };
}

beforeAll(seedTenants);

async function runCount(): Promise<number> {
  const row = await env.CONFIG_DB.prepare("SELECT COUNT(*) AS n FROM runs WHERE tenant_id = ?1")
    .bind(TENANTS.acme.id)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function createOrdersImport(overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await call<{ id: string }>("POST", "/v1/imports", {
    body: ordersImport(await upload(), overrides),
  });
  expect(created.status, created.text).toBe(201);
  return created.body.id;
}

describe("unknown fields are refused, never dropped", () => {
  it("refuses dry_run on a run, naming dryRun, and starts no run", async () => {
    const id = await createOrdersImport();
    const before = await runCount();
    const res = await call<ErrorBody>("POST", `/v1/imports/${id}/runs`, { body: { dry_run: true } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: "unknown_field",
      details: [{ path: "dry_run", suggestion: "dryRun" }],
    });
    expect(res.body.error.message).toContain('"dry_run" (did you mean "dryRun"?)');
    expect(await runCount()).toBe(before);
  });

  it("refuses options.hashUserIDs, naming hashUserIds, and stores nothing", async () => {
    const res = await call<ErrorBody>("POST", "/v1/imports", {
      body: ordersImport(await upload(), { options: { hashUserIDs: true } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("unknown_field");
    expect(res.body.error.details).toEqual([
      {
        path: "options.hashUserIDs",
        message: 'is not a known field; did you mean "hashUserIds"?',
        suggestion: "hashUserIds",
      },
    ]);
  });

  it("refuses schedual on create and on PATCH, naming schedule", async () => {
    const schedual = { everyDays: 1, startAt: "2026-12-01T02:00:00Z" };
    const created = await call<ErrorBody>("POST", "/v1/imports", {
      body: ordersImport(await upload(), { schedual }),
    });
    expect(created.status).toBe(400);
    expect(created.body.error.details).toContainEqual(
      expect.objectContaining({ path: "schedual", suggestion: "schedule" }),
    );
    const id = await createOrdersImport();
    const patched = await call<ErrorBody>("PATCH", `/v1/imports/${id}`, { body: { schedual } });
    expect(patched.status).toBe(400);
    expect(patched.body.error).toMatchObject({
      code: "unknown_field",
      details: [{ path: "schedual", suggestion: "schedule" }],
    });
    const stored = await call<{ schedule: unknown }>("GET", `/v1/imports/${id}`);
    expect(stored.body.schedule).toBeNull();
  });

  it("refuses unknown fields deep inside a source, a transformation and a schedule", async () => {
    const key = await upload();
    const res = await call<ErrorBody>("POST", "/v1/imports", {
      body: ordersImport(key, {
        source: { type: "upload", key, watchprefix: "daily/" },
        transformations: [{ op: "rename", from: "a", to: "b", valuse: [] }],
        schedule: { everyDays: 1, startAt: "2026-12-01T02:00:00Z", enable: false },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("unknown_field");
    const byPath = Object.fromEntries((res.body.error.details ?? []).map((d) => [d.path, d.suggestion]));
    expect(byPath).toEqual({
      "source.watchprefix": "watchPrefix",
      "transformations.0.valuse": "values",
      "schedule.enable": "enabled",
    });
  });

  it("lists the known fields when no name is close", async () => {
    const res = await call<ErrorBody>("POST", "/v1/uploads", { body: { filename: "a.csv", color: "red" } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: "color", message: "is not a known field; the fields here are: filename" },
    ]);
  });

  it("refuses unknown query parameters, on routes with a query and on routes without one", async () => {
    const list = await call<ErrorBody>("GET", "/v1/imports?limt=5");
    expect(list.status).toBe(400);
    expect(list.body.error).toMatchObject({
      code: "unknown_field",
      details: [{ path: "limt", suggestion: "limit" }],
    });
    const id = await createOrdersImport();
    const get = await call<ErrorBody>("GET", `/v1/imports/${id}?expand=runs`);
    expect(get.status).toBe(400);
    expect(get.body.error).toMatchObject({ code: "unknown_field", details: [{ path: "expand" }] });
  });

  it("refuses a cursor it did not give, instead of starting the list again", async () => {
    const list = await call<ErrorBody>("GET", "/v1/imports?cursor=not%20a%20cursor");
    expect(list.status).toBe(400);
    expect(list.body.error.details).toEqual([
      {
        path: "cursor",
        message: "is not a cursor this API gave: pass the previous page's nextCursor as it is",
      },
    ]);
    const issues = await call<ErrorBody>("GET", `/v1/runs/run_x/issues?cursor=${btoa("imp_1")}`);
    expect(issues.status).toBe(400);
    expect(issues.body.error.details?.map((d) => d.path)).toEqual(["cursor"]);
  });

  it("refuses a body sent to a request that takes none", async () => {
    const res = await call<ErrorBody>("POST", "/v1/runs/run_nope/cancel", { body: { force: true } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "unknown_field", details: [{ path: "force" }] });
    // An empty object is no field at all.
    expect((await call("POST", "/v1/runs/run_nope/cancel", { body: {} })).status).toBe(404);
  });
});

describe("errors in the house style", () => {
  it("answers a JSON body sent without Content-Type: application/json with 415", async () => {
    const res = await call<ErrorBody>("POST", "/v1/uploads", {
      rawBody: JSON.stringify({ filename: "a.csv" }),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
    expect(res.body.error.message).toContain("Content-Type: application/json");
    const id = await createOrdersImport();
    const before = await runCount();
    // A run's body is optional, but one sent must be JSON: {"dryRun":true} as text starts nothing.
    const run = await call<ErrorBody>("POST", `/v1/imports/${id}/runs`, {
      rawBody: JSON.stringify({ dryRun: true }),
    });
    expect(run.status).toBe(415);
    expect(run.body.error.code).toBe("unsupported_media_type");
    expect(await runCount()).toBe(before);
  });

  it('says "is required" for each missing field, in words', async () => {
    const upload = await call<ErrorBody>("POST", "/v1/uploads", { body: {} });
    expect(upload.body.error.details).toEqual([{ path: "filename", message: "is required" }]);
    const created = await call<ErrorBody>("POST", "/v1/imports", { body: { name: "x", source: {} } });
    expect(created.status).toBe(400);
    expect(created.body.error.details).toEqual(
      expect.arrayContaining([
        { path: "type", message: "is required: one of orders, customers, products" },
        { path: "source.type", message: "is required: one of upload, url, s3, sftp, egoi, r2" },
      ]),
    );
    for (const detail of created.body.error.details ?? []) expect(detail.message).not.toMatch(/undefined/);
  });
});

describe("a configuration a run would refuse is refused when it is saved", () => {
  const rename = (values: unknown[]) => [{ op: "rename", from: "a", to: "createdAt", values }];

  it("refuses a timestamp pattern that is no pattern, on create and on PATCH", async () => {
    const bad = rename([{ type: "timestamp", pattern: "qqq" }]);
    const created = await call<ErrorBody>("POST", "/v1/imports", {
      body: ordersImport(await upload(), { transformations: bad }),
    });
    expect(created.status).toBe(400);
    expect(created.body.error.details).toEqual([
      {
        path: "transformations.0.values.0.pattern",
        message: expect.stringContaining('"qqq" in the pattern "qqq" is not a supported pattern letter'),
      },
    ]);
    const id = await createOrdersImport();
    const patched = await call<ErrorBody>("PATCH", `/v1/imports/${id}`, { body: { transformations: bad } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details?.[0]?.path).toBe("transformations.0.values.0.pattern");
  });

  it("refuses a cast type and map values of the wrong shape, naming the path", async () => {
    for (const [values, path] of [
      [[{ type: "cast", to: "number" }], "transformations.0.values.0.to"],
      [[{ type: "map", mappings: { "1": "one" } }], "transformations.0.values.0.mappings"],
      [[{ type: "map", mappings: [{ from: "1" }] }], "transformations.0.values.0.mappings.0.to"],
      [
        [
          {
            type: "map",
            mappings: [
              { from: "1", to: "one" },
              { from: "1", to: "two" },
            ],
          },
        ],
        "transformations.0.values.0.mappings.1.from",
      ],
    ] as const) {
      const res = await call<ErrorBody>("POST", "/v1/imports", {
        body: ordersImport(await upload(), { transformations: rename([...values]) }),
      });
      expect(res.status, JSON.stringify(values)).toBe(400);
      expect(res.body.error.details?.map((d) => d.path)).toEqual([path]);
    }
  });

  it("refuses an option that does nothing for the format, and a delimiter CSV cannot use", async () => {
    const customers = await call<ErrorBody>("POST", "/v1/imports", {
      body: {
        ...ordersImport(await upload()),
        type: "customers",
        format: "csv",
        options: { userIdField: "email", userIdType: "Email" },
      },
    });
    expect(customers.status).toBe(400);
    expect(customers.body.error.details).toEqual([
      {
        path: "options.userIdType",
        message:
          'is the built-in id type "email" written another way: write it "email", which is checked and hashed as such',
      },
    ]);
    for (const [options, path] of [
      [{ orderIdColumn: "Id" }, "options.orderIdColumn"],
      [{ delimiter: '"' }, "options.delimiter"],
      [{ userIdField: "email" }, "options.userIdField"],
    ] as const) {
      const res = await call<ErrorBody>("POST", "/v1/imports", {
        body: ordersImport(await upload(), { options }),
      });
      expect(res.status, JSON.stringify(options)).toBe(400);
      expect(res.body.error.details?.map((d) => d.path)).toEqual([path]);
    }
  });
});
