/**
 * Bytes read from storage at a time. Each read of a stream is a trip through the runtime's
 * promises and buffers, whatever its size: a file read in the pieces its stream happens to give
 * (often 4 to 64 KiB) spent about a seventh of an import's CPU there (bench:import --perf).
 */
export const READ_BLOCK_BYTES = 1024 * 1024;

/**
 * Bytes decoded to text at a time. A string of a megabyte is one of V8's large objects, which
 * measured many times slower to make and to read than strings of 64 KiB (bench:core).
 */
export const DECODE_BYTES = 64 * 1024;

type ReadResult = ReadableStreamReadResult<Uint8Array>;
type BlockReader = Omit<ReadableStreamBYOBReader, "read"> & {
  /** The standard's read, with its `min` option (which Node has). */
  read(view: Uint8Array, options?: { min: number }): Promise<ReadResult>;
  /** workerd's form of read(view, { min }). */
  readAtLeast?: (minBytes: number, view: Uint8Array) => Promise<ReadResult>;
};

/**
 * The bytes of a stream in blocks of `blockBytes` (the last one shorter), read straight into
 * each block where the stream is a byte stream (as storage and fetch bodies are); another
 * stream's pieces are passed on as they come. Stopping early cancels the stream.
 */
export async function* readBlocks(
  stream: ReadableStream<Uint8Array>,
  blockBytes = READ_BLOCK_BYTES,
): AsyncGenerator<Uint8Array> {
  let reader: BlockReader;
  try {
    reader = stream.getReader({ mode: "byob" }) as unknown as BlockReader;
  } catch {
    yield* stream as unknown as AsyncIterable<Uint8Array>;
    return;
  }
  let ended = false;
  try {
    while (!ended) {
      const view = new Uint8Array(blockBytes);
      const { value, done } = reader.readAtLeast
        ? await reader.readAtLeast(blockBytes, view)
        : await reader.read(view, { min: blockBytes });
      ended = done;
      if (value && value.byteLength > 0) yield value;
    }
  } finally {
    if (ended) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}

/** A block's bytes in slices of DECODE_BYTES, to be decoded one at a time. */
export function* decodeSlices(block: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < block.byteLength; at += DECODE_BYTES) yield block.subarray(at, at + DECODE_BYTES);
}
