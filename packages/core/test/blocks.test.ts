import { describe, expect, it } from "vitest";
import { gatherBlocks, readBlocks } from "../src/blocks";

async function* piecesOf(...sizes: number[]): AsyncGenerator<Uint8Array> {
  let n = 0;
  for (const size of sizes) yield Uint8Array.from({ length: size }, () => n++ % 251);
}

async function gather(pieces: AsyncIterable<Uint8Array>, blockBytes: number): Promise<Uint8Array[]> {
  const blocks: Uint8Array[] = [];
  for await (const block of gatherBlocks(pieces, blockBytes)) blocks.push(block);
  return blocks;
}

const joined = (blocks: Uint8Array[]) => Uint8Array.from(blocks.flatMap((b) => [...b]));

describe("gatherBlocks", () => {
  it("gathers small pieces into whole blocks, the last one shorter, keeping every byte in order", async () => {
    const blocks = await gather(piecesOf(3, 3, 3, 3, 3), 4);
    expect(blocks.map((b) => b.byteLength)).toEqual([4, 4, 4, 3]);
    expect(joined(blocks)).toEqual(joined(await gather(piecesOf(15), 100)));
    expect([...joined(blocks)]).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it("cuts a piece larger than a block across several blocks", async () => {
    const blocks = await gather(piecesOf(1, 10, 1), 4);
    expect(blocks.map((b) => b.byteLength)).toEqual([4, 4, 4]);
    expect([...joined(blocks)]).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("gives nothing for a stream without bytes, and skips empty pieces", async () => {
    expect(await gather(piecesOf(), 4)).toEqual([]);
    expect(await gather(piecesOf(0, 0), 4)).toEqual([]);
    expect((await gather(piecesOf(0, 2, 0, 2), 4)).map((b) => b.byteLength)).toEqual([4]);
  });

  it("hands each block on as a new array, so that one kept by a reader is not overwritten", async () => {
    const blocks = await gather(piecesOf(8, 8), 4);
    expect(new Set(blocks.map((b) => b.buffer)).size).toBe(4);
    expect([...(blocks[0] ?? [])]).toEqual([0, 1, 2, 3]);
  });
});

/** A stream of `sizes` pieces, as a byte stream (as workerd gives a body or an R2 object) or not. */
function streamOf(sizes: number[], { bytes }: { bytes: boolean }) {
  const pieces = [...sizes];
  let n = 0;
  const cancelled: unknown[] = [];
  const source = {
    pull(controller: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) {
      const size = pieces.shift();
      if (size === undefined) controller.close();
      else controller.enqueue(Uint8Array.from({ length: size }, () => n++ % 251));
    },
    cancel(reason: unknown) {
      cancelled.push(reason);
    },
  };
  const stream = bytes
    ? new ReadableStream({ type: "bytes", ...source } as UnderlyingByteSource)
    : new ReadableStream<Uint8Array>(source as UnderlyingDefaultSource<Uint8Array>);
  return { stream: stream as ReadableStream<Uint8Array>, cancelled };
}

async function readAll(stream: ReadableStream<Uint8Array>, blockBytes: number): Promise<Uint8Array[]> {
  const blocks: Uint8Array[] = [];
  for await (const block of readBlocks(stream, blockBytes)) blocks.push(block);
  return blocks;
}

describe.each([
  ["a byte stream", true],
  ["a stream of chunks", false],
])("readBlocks of %s", (_name, bytes) => {
  it("reads whole blocks, the last one shorter, keeping every byte in order", async () => {
    const blocks = await readAll(streamOf([3, 3, 3, 3, 3], { bytes }).stream, 4);
    expect(blocks.map((b) => b.byteLength)).toEqual([4, 4, 4, 3]);
    expect([...joined(blocks)]).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it("cuts a piece larger than a block across several blocks", async () => {
    const blocks = await readAll(streamOf([1, 10, 1], { bytes }).stream, 4);
    expect(blocks.map((b) => b.byteLength)).toEqual([4, 4, 4]);
    expect([...joined(blocks)]).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("gives nothing for a stream without bytes", async () => {
    expect(await readAll(streamOf([], { bytes }).stream, 4)).toEqual([]);
  });

  it("hands each block on as a new array", async () => {
    const blocks = await readAll(streamOf([8, 8], { bytes }).stream, 4);
    expect(new Set(blocks.map((b) => b.buffer)).size).toBe(4);
    expect([...(blocks[0] ?? [])]).toEqual([0, 1, 2, 3]);
  });

  it("cancels the stream when its reader stops early, so that its source is not read on", async () => {
    const { stream, cancelled } = streamOf([4, 4, 4, 4], { bytes });
    for await (const _block of readBlocks(stream, 4)) break;
    expect(cancelled).toHaveLength(1);
  });
});
