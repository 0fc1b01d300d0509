import { env, exports } from "cloudflare:workers";
import { createTenantWithKey } from "@cdp/store";
import { beforeAll, describe, expect, it } from "vitest";

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
