import type { ChunkPlan, Splitter } from "./engine";

/**
 * Splitters for the ingest Worker's fan-out, on the raw bytes of a file in an ASCII-compatible
 * encoding (UTF-8, ISO-8859-1, Windows-1252: line ends and "<" are single bytes there; a UTF-16
 * file is not split). Each keeps only a few bytes between writes.
 *
 * - JSON lines: chunks end after a line end (LF, CRLF or CR) once they reach the target size.
 *   There is no prologue.
 * - XML: chunks start just before an item's start tag (`<item` / `<entry`), found outside
 *   comments and CDATA sections; the prologue is the text before the first item. A document
 *   without items is one chunk read from its start.
 * A chunk's firstRow is the physical line of its first byte.
 */

export interface SplitterOptions {
  /** A chunk ends at the first record boundary at or after this many bytes. */
  targetChunkBytes: number;
}

const LF = 10;
const CR = 13;

/** Counts physical lines over the bytes as they pass (LF, CRLF and CR each end a line). */
class LineCounter {
  /** Absolute offset counted up to, and the line there. */
  private at = 0;
  private line = 1;
  private afterCR = false;

  /** The line of absolute offset `to`; `bytes` starts at absolute offset `base` and covers [at, to). */
  lineAt(bytes: Uint8Array, base: number, to: number): number {
    const from = this.at - base;
    const end = to - base;
    if (end <= from) return this.line;
    let breaks = 0;
    for (let i = bytes.indexOf(CR, from); i >= 0 && i < end; i = bytes.indexOf(CR, i + 1)) breaks++;
    for (let i = bytes.indexOf(LF, from); i >= 0 && i < end; i = bytes.indexOf(LF, i + 1)) {
      const afterCR = i === from ? this.afterCR : bytes[i - 1] === CR;
      if (!afterCR) breaks++;
    }
    this.line += breaks;
    this.afterCR = bytes[end - 1] === CR;
    this.at = to;
    return this.line;
  }
}

function checkTarget(targetChunkBytes: number): void {
  if (!(targetChunkBytes >= 1)) throw new RangeError("targetChunkBytes must be at least 1");
}

export function createJsonlSplitter(options: SplitterOptions): Splitter {
  checkTarget(options.targetChunkBytes);
  const target = options.targetChunkBytes;
  const lines = new LineCounter();
  const chunks: ChunkPlan[] = [];
  let offset = 0;
  let chunkStart = 0;
  let chunkRow = 1;
  /** The previous write ended with a CR that ends a chunk: cut after a following LF, or right here. */
  let cutAfterCR = false;

  const cut = (bytes: Uint8Array, at: number) => {
    if (at <= chunkStart) return;
    chunks.push({ start: chunkStart, end: at, firstRow: chunkRow });
    chunkRow = lines.lineAt(bytes, offset, at);
    chunkStart = at;
  };

  return {
    write(bytes) {
      let i = 0;
      if (cutAfterCR) {
        cutAfterCR = false;
        cut(bytes, offset + (bytes[0] === LF ? 1 : 0));
        i = chunkStart - offset;
      }
      for (;;) {
        // The first byte whose line end would make the chunk reach the target.
        i = Math.max(i, chunkStart + target - 1 - offset);
        if (i >= bytes.length) break;
        const lf = bytes.indexOf(LF, i);
        const cr = bytes.indexOf(CR, i);
        if (lf < 0 && cr < 0) break;
        if (cr >= 0 && (lf < 0 || cr < lf)) {
          if (cr + 1 >= bytes.length) {
            cutAfterCR = true;
            break;
          }
          cut(bytes, offset + (bytes[cr + 1] === LF ? cr + 2 : cr + 1));
        } else {
          cut(bytes, offset + lf + 1);
        }
        i = chunkStart - offset;
      }
      lines.lineAt(bytes, offset, offset + bytes.length);
      offset += bytes.length;
    },
    end() {
      if (offset > chunkStart) chunks.push({ start: chunkStart, end: offset, firstRow: chunkRow });
      return { prologueEnd: 0, chunks };
    },
  };
}

const encoder = new TextEncoder();
const COMMENT_OPEN = encoder.encode("<!--");
const COMMENT_CLOSE = encoder.encode("-->");
const CDATA_OPEN = encoder.encode("<![CDATA[");
const CDATA_CLOSE = encoder.encode("]]>");

function startsWithAt(bytes: Uint8Array, at: number, token: Uint8Array): boolean {
  if (at + token.length > bytes.length) return false;
  for (let k = 0; k < token.length; k++) if (bytes[at + k] !== token[k]) return false;
  return true;
}

function indexOfToken(bytes: Uint8Array, token: Uint8Array, from: number): number {
  const first = token[0] ?? 0;
  for (let i = bytes.indexOf(first, from); i >= 0; i = bytes.indexOf(first, i + 1)) {
    if (startsWithAt(bytes, i, token)) return i;
    if (i + token.length > bytes.length) return -1;
  }
  return -1;
}

