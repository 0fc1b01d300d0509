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

/** A body that is sent only once `released` settles, and says when the upload starts reading it. */
function heldBody(text: string, released: Promise<void>, onRead: () => void) {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        onRead();
        await released;
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

describe("an upload URL used by two uploads at once", () => {
  it("stores one of two concurrent PUTs and answers the other 409", async () => {
    const url = await issued("up_race/orders.csv");
    const bodies = ["orderId\nfirst\n", "orderId\nother\n"];
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reading = 0;
    // No body ends before both uploads are reading theirs, or one of them has been answered.
    const puts = bodies.map((text) =>
      exports.default.fetch(url, {
        method: "PUT",
        headers: { "content-length": String(text.length) },
        body: heldBody(text, released, () => {
          reading += 1;
          if (reading === bodies.length) release();
        }),
      }),
    );
    for (const put of puts) put.then(release, release);
    const answers = await Promise.all(puts);
    const statuses = answers.map((res) => res.status);
    expect([...statuses].sort()).toEqual([201, 409]);
    const winner = statuses.indexOf(201);
    expect(await answers[1 - winner]?.json()).toMatchObject({
      error: { code: "upload_already_used", message: expect.stringMatching(/POST \/v1\/uploads/) },
    });
    const object = await env.FILES.get(uploadObjectKey("acme", "up_race/orders.csv"));
    expect(await object?.text()).toBe(bodies[winner]);
  });

  it("refuses a PUT while an upload in parts is under way, and takes it once that is given up", async () => {
    const url = await issued("up_race_parts/orders.csv");
    const started = await exports.default.fetch(`${url}&uploads`, { method: "POST" });
    expect(started.status).toBe(201);
    const { uploadId } = (await started.json()) as { uploadId: string };
    const put = await exports.default.fetch(url, { method: "PUT", body: "orderId\nput\n" });
    expect(put.status).toBe(409);
    expect(await put.json()).toMatchObject({ error: { code: "upload_already_used" } });
    expect(await env.FILES.get(uploadObjectKey("acme", "up_race_parts/orders.csv"))).toBeNull();
    const secondStart = await exports.default.fetch(`${url}&uploads`, { method: "POST" });
    expect(secondStart.status).toBe(409);

    const aborted = await exports.default.fetch(`${url}&uploadId=${uploadId}`, { method: "DELETE" });
    expect(aborted.status).toBe(204);
    const retried = await exports.default.fetch(url, { method: "PUT", body: "orderId\nput\n" });
    expect(retried.status).toBe(201);
    const object = await env.FILES.get(uploadObjectKey("acme", "up_race_parts/orders.csv"));
    expect(await object?.text()).toBe("orderId\nput\n");
  });

  it("lets the URL of a PUT that failed midway be used again", async () => {
    const url = await issued("up_broken/orders.csv");
    // The connection ends before the announced length has come.
    const failed = await exports.default.fetch(url, {
      method: "PUT",
      headers: { "content-length": "100" },
      body: heldBody("orderId\n", Promise.resolve(), () => {}),
    });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await env.FILES.get(uploadObjectKey("acme", "up_broken/orders.csv"))).toBeNull();
    const retried = await exports.default.fetch(url, { method: "PUT", body: "orderId\nor1\n" });
    expect(retried.status).toBe(201);
    const object = await env.FILES.get(uploadObjectKey("acme", "up_broken/orders.csv"));
    expect(await object?.text()).toBe("orderId\nor1\n");
  });
});
