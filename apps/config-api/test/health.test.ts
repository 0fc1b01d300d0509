import { env, exports } from "cloudflare:workers";
import { createTenantWithKey } from "@cdp/store";
import { beforeAll, describe, expect, it, vi } from "vitest";

const BASE = "http://api.test";

describe("config-api meta", () => {
  beforeAll(async () => {
    await createTenantWithKey(
      env.CONFIG_DB,
      { id: "acme", name: "Acme" },
      "key_acme",
      new Date().toISOString(),
    );
  });

  it("answers health without a key", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("refuses /v1 without a key, with the error envelope", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/imports`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message).toMatch(/API key/);
  });

  it("refuses a wrong key", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/imports`, {
      headers: { Authorization: "Bearer nope" },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { code: "unauthorized", message: "The API key was refused." },
    });
  });

  it("answers an unknown path of a known key with a JSON 404", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/nothing-here`, {
      headers: { Authorization: "Bearer key_acme" },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("serves an OpenAPI 3.1 document that lists health", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/openapi.json`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/v1/health");
  });
});

describe("config-api front door", () => {
  it("sends signed upload PUTs to the ingest Worker", async () => {
    const res = await exports.default.fetch(`${BASE}/uploads/t/abc?sig=x`, { method: "PUT", body: "a" });
    expect(await res.json()).toEqual({ worker: "cdp-ingest", method: "PUT", path: "/uploads/t/abc" });
  });

  it("sends the dashboard's pages to the dashboard Worker", async () => {
    const res = await exports.default.fetch(`${BASE}/`);
    expect(await res.json()).toEqual({ worker: "cdp-dashboard", method: "GET", path: "/" });
  });
});

describe("the API's edges", () => {
  const key = { Authorization: "Bearer key_acme" };

  it("lists every route of the app in /v1/openapi.json", async () => {
    const { api } = await import("../src/index");
    const doc = (await (await exports.default.fetch(`${BASE}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
      ),
    );
    const routes = api.routes.filter(
      (r) => r.method !== "ALL" && r.path.startsWith("/v1/") && r.path !== "/v1/openapi.json",
    );
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes)
      expect(documented, `${route.method} ${route.path}`).toContain(`${route.method} ${route.path}`);
  });

  it("answers 405 with Allow to a method a path does not take", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/imports`, { method: "PUT", headers: key });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("POST");
    expect(await res.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });

  it("answers 413 to a body over 1 MB", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/imports`, {
      method: "POST",
      headers: { ...key, "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("answers a malformed JSON body with a 400 envelope", async () => {
    const res = await exports.default.fetch(`${BASE}/v1/imports`, {
      method: "POST",
      headers: { ...key, "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: expect.any(String), message: expect.any(String) },
    });
  });

  it("serves an interactive reference at /docs with no asset from a CDN", async () => {
    const res = await exports.default.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("/v1/openapi.json");
    expect(html).toContain('src="/swagger-ui-dist/swagger-ui-bundle.js"');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("continues the client's D1 bookmark, starts writes on the primary, and returns the bookmark", async () => {
    // Every session a request opens, with the constraint or bookmark it started from.
    const opened: string[] = [];
    const withSession = env.CONFIG_DB.withSession.bind(env.CONFIG_DB);
    const spy = vi.spyOn(env.CONFIG_DB, "withSession").mockImplementation((constraint) => {
      opened.push(String(constraint));
      return withSession(constraint);
    });
    try {
      const read = await exports.default.fetch(`${BASE}/v1/imports`, { headers: key });
      expect(read.status).toBe(200);
      const bookmark = read.headers.get("x-d1-bookmark");
      expect(bookmark).toBeTruthy();
      expect(opened).toEqual(["first-unconstrained"]);

      const write = await exports.default.fetch(`${BASE}/v1/uploads`, {
        method: "POST",
        headers: { ...key, "content-type": "application/json" },
        body: JSON.stringify({ filename: "orders.csv" }),
      });
      expect(write.status).toBe(201);
      expect(opened).toEqual(["first-unconstrained", "first-primary"]);
      const written = write.headers.get("x-d1-bookmark") as string;
      expect(written).toBeTruthy();

      // The client sends its last bookmark back: the next read starts from it.
      const after = await exports.default.fetch(`${BASE}/v1/imports`, {
        headers: { ...key, "x-d1-bookmark": written },
      });
      expect(after.status).toBe(200);
      expect(opened).toEqual(["first-unconstrained", "first-primary", written]);
      expect(after.headers.get("x-d1-bookmark")).toBeTruthy();
    } finally {
      spy.mockRestore();
    }
  });
});