const isTagNameEnd = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x09 || byte === LF || byte === CR || byte === 0x3e || byte === 0x2f;

/** A byte of an XML name other than ':' (ASCII letters, digits, '-', '_', '.', or any non-ASCII byte). */
const isNameByte = (byte: number | undefined) =>
  byte !== undefined &&
  ((byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === 0x5f ||
    byte === 0x2e ||
    byte >= 0x80);

/** The longest namespace prefix an item's start tag is recognised with (`<atom:entry`). */
const MAX_PREFIX_BYTES = 32;

export function createXmlSplitter(options: SplitterOptions & { itemElement: "item" | "entry" }): Splitter {
  checkTarget(options.targetChunkBytes);
  const target = options.targetChunkBytes;
  const itemTag = encoder.encode(`<${options.itemElement}`);
  const itemName = encoder.encode(options.itemElement);
  /**
   * Longest token that must be seen whole: "<![CDATA[", or "<entry" with a prefix of up to
   * MAX_PREFIX_BYTES ("<atom:entry") plus the byte after it.
   */
  const lookahead = Math.max(CDATA_OPEN.length, 1 + MAX_PREFIX_BYTES + 1 + itemName.length + 1);
  /**
   * Whether an item starts at `lt`: `<entry` or, with any prefix, `<atom:entry`, as the readers
   * know items by their local name (whatever prefix the file binds Atom's namespace to).
   */
  const isItemTag = (bytes: Uint8Array, lt: number): boolean => {
    if (startsWithAt(bytes, lt, itemTag)) return isTagNameEnd(bytes[lt + itemTag.length]);
    let colon = lt + 1;
    const limit = Math.min(bytes.length, lt + 1 + MAX_PREFIX_BYTES);
    while (colon < limit && isNameByte(bytes[colon])) colon++;
    return (
      colon > lt + 1 &&
      bytes[colon] === 0x3a &&
      startsWithAt(bytes, colon + 1, itemName) &&
      isTagNameEnd(bytes[colon + 1 + itemName.length])
    );
  };
  const lines = new LineCounter();
  const chunks: ChunkPlan[] = [];
  let state: "text" | "comment" | "cdata" = "text";
  /** Bytes of an unfinished token carried from the previous write, and their absolute offset. */
  let carry = new Uint8Array(0);
  let offset = 0;
  let firstItem = -1;
  let chunkStart = 0;
  let chunkRow = 1;

  const scan = (bytes: Uint8Array, base: number, final: boolean): number => {
    let i = 0;
    while (i < bytes.length) {
      if (state !== "text") {
        const close = state === "comment" ? COMMENT_CLOSE : CDATA_CLOSE;
        const at = indexOfToken(bytes, close, i);
        if (at < 0) return final ? bytes.length : Math.max(i, bytes.length - (close.length - 1));
        state = "text";
        i = at + close.length;
        continue;
      }
      const lt = bytes.indexOf(0x3c, i);
      if (lt < 0) return bytes.length;
      if (!final && lt + lookahead > bytes.length) return lt;
      if (startsWithAt(bytes, lt, COMMENT_OPEN)) {
        state = "comment";
        i = lt + COMMENT_OPEN.length;
      } else if (startsWithAt(bytes, lt, CDATA_OPEN)) {
        state = "cdata";
        i = lt + CDATA_OPEN.length;
      } else {
        if (isItemTag(bytes, lt)) {
          const at = base + lt;
          if (firstItem < 0) {
            firstItem = at;
            chunkStart = at;
            chunkRow = lines.lineAt(bytes, base, at);
          } else if (at - chunkStart >= target) {
            chunks.push({ start: chunkStart, end: at, firstRow: chunkRow });
            chunkStart = at;
            chunkRow = lines.lineAt(bytes, base, at);
          }
        }
        i = lt + 1;
      }
    }
    return bytes.length;
  };

  const feed = (bytes: Uint8Array, final: boolean) => {
    let window = bytes;
    if (carry.length > 0) {
      window = new Uint8Array(carry.length + bytes.length);
      window.set(carry);
      window.set(bytes, carry.length);
    }
    const base = offset - carry.length;
    const done = scan(window, base, final);
    lines.lineAt(window, base, base + done);
    carry = window.slice(done);
  };

  return {
    write(bytes) {
      feed(bytes, false);
      offset += bytes.length;
    },
    end() {
      feed(new Uint8Array(0), true);
      if (firstItem < 0) {
        return { prologueEnd: 0, chunks: offset > 0 ? [{ start: 0, end: offset, firstRow: 1 }] : [] };
      }
      if (offset > chunkStart) chunks.push({ start: chunkStart, end: offset, firstRow: chunkRow });
      return { prologueEnd: firstItem, chunks };
    },
  };
}
