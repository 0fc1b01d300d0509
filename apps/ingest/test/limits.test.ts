import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ImportFileError, uploadPath } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { router, uploadObjectKey } from "../src/http";
import { fileTooLargeMessage, limitFileSize, maxFileBytes } from "../src/limits";

const streamOf = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });

describe("MAX_FILE_BYTES", () => {
  it("is the var when it is a positive whole number, 50 GiB otherwise", () => {
    expect(maxFileBytes({ MAX_FILE_BYTES: "1024" })).toBe(1024);
    expect(maxFileBytes({ MAX_FILE_BYTES: "" })).toBe(50 * 1024 ** 3);
    expect(maxFileBytes({ MAX_FILE_BYTES: "-1" })).toBe(50 * 1024 ** 3);
  });

  it("refuses a source whose announced size is over the limit, naming both and the var", () => {
    let thrown: unknown;
    try {
      limitFileSize({ body: streamOf("x".repeat(20)), size: 2048 }, 1024);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ImportFileError);
    expect((thrown as ImportFileError).code).toBe("file_too_large");
    expect((thrown as ImportFileError).message).toBe(
      "The file is 2 KiB (2,048 bytes), more than 1 KiB, the largest file this service imports (MAX_FILE_BYTES): split it into smaller files.",
    );
  });

  it("stops a source of unknown size once more than the limit has come, and passes a smaller one whole", async () => {
    const big = limitFileSize({ body: streamOf("a".repeat(600), "b".repeat(600)), size: null }, 1000);
    const error = await new Response(big.body).text().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).message).toBe(fileTooLargeMessage(null, 1000));
    const small = limitFileSize({ body: streamOf("abc", "def"), size: null }, 6);
    expect(await new Response(small.body).text()).toBe("abcdef");
  });

  it("makes the signed PUT of a larger file answer 413, store nothing and leave the URL unused", async () => {
    const key = "up_limit/big.csv";
    await env.CONFIG_DB.prepare(
      "INSERT INTO uploads (key, tenant_id, filename, created_at, expires_at) VALUES (?1, 'acme', 'big.csv', '', '')",
    )
      .bind(key)
      .run();
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const url = `http://files.test${await uploadPath({ method: "PUT", key, tenantId: "acme", expires }, env.UPLOAD_SIGNING_SECRET)}`;
    const limited = { ...env, MAX_FILE_BYTES: "100" };
    const put = (body: string) =>
      router.fetch(
        new Request(url, { method: "PUT", body, headers: { "content-length": String(body.length) } }),
        limited,
        createExecutionContext(),
      );
    const refused = await put("x".repeat(101));
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({
      error: {
        code: "file_too_large",
        message:
          "The file is 101 bytes, more than 100 bytes, the largest file this service imports (MAX_FILE_BYTES): split it into smaller files.",
      },
    });
    expect(await env.FILES.get(uploadObjectKey("acme", key))).toBeNull();
    const accepted = await put("x".repeat(100));
    expect(accepted.status).toBe(201);
  });

  it("makes an upload in parts that joins into a larger file answer 413 and keep nothing", async () => {
    const key = "up_limit/parts.csv";
    await env.CONFIG_DB.prepare(
      "INSERT INTO uploads (key, tenant_id, filename, created_at, expires_at) VALUES (?1, 'acme', 'parts.csv', '', '')",
    )
      .bind(key)
      .run();
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const url = new URL(
      `http://files.test${await uploadPath({ method: "PUT", key, tenantId: "acme", expires }, env.UPLOAD_SIGNING_SECRET)}`,
    );
    const limited = { ...env, MAX_FILE_BYTES: String(6 * 1024 * 1024) };
    const send = (method: string, params: Record<string, string>, body?: BodyInit, length?: number) => {
      const target = new URL(url);
      for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
      const headers: Record<string, string> =
        length === undefined ? {} : { "content-length": String(length) };
      return router.fetch(new Request(target, { method, body, headers }), limited, createExecutionContext());
    };
    const { uploadId } = (await (await send("POST", { uploads: "" })).json()) as { uploadId: string };
    const parts = [];
    for (const [n, size] of [
      [1, 5 * 1024 * 1024],
      [2, 2 * 1024 * 1024],
    ] as const) {
      const res = await send("PUT", { uploadId, partNumber: String(n) }, new Uint8Array(size), size);
      parts.push({ partNumber: n, etag: ((await res.json()) as { etag: string }).etag });
    }
    const refused = await send("POST", { uploadId }, JSON.stringify({ parts }));
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("file_too_large");
    expect(await env.FILES.head(uploadObjectKey("acme", key))).toBeNull();
    const row = await env.CONFIG_DB.prepare("SELECT completed_at FROM uploads WHERE key = ?1")
      .bind(key)
      .first();
    expect(row).toEqual({ completed_at: null });
    const retried = await send("PUT", {}, "a\n", 2);
    expect(retried.status).toBe(201);
    expect(await (await env.FILES.get(uploadObjectKey("acme", key)))?.text()).toBe("a\n");
  });
});
