import type { Issue } from "./issues";

/**
 * The contract of every format reader. A reader is fed decoded text chunk by chunk (a record,
 * or an order's rows, cut at a chunk edge carries over to the next write) and answers the
 * items completed so far. Memory stays bounded by the largest record or order, never by the file.
 *
 * A problem of one item is an Issue on that item; the rest of the file goes on. A problem of
 * the whole file (missing required columns, not the claimed format, record too large) throws
 * ImportFileError.
 */
export interface ReadResult<T> {
  /** The normalised item, or null when an error issue made it invalid. */
  item: T | null;
  /** 1-based physical line where the item's first record starts (the header is row 1). */
  row: number;
  /** The item's key for issues and reports: order id, user id as written, product id. */
  key: string | null;
  /** Error and warning issues of this item, in the order found. */
  issues: Issue[];
  /** Data records this item was read from (an order's rows; 1 otherwise). */
  records: number;
}

export interface ItemReader<T> {
  write(text: string): ReadResult<T>[];
  /** End of input: flushes what was carried over, reports an unterminated last record. */
  end(): ReadResult<T>[];
  /** Header fields (CSV/TSV), the keys seen (JSON lines) or the element names seen (XML). */
  readonly columns: readonly string[];
}

/**
 * Where a reader starts inside a file, for a chunk that is not the file's beginning: the
 * `prologue` (the CSV header line, or an XML document's text before its first item) is read
 * first for its context only, and the chunk's first record is on physical line `firstRow`.
 */
export interface ReaderPosition {
  prologue: string;
  firstRow: number;
}

/**
 * The limits a reader or splitter enforces, set per Worker (vars MAX_RECORD_BYTES, MAX_COLUMNS);
 * each reader keeps its own default when one is not given.
 */
export interface ReadLimits {
  /** Longest record: a CSV record, a JSON line, an XML item (characters once decoded; bytes in the splitter). */
  maxRecordChars?: number;
  /** Most fields of a CSV or TSV record. */
  maxColumns?: number;
}

/** Byte range of one chunk of a file, cut where no record, quoted field or order is split. */
export interface ChunkPlan {
  start: number;
  end: number;
  /** Physical line of the chunk's first record. */
  firstRow: number;
}

/**
 * Finds chunk boundaries in the raw bytes of a file as they stream by, for the ingest Worker's
 * fan-out. It never holds more than the current record.
 */
export interface Splitter {
  write(bytes: Uint8Array): void;
  /** The prologue's byte length (CSV header line, XML text before the first item) and the chunks. */
  end(): { prologueEnd: number; chunks: ChunkPlan[] };
}
