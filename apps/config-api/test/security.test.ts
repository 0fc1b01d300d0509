import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { call, ordersImport, seedTenants, TENANTS, upload, urlImport } from "./support/api";
import { allRoutes, PUBLIC_ROUTES } from "./support/routes";

beforeAll(seedTenants);

const protectedRoutes = allRoutes().filter(([method, path]) => !PUBLIC_ROUTES.has(`${method} ${path}`));

describe("every route needs a key of the right tenant", () => {
  it("covers the API's routes", () => {
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(11);
  });

  for (const [method, path] of protectedRoutes) {
    it(`${method} ${path}: no key and a wrong key are 401`, async () => {
      for (const key of [null, "key_wrong"]) {
        const res = await call(method, path, {
          key,
          body: method === "GET" || method === "DELETE" ? undefined : {},
        });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ error: { code: "unauthorized" } });
      }
    });
  }

  it("shows and changes nothing of another tenant: 404, never 403", async () => {
    const theirUpload = await upload("x.csv", TENANTS.globex.key);
    const theirs = await call<{ id: string }>("POST", "/v1/imports", {
      key: TENANTS.globex.key,
      body: ordersImport(theirUpload),
    });
    const theirRun = await call<{ id: string }>("POST", `/v1/imports/${theirs.body.id}/runs`, {
      key: TENANTS.globex.key,
      body: {},
    });
    const attempts: [string, string, unknown?][] = [
      ["GET", `/v1/imports/${theirs.body.id}`],
      ["PATCH", `/v1/imports/${theirs.body.id}`, { name: "pwned" }],
      ["DELETE", `/v1/imports/${theirs.body.id}`],
      ["POST", `/v1/imports/${theirs.body.id}/runs`, {}],
      ["GET", `/v1/imports/${theirs.body.id}/runs`],
      ["GET", `/v1/runs/${theirRun.body.id}`],
      ["POST", `/v1/runs/${theirRun.body.id}/cancel`],
      ["POST", `/v1/runs/${theirRun.body.id}/clone`, {}],
      ["GET", `/v1/runs/${theirRun.body.id}/issues`],
      ["GET", `/v1/runs/${theirRun.body.id}/issues?format=csv`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, path, { key: TENANTS.acme.key, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await call<{ items: { id: string }[] }>("GET", "/v1/imports?limit=1000");
    expect(list.body.items.map((i) => i.id)).not.toContain(theirs.body.id);
    const still = await call<{ name: string }>("GET", `/v1/imports/${theirs.body.id}`, {
      key: TENANTS.globex.key,
    });
    expect(still.body.name).toBe("Historic orders");
    const run = await env.CONFIG_DB.prepare("SELECT status FROM runs WHERE id = ?")
      .bind(theirRun.body.id)
      .first();
    expect(run).toEqual({ status: "queued" });
  });

  it("never returns a secret, not even in an error", async () => {
    const secret = "super-secret-header-value";
    const bad = await call("POST", "/v1/imports", {
      body: urlImport({
        source: { type: "url", url: "http://127.0.0.1/x", headers: { Authorization: secret } },
      }),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain(secret);
    const invalid = await call("POST", "/v1/imports", {
      body: urlImport({
        source: { type: "s3", bucket: "", key: "k", accessKeyId: "a", secretAccessKey: secret },
      }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.text).not.toContain(secret);
  });
});

describe("API keys", () => {
  it("are stored only as their SHA-256", async () => {
    const rows = await env.CONFIG_DB.prepare("SELECT * FROM api_keys").all();
    expect(JSON.stringify(rows.results)).not.toContain(TENANTS.acme.key);
  });
});

describe("remembered keys", () => {
  it("a revoked key stops working within KEY_CACHE_MS; a new key works at once", async () => {
    const { KEY_CACHE_MS } = await import("../src/middleware/auth");
    const { createTenantWithKey } = await import("@cdp/store");
    await createTenantWithKey(
      env.CONFIG_DB,
      { id: "initech", name: "Initech" },
      "key_initech_0123456789",
      "",
    );
    expect((await call("GET", "/v1/imports", { key: "key_initech_0123456789" })).status).toBe(200);
    await env.CONFIG_DB.prepare("UPDATE api_keys SET revoked_at = 'now' WHERE tenant_id = 'initech'").run();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + KEY_CACHE_MS + 1);
      const refused = await call("GET", "/v1/imports", { key: "key_initech_0123456789" });
      expect(refused.status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
    // Never remembered as refused: a key created now is accepted on its first use.
    expect((await call("GET", "/v1/imports", { key: "key_initech_later" })).status).toBe(401);
    await createTenantWithKey(env.CONFIG_DB, { id: "initech", name: "Initech" }, "key_initech_later", "");
    expect((await call("GET", "/v1/imports", { key: "key_initech_later" })).status).toBe(200);
  });

  it("a revoked key cannot change anything even while it is remembered for reading", async () => {
    const { createTenantWithKey } = await import("@cdp/store");
    await createTenantWithKey(env.CONFIG_DB, { id: "hooli", name: "Hooli" }, "key_hooli_0123456789", "");
    const key = "key_hooli_0123456789";
    expect((await call("GET", "/v1/imports", { key })).status).toBe(200);
    await env.CONFIG_DB.prepare("UPDATE api_keys SET revoked_at = 'now' WHERE tenant_id = 'hooli'").run();
    // Reading within KEY_CACHE_MS is allowed; a write looks the key up again and is refused.
    expect((await call("GET", "/v1/imports", { key })).status).toBe(200);
    const write = await call("POST", "/v1/uploads", { key, body: { filename: "a.csv" } });
    expect(write.status).toBe(401);
    const { n } = (await env.CONFIG_DB.prepare(
      "SELECT count(*) AS n FROM uploads WHERE tenant_id = 'hooli'",
    ).first<{
      n: number;
    }>()) ?? { n: -1 };
    expect(n).toBe(0);
  });
});
