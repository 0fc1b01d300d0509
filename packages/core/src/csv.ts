import Papa from "papaparse";
import { ImportFileError } from "./issues";

export interface CsvRecord {
  /** 1-based physical line where the record starts (line ends inside quoted fields count too). */
  row: number;
  fields: string[];
  /** Structural problems of this record. */
  problems: { code: "unterminated_quote" | "invalid_quote"; message: string }[];
}

export interface CsvTokenizerOptions {
  delimiter?: string;
  quoteChar?: string;
  /** Physical line of the first record fed (default 1). */
  firstRow?: number;
  /** A longer record fails the file (default 16 Mi characters). */
  maxRecordChars?: number;
  /** More fields in a record fail the file (default 10,000). */
  maxColumns?: number;
}

const DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;
const DEFAULT_MAX_COLUMNS = 10_000;

type Newline = "\n" | "\r\n" | "\r";

/** Physical line ends in `text` between `from` and `to` (CRLF counts once). */
function countLineEnds(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  for (let i = text.indexOf("\r", from); i !== -1 && i < to; i = text.indexOf("\r", i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/**
 * Incremental CSV tokenizer over papaparse. papaparse cannot read a web stream, so text is fed
 * as it is decoded; a record cut at the edge of a write (inside a quoted field too) waits for
 * the next one. Only the unfinished record is kept between writes.
 */
export class CsvTokenizer {
  private buffer = "";
  private row: number;
  private newline: Newline | undefined;
  /** Buffer length at the last parse that found no complete record (to avoid rescanning). */
  private stalledAt = -1;
  private readonly delimiter: string;
  private readonly quoteChar: string;
  private readonly maxRecordChars: number;
  private readonly maxColumns: number;

  constructor(options: CsvTokenizerOptions = {}) {
    this.delimiter = options.delimiter ?? ",";
    this.quoteChar = options.quoteChar ?? '"';
    this.row = options.firstRow ?? 1;
    this.maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
    this.maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
  }

  write(text: string): CsvRecord[] {
    if (text.length === 0) return [];
    this.buffer = this.buffer.length === 0 ? text : this.buffer + text;
    // A record still open after the last parse is only parsed again once the buffer has doubled.
    if (this.stalledAt >= 0 && this.buffer.length < this.stalledAt * 2) return this.checkSize([]);
    return this.checkSize(this.parse(false));
  }

  end(): CsvRecord[] {
    if (this.buffer.length === 0) return [];
    return this.parse(true);
  }

  private checkSize(records: CsvRecord[]): CsvRecord[] {
    if (this.buffer.length > this.maxRecordChars) {
      throw new ImportFileError(
        "record_too_large",
        `The record starting on line ${this.row} is over ${this.maxRecordChars.toLocaleString("en")} characters: is a quote left open?`,
      );
    }
    return records;
  }

  /** The file's line end: the first one outside quotes (the buffer starts at a record's start). */
  private detectNewline(): Newline | undefined {
    if (this.newline) return this.newline;
    const text = this.buffer;
    const quote = this.quoteChar.charCodeAt(0);
    let inQuotes = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === quote) inQuotes = !inQuotes;
      else if (!inQuotes && c === 10) {
        this.newline = "\n";
        return this.newline;
      } else if (!inQuotes && c === 13) {
        if (i + 1 >= text.length) return undefined; // "\r" at the very end: wait for the next char.
        this.newline = text.charCodeAt(i + 1) === 10 ? "\r\n" : "\r";
        return this.newline;
      }
    }
    return undefined;
  }

  private parse(final: boolean): CsvRecord[] {
    const newline = this.detectNewline() ?? "\n";
    const text = this.buffer;
    const parsed = new Papa.Parser({ delimiter: this.delimiter, quoteChar: this.quoteChar, newline }).parse(
      text,
      0,
      !final,
    ) as {
      data: string[][];
      errors: { code: string; row: number }[];
      meta: { cursor: number };
    };
    const consumed = final ? text.length : parsed.meta.cursor;
    const records: CsvRecord[] = [];
    const problems = new Map<number, CsvRecord["problems"]>();
    for (const error of parsed.errors) {
      const list = problems.get(error.row) ?? [];
      if (error.code === "MissingQuotes" && !list.some((p) => p.code === "unterminated_quote")) {
        list.push({
          code: "unterminated_quote",
          message: "A quoted field is never closed: the file ends inside it.",
        });
      } else if (error.code === "InvalidQuotes" && !list.some((p) => p.code === "invalid_quote")) {
        list.push({
          code: "invalid_quote",
          message: "A quote is misplaced: quotes must enclose the whole field, and be doubled inside it.",
        });
      }
      problems.set(error.row, list);
    }
    // Each record ends with one line end; when the consumed text has no more than that, no
    // record spans lines, and the per-field scan for quoted line ends is skipped.
    const data = parsed.data;
    const terminated = final && !/[\r\n]$/.test(text) ? data.length - 1 : data.length;
    const multiLine = countLineEnds(text, 0, consumed) !== terminated;
    let at = 0;
    for (let i = 0; i < data.length; i++) {
      const fields = data[i] ?? [];
      if (fields.length > this.maxColumns) {
        throw new ImportFileError(
          "too_many_columns",
          `Line ${this.row} has ${fields.length.toLocaleString("en")} fields; at most ${this.maxColumns.toLocaleString("en")} are read.`,
        );
      }
      let lines = 0;
      if (multiLine) {
        for (const field of fields) {
          if (field.includes("\n") || field.includes("\r")) lines += countLineEnds(field, 0, field.length);
        }
      }
      const row = this.row;
      // A record spans its own line plus the line ends inside its quoted fields; the line end
      // after it moves to the next record.
      this.row += lines + 1;
      if (newline === "\n" && fields.length > 0) {
        // A CRLF file read with LF line ends leaves a CR on each record's last field.
        const last = fields.length - 1;
        const value = fields[last] ?? "";
        if (value.endsWith("\r")) fields[last] = value.slice(0, -1);
      }
      at++;
      if (fields.length === 1 && fields[0] === "") continue; // An empty line.
      records.push({ row, fields, problems: problems.get(i) ?? [] });
    }
    if (final && at > 0 && !text.endsWith("\n") && !text.endsWith("\r")) this.row -= 1;
    this.buffer = text.slice(consumed);
    this.stalledAt = !final && records.length === 0 && at === 0 ? text.length : -1;
    return records;
  }
}
