import { describe, expect, it } from "vitest";
import { DECODE_BYTES, decodeSlices, readBlocks } from "../src/read-blocks";

/** Bytes 0, 1, 2, … 255, 0, … of this length. */
const counting = (length: number) => Uint8Array.from({ length }, (_, i) => i % 256);

/** A byte stream (as storage and fetch bodies are) that gives its bytes in small pieces. */
function byteStream(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        // A BYOB read waiting for more is answered with what there is.
        controller.byobRequest?.respond(0);
        return;
      }
      const next = bytes.slice(at, at + piece);
      at += next.length;
      controller.enqueue(next);
    },
  });
}

/** A stream of a script's own (no byte stream): pieces as they come. */
function pieceStream(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

const concat = (blocks: Uint8Array[]) => {
  const all = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const block of blocks) {
    all.set(block, at);
    at += block.length;
  }
  return all;
};

async function collect(stream: ReadableStream<Uint8Array>, blockBytes: number): Promise<Uint8Array[]> {
  const blocks: Uint8Array[] = [];
  for await (const block of readBlocks(stream, blockBytes)) blocks.push(block);
  return blocks;
}

describe("readBlocks", () => {
  it("reads a byte stream of small pieces in full blocks, the last one shorter, every byte in order", async () => {
    const bytes = counting(10_000);
    const blocks = await collect(byteStream(bytes, 700), 4096);
    expect(blocks.map((b) => b.length)).toEqual([4096, 4096, 10_000 - 2 * 4096]);
    expect(concat(blocks)).toEqual(bytes);
  });

  it("reads a byte stream that ends on a block's edge, and an empty one, without an empty block", async () => {
    expect((await collect(byteStream(counting(8192), 1000), 4096)).map((b) => b.length)).toEqual([4096, 4096]);
    expect(await collect(byteStream(new Uint8Array(0), 1000), 4096)).toEqual([]);
  });

  it("passes on the pieces of a stream that is no byte stream as they come", async () => {
    const pieces = [counting(3), counting(5000), counting(1)];
    expect(await collect(pieceStream(pieces), 4096)).toEqual(pieces);
  });

  it("cancels the stream when the reading stops early", async () => {
    let cancelled = false;
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      type: "bytes",
      pull(controller) {
        at += 1000;
        controller.enqueue(counting(1000));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const block of readBlocks(stream, 2000)) {
      expect(block.length).toBe(2000);
      break;
    }
    expect(cancelled).toBe(true);
    expect(at).toBeLessThan(10_000);
  });
});

describe("decodeSlices", () => {
  it("cuts a block into slices of DECODE_BYTES that add up to it", () => {
    const block = counting(DECODE_BYTES * 2 + 5);
    const slices = [...decodeSlices(block)];
    expect(slices.map((s) => s.length)).toEqual([DECODE_BYTES, DECODE_BYTES, 5]);
    expect(concat(slices)).toEqual(block);
  });
});
