import { env, exports } from "cloudflare:workers";
import { uploadPath } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { uploadObjectKey } from "../src/http";

const BASE = "http://files.test";
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

async function signedUrl(key: string, tenantId: string, expires = inAnHour()) {
  return BASE + (await uploadPath({ method: "PUT", key, tenantId, expires }, env.UPLOAD_SIGNING_SECRET));
}

describe("signed upload PUT", () => {
  it("stores the body in R2 under the tenant and answers 201", async () => {
    await env.CONFIG_DB.prepare(
      "INSERT INTO uploads (key, tenant_id, filename, created_at, expires_at) VALUES ('up_1/orders.csv', 'acme', 'orders.csv', '', '')",
    ).run();
    const res = await exports.default.fetch(await signedUrl("up_1/orders.csv", "acme"), {
      method: "PUT",
      body: "orderId\nor1\n",
    });
    expect(res.status).toBe(201);
    const object = await env.FILES.get(uploadObjectKey("acme", "up_1/orders.csv"));
    expect(await object?.text()).toBe("orderId\nor1\n");
    const row = await env.CONFIG_DB.prepare("SELECT size FROM uploads WHERE key = 'up_1/orders.csv'").first();
    expect(row).toEqual({ size: 12 });
  });

  it("refuses a tampered URL with 403", async () => {
    const url = new URL(await signedUrl("up_2/a.csv", "acme"));
    url.searchParams.set("tenant", "other");
    const res = await exports.default.fetch(url, { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
    expect(await env.FILES.get(uploadObjectKey("other", "up_2/a.csv"))).toBeNull();
  });

  it("refuses a URL whose path holds a malformed percent-escape with 403, like any tampering", async () => {
    const signed = new URL(await signedUrl("up_6/a.csv", "acme"));
    const url = `${BASE}${signed.pathname}%E0%A4%A${signed.search}`;
    const res = await exports.default.fetch(url, { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        code: "forbidden",
        message: "This upload URL is not valid: it was changed or not issued by this service.",
      },
    });
    const stored = await env.FILES.list({ prefix: uploadObjectKey("acme", "up_6/") });
    expect(stored.objects).toEqual([]);
  });

  it("refuses an expired URL with 403", async () => {
    const url = await signedUrl("up_3/a.csv", "acme", Math.floor(Date.now() / 1000) - 1);
    const res = await exports.default.fetch(url, { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/expired/) } });
  });

  it("answers 405 to another method", async () => {
    const res = await exports.default.fetch(await signedUrl("up_4/a.csv", "acme"), { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("PUT");
  });

  it("answers 411 without a length", async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("x"));
        controller.close();
      },
    });
    const res = await exports.default.fetch(await signedUrl("up_5/a.csv", "acme"), { method: "PUT", body });
    expect(res.status).toBe(411);
  });
});
