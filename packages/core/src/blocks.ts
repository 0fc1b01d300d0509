/**
 * Bytes decoded and read at a time. Storage streams a file in small pieces (4 KiB each locally:
 * 1,025 for a chunk of 4 MiB), and each decode and each write to a reader or splitter has a cost
 * of its own, whatever its size: reading in pieces that small took about a tenth more of an
 * import's CPU (bench:import). A string much larger than this is one of V8's large objects,
 * slower to make and to read (bench:core).
 */
export const BLOCK_BYTES = 64 * 1024;

/**
 * The bytes of `pieces` gathered into blocks of `blockBytes`, the last one shorter; nothing for
 * no bytes. Each block is new: a reader may keep what it was given.
 */
export async function* gatherBlocks(
  pieces: AsyncIterable<Uint8Array>,
  blockBytes = BLOCK_BYTES,
): AsyncGenerator<Uint8Array> {
  let block = new Uint8Array(blockBytes);
  let filled = 0;
  for await (const piece of pieces) {
    let at = 0;
    while (at < piece.byteLength) {
      const n = Math.min(piece.byteLength - at, blockBytes - filled);
      block.set(piece.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === blockBytes) {
        yield block;
        block = new Uint8Array(blockBytes);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield block.subarray(0, filled);
}

/** workerd's BYOB reader reads until a view holds at least `minBytes`, in one call from JavaScript. */
type ReadAtLeast = (minBytes: number, view: Uint8Array) => Promise<ReadableStreamReadResult<Uint8Array>>;

/**
 * The bytes of `body` in new blocks of `blockBytes`, the last one shorter; nothing for no bytes.
 * In workerd a byte stream (a request's body, an R2 object's) fills each block natively with one
 * `readAtLeast`: one promise per block instead of one per piece, which locally is 4 KiB. Any
 * other stream (or runtime) is read piece by piece and gathered. Leaving early cancels `body`.
 */
export async function* readBlocks(
  body: ReadableStream<Uint8Array>,
  blockBytes = BLOCK_BYTES,
): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader | null = null;
  let readAtLeast: ReadAtLeast | undefined;
  try {
    reader = body.getReader({ mode: "byob" });
    readAtLeast = (reader as unknown as { readAtLeast?: ReadAtLeast }).readAtLeast?.bind(reader);
  } catch {
    // Not a byte stream: read as it comes, below.
  }
  if (!reader || !readAtLeast) {
    reader?.releaseLock();
    yield* gatherBlocks(body as unknown as AsyncIterable<Uint8Array>, blockBytes);
    return;
  }
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await readAtLeast(blockBytes, new Uint8Array(blockBytes));
      if (value && value.byteLength > 0) yield value;
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
}
