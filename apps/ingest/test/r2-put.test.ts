import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { putStream, R2_SINGLE_PUT_MAX_BYTES, singlePutMaxBytes } from "../src/r2-put";

const MiB = 1024 * 1024;

/** A body of `size` bytes whose every byte depends on its offset, sent in uneven pieces. */
function patterned(size: number, piece = 3 * MiB + 17): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const bytes = new Uint8Array(Math.min(piece, size - sent));
      for (let i = 0; i < bytes.length; i++) bytes[i] = (sent + i) % 251;
      sent += bytes.length;
      controller.enqueue(bytes);
    },
  });
}

async function expectPatterned(key: string, size: number) {
  const object = await env.FILES.get(key);
  if (!object) throw new Error(`${key} was not stored`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  expect(bytes.length).toBe(size);
  const wrong = bytes.findIndex((b, i) => b !== i % 251);
  expect(wrong).toBe(-1);
}

describe("putStream", () => {
  it("puts a body of known length up to the single-put ceiling in one piece", async () => {
    const put = await putStream(env.FILES, "t/one", patterned(7 * MiB), 7 * MiB, 8 * MiB);
    expect(put).toEqual({ key: "t/one", size: 7 * MiB });
    await expectPatterned("t/one", 7 * MiB);
  });

  it("sends a longer body in 10 MiB parts, byte for byte", async () => {
    const size = 23 * MiB + 5;
    const put = await putStream(env.FILES, "t/parts", patterned(size), size, 8 * MiB);
    expect(put).toEqual({ key: "t/parts", size });
    await expectPatterned("t/parts", size);
  });

  it("sends a body of unknown length in parts", async () => {
    const put = await putStream(env.FILES, "t/unknown", patterned(12 * MiB), null);
    expect(put.size).toBe(12 * MiB);
    await expectPatterned("t/unknown", 12 * MiB);
  });

  it("stores nothing when a multipart body is shorter than announced", async () => {
    await expect(putStream(env.FILES, "t/short", patterned(11 * MiB), 20 * MiB, 8 * MiB)).rejects.toThrow(
      /11534336 bytes, not the 20971520 announced/,
    );
    expect(await env.FILES.head("t/short")).toBeNull();
  });

  it("takes its ceiling from SINGLE_PUT_MAX_BYTES, never above R2's", () => {
    expect(singlePutMaxBytes({ SINGLE_PUT_MAX_BYTES: "1048576" })).toBe(MiB);
    expect(singlePutMaxBytes({ SINGLE_PUT_MAX_BYTES: "99999999999999" })).toBe(R2_SINGLE_PUT_MAX_BYTES);
    expect(singlePutMaxBytes({ SINGLE_PUT_MAX_BYTES: "" })).toBe(R2_SINGLE_PUT_MAX_BYTES);
    expect(singlePutMaxBytes(env)).toBe(R2_SINGLE_PUT_MAX_BYTES);
  });
});
