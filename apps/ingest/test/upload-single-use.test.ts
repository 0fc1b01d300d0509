import { env, exports } from "cloudflare:workers";
import { uploadPath } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { uploadObjectKey } from "../src/http";

const BASE = "http://files.test";

async function signedUrl(key: string, tenantId: string) {
  const expires = Math.floor(Date.now() / 1000) + 3600;
  return BASE + (await uploadPath({ method: "PUT", key, tenantId, expires }, env.UPLOAD_SIGNING_SECRET));
}

async function issued(key: string) {
  await env.CONFIG_DB.prepare(
    "INSERT INTO uploads (key, tenant_id, filename, created_at, expires_at) VALUES (?1, 'acme', 'orders.csv', '', '')",
  )
    .bind(key)
    .run();
  return signedUrl(key, "acme");
}

describe("an upload URL is used once", () => {
  it("answers 409 to a second PUT and keeps the first file", async () => {
    const url = await issued("up_once/orders.csv");
    expect((await exports.default.fetch(url, { method: "PUT", body: "orderId\nor1\n" })).status).toBe(201);
    const again = await exports.default.fetch(url, { method: "PUT", body: "orderId\nevil\n" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      error: { code: "upload_already_used", message: expect.stringMatching(/POST \/v1\/uploads/) },
    });
    const object = await env.FILES.get(uploadObjectKey("acme", "up_once/orders.csv"));
    expect(await object?.text()).toBe("orderId\nor1\n");
  });

  it("refuses the multipart verbs after a completed upload too", async () => {
    const url = await issued("up_once_parts/orders.csv");
    expect((await exports.default.fetch(url, { method: "PUT", body: "a\n" })).status).toBe(201);
    const start = await exports.default.fetch(`${url}&uploads`, { method: "POST" });
    expect(start.status).toBe(409);
    const object = await env.FILES.get(uploadObjectKey("acme", "up_once_parts/orders.csv"));
    expect(await object?.text()).toBe("a\n");
  });

  it("lets a URL that was never completed be tried again", async () => {
    const url = await issued("up_retry/orders.csv");
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("x"));
        controller.close();
      },
    });
    expect((await exports.default.fetch(url, { method: "PUT", body })).status).toBe(411);
    expect((await exports.default.fetch(url, { method: "PUT", body: "b\n" })).status).toBe(201);
  });
});
