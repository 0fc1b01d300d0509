import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MIN_PART_BYTES, type PartsAnswer, serveParts } from "../src/upload-parts";

const URL_BASE = "http://files.test/uploads/up_1/big.csv?tenant=acme&expires=1&sig=x";

function call(method: string, query: string, body?: BodyInit, length?: number) {
  const headers: Record<string, string> = {};
  if (length !== undefined) headers["content-length"] = String(length);
  return serveParts(new Request(`${URL_BASE}&${query}`, { method, body, headers }), env.FILES, "t/big");
}

function expectKind<K extends PartsAnswer["kind"]>(answer: PartsAnswer, kind: K) {
  expect(answer.kind).toBe(kind);
  return answer as Extract<PartsAnswer, { kind: K }>;
}

const bytes = (size: number, fill: number) => new Uint8Array(size).fill(fill);

describe("uploads in parts", () => {
  it("joins equal parts and a shorter last one into the file, byte for byte", async () => {
    const { uploadId } = expectKind(await call("POST", "uploads"), "started");
    const sizes = [MIN_PART_BYTES, MIN_PART_BYTES, 1234];
    const parts = [];
    // Parts may arrive in any order.
    for (const n of [2, 1, 3]) {
      const size = sizes[n - 1] ?? 0;
      const part = expectKind(
        await call("PUT", `uploadId=${uploadId}&partNumber=${n}`, bytes(size, n), size),
        "part",
      );
      parts[n - 1] = { partNumber: n, etag: part.etag };
    }
    const done = expectKind(
      await call("POST", `uploadId=${uploadId}`, JSON.stringify({ parts })),
      "completed",
    );
    expect(done.size).toBe(2 * MIN_PART_BYTES + 1234);
    const object = await env.FILES.get("t/big");
    const stored = new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0));
    expect(stored.length).toBe(done.size);
    expect([stored[0], stored[MIN_PART_BYTES], stored[2 * MIN_PART_BYTES + 1233]]).toEqual([1, 2, 3]);
  });

  it("refuses what cannot make a file, saying what to do", async () => {
    const { uploadId } = expectKind(await call("POST", "uploads"), "started");
    const outOfRange = expectKind(await call("PUT", `uploadId=${uploadId}&partNumber=0`, "x", 1), "refused");
    expect(outOfRange).toMatchObject({ status: 400, message: expect.stringMatching(/from 1 to 10000/) });
    const huge = expectKind(
      await call("PUT", `uploadId=${uploadId}&partNumber=1`, "x", 200 * 1024 * 1024),
      "refused",
    );
    expect(huge).toMatchObject({ status: 413 });
    const gap = expectKind(
      await call("POST", `uploadId=${uploadId}`, JSON.stringify({ parts: [{ partNumber: 2, etag: "e" }] })),
      "refused",
    );
    expect(gap.message).toMatch(/in order, numbered from 1/);
    const notJson = expectKind(await call("POST", `uploadId=${uploadId}`, "parts please"), "refused");
    expect(notJson.status).toBe(400);
    const small = expectKind(await call("PUT", `uploadId=${uploadId}&partNumber=1`, "tiny", 4), "part");
    const last = expectKind(await call("PUT", `uploadId=${uploadId}&partNumber=2`, "end", 3), "part");
    // A first part under 5 MiB cannot be joined with another.
    const tooSmall = expectKind(
      await call(
        "POST",
        `uploadId=${uploadId}`,
        JSON.stringify({
          parts: [
            { partNumber: 1, etag: small.etag },
            { partNumber: 2, etag: last.etag },
          ],
        }),
      ),
      "refused",
    );
    expect(tooSmall.message).toMatch(/at least 5 MiB/);
    expect(expectKind(await call("DELETE", `uploadId=${uploadId}`), "aborted")).toEqual({ kind: "aborted" });
    const gone = expectKind(await call("PUT", `uploadId=${uploadId}&partNumber=1`, "x", 1), "refused");
    expect(gone).toMatchObject({ status: 404, code: "upload_not_found" });
  });
});
