import type { Encoding } from "./config";
import { CsvTokenizer } from "./csv";
import type { ChunkPlan, Splitter } from "./engine";

export interface CsvSplitterOptions {
  targetChunkBytes: number;
  delimiter?: string;
  quoteChar?: string;
  /** Rows with the same value here (or an empty one) stay in one chunk: an order's rows. */
  groupColumn?: string;
  encoding?: Encoding;
}

const LF = 10;
const CR = 13;

/**
 * Cuts a CSV file into chunks of about `targetChunkBytes`, scanning its raw bytes: only between
 * records, never inside a quoted field, and never between two rows of one group. In UTF-8,
 * ISO-8859-1 and Windows-1252 the quote and line ends are single bytes that never occur inside a
 * multi-byte character. A UTF-16 file is one chunk.
 */
export function createCsvSplitter(options: CsvSplitterOptions): Splitter {
  const quote = (options.quoteChar ?? '"').charCodeAt(0);
  const delimiter = options.delimiter ?? ",";
  const utf16 = options.encoding === "utf-16le" || options.encoding === "utf-16be";
  const decoder = new TextDecoder(options.encoding === "utf-8" || !options.encoding ? "utf-8" : "latin1");
  const target = Math.max(1, options.targetChunkBytes);
  const chunks: ChunkPlan[] = [];

  let offset = 0; // absolute offset of the next byte
  let line = 1; // physical line of the next byte
  let inQuotes = false;
  let afterCR = false;
  let prologueEnd = -1;
  let headerBytes: number[] = [];
  let groupIndex = -1;

  let chunkStart = 0;
  let chunkRow = 1;
  let recordStart = 0;
  /** Bytes of the current record, kept only once the chunk has reached its target (to read its group). */
  let recordBytes: number[] | null = null;
  /** A possible cut: the end of a record past the target, while waiting to see the next record's group. */
  let pending: { at: number; row: number; key: string } | null = null;

  const cut = (at: number, row: number) => {
    if (at > chunkStart) chunks.push({ start: chunkStart, end: at, firstRow: chunkRow });
    chunkStart = at;
    chunkRow = row;
  };

  const keyOf = (bytes: number[]): string => {
    if (groupIndex < 0) return "";
    const tokenizer = new CsvTokenizer({ delimiter });
    const fields =
      [...tokenizer.write(decoder.decode(new Uint8Array(bytes))), ...tokenizer.end()][0]?.fields ?? [];
    return (fields[groupIndex] ?? "").trim();
  };

  /** A record ended at `end` (after its line end); the next one starts on `nextRow`. */
  const recordEnded = (end: number, nextRow: number) => {
    if (prologueEnd < 0) {
      prologueEnd = end;
      const header =
        new CsvTokenizer({ delimiter }).write(`${decoder.decode(new Uint8Array(headerBytes))}\n`)[0]
          ?.fields ?? [];
      groupIndex = options.groupColumn
        ? header.map((h) => h.replace(/^\uFEFF/, "")).indexOf(options.groupColumn)
        : -1;
      headerBytes = [];
      chunkStart = end;
      chunkRow = nextRow;
    } else if (groupIndex < 0) {
      if (end - chunkStart >= target) cut(end, nextRow);
    } else if (recordBytes) {
      // Records that start past the target are read for their group: a cut goes before the first
      // one whose group differs from the group of the record before it.
      const key = keyOf(recordBytes);
      if (pending && pending.key !== "" && key !== "" && key !== pending.key) {
        cut(pending.at, pending.row);
        pending = null;
      } else {
        pending = { at: end, row: nextRow, key: key || (pending?.key ?? "") };
      }
    }
    recordStart = end;
    recordBytes = groupIndex >= 0 && prologueEnd >= 0 && end - chunkStart >= target ? [] : null;
  };

  return {
    write(bytes) {
      if (utf16) {
        offset += bytes.length;
        return;
      }
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i] ?? 0;
        if (prologueEnd < 0) headerBytes.push(b);
        else if (recordBytes) recordBytes.push(b);
        const at = offset + i;
        if (afterCR) {
          afterCR = false;
          if (b === LF) {
            // The LF of a CRLF: the record ended with the CR; move its end past the LF.
            if (!inQuotes && recordStart === at) {
              recordStart = at + 1;
              if (pending?.at === at) pending.at = at + 1;
              if (chunkStart === at) {
                chunkStart = at + 1;
                const last = chunks.at(-1);
                if (last?.end === at) last.end = at + 1;
              }
              if (prologueEnd === at) prologueEnd = at + 1;
              if (recordBytes) recordBytes = [];
            }
            continue;
          }
        }
        if (b === quote) {
          inQuotes = !inQuotes;
        } else if (b === LF || b === CR) {
          line++;
          if (b === CR) afterCR = true;
          if (!inQuotes) recordEnded(at + 1, line);
        }
      }
      offset += bytes.length;
    },
    end() {
      if (utf16)
        return { prologueEnd: 0, chunks: offset > 0 ? [{ start: 0, end: offset, firstRow: 1 }] : [] };
      if (prologueEnd < 0) return { prologueEnd: offset, chunks: [] };
      if (offset > chunkStart) chunks.push({ start: chunkStart, end: offset, firstRow: chunkRow });
      return { prologueEnd, chunks };
    },
  };
}
