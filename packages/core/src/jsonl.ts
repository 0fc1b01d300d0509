import { ImportFileError } from "./issue-codes";

/**
 * JSON lines, read incrementally: one JSON object per line (LF, CRLF or CR), blank lines
 * skipped. A line that is no JSON is an `invalid_json` problem of that line, a line holding
 * another JSON value (an array, a number) a `not_an_object` problem; the rest goes on.
 *
 * A file that is clearly not JSON lines is refused as a whole (wrong_format): its first
 * non-blank line cannot start any JSON value (CSV, XML...) and none of its first lines parse.
 * Those lines are held back until a line parses (then they become problems as usual), so
 * memory stays bounded by WRONG_FORMAT_LINES lines.
 */
export type JsonLine =
  | { row: number; ok: true; value: Record<string, unknown> }
  | { row: number; ok: false; code: "invalid_json" | "not_an_object"; message: string; text: string };

export interface JsonLinesParserOptions {
  /** Physical line of the first character written. */
  firstRow?: number;
  /** Longest line in characters; a longer one is a record_too_large file error. */
  maxLineChars?: number;
  /** Refuse a file that is clearly not JSON lines (only at a file's start). */
  detectWrongFormat?: boolean;
}

const DEFAULT_MAX_LINE_CHARS = 4 * 1024 * 1024;
/** Lines that must all fail, after a first line that is no JSON, before the file is refused. */
export const WRONG_FORMAT_LINES = 20;
const JSON_START = /^[{["\-0-9tfn]/;

export class JsonLinesParser {
  private carry = "";
  /** Where to resume looking for a line end in `carry`. */
  private scanned = 0;
  private row: number;
  private pendingCR = false;
  private readonly maxLineChars: number;
  /** Non-null while the file may be wrong_format: the lines held back so far. */
  private held: JsonLine[] | null = null;
  private deciding: boolean;
  private firstText = "";

  constructor(options: JsonLinesParserOptions = {}) {
    this.row = options.firstRow ?? 1;
    this.maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
    this.deciding = options.detectWrongFormat ?? false;
  }

  write(text: string): JsonLine[] {
    const out: JsonLine[] = [];
    let buf = this.carry.length > 0 ? this.carry + text : text;
    let start = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (buf.charCodeAt(0) === 10) start = 1;
    }
    let scan = this.carry.length > 0 ? this.scanned : start;
    // CRs are rare: find the next one once, not once per line.
    let crSearch = buf.indexOf("\r", scan);
    for (;;) {
      const lf = buf.indexOf("\n", scan);
      if (crSearch >= 0 && crSearch < scan) crSearch = buf.indexOf("\r", scan);
      const end = lf < 0 ? crSearch : crSearch < 0 ? lf : Math.min(lf, crSearch);
      if (end < 0) break;
      this.line(buf.slice(start, end), out);
      if (end === crSearch) {
        if (end + 1 >= buf.length) {
          this.pendingCR = true;
          start = end + 1;
          break;
        }
        start = buf.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
      } else {
        start = end + 1;
      }
      scan = start;
    }
    buf = buf.slice(start);
    if (buf.length > this.maxLineChars) this.tooLong();
    this.carry = buf;
    this.scanned = buf.length;
    return out;
  }

  end(): JsonLine[] {
    const out: JsonLine[] = [];
    if (this.carry.length > 0) this.line(this.carry, out);
    this.carry = "";
    if (this.deciding && this.held && this.held.length > 0) this.refuse();
    if (this.held) out.unshift(...this.held);
    this.held = null;
    return out;
  }

  private tooLong(): never {
    throw new ImportFileError(
      "record_too_large",
      `Line ${this.row} is longer than ${this.maxLineChars.toLocaleString("en")} characters: is the file JSON lines (one object per line)?`,
    );
  }

  private line(text: string, out: JsonLine[]): void {
    // A line that arrived whole in one write is held to the same limit as one carried over.
    if (text.length > this.maxLineChars) this.tooLong();
    const row = this.row++;
    const trimmed = text.trim();
    if (trimmed === "") return;
    const result = parseLine(trimmed, row, text);
    if (!this.deciding) {
      out.push(result);
      return;
    }
    if (this.held === null) {
      if (result.ok || JSON_START.test(trimmed)) {
        this.deciding = false;
        out.push(result);
        return;
      }
      this.held = [];
      this.firstText = trimmed;
    }
    this.held.push(result);
    if (result.ok || result.code !== "invalid_json") {
      this.deciding = false;
      out.push(...this.held);
      this.held = null;
      return;
    }
    if (this.held.length >= WRONG_FORMAT_LINES) this.refuse();
  }

  private refuse(): never {
    const start = this.firstText.slice(0, 40);
    const hint = start.startsWith("<")
      ? " It looks like XML."
      : start.includes(",") || start.includes("\t")
        ? " It looks like CSV."
        : "";
    throw new ImportFileError(
      "wrong_format",
      `The file is not JSON lines: it starts with "${start}" and none of its first lines is a JSON object.${hint} Check the import's format.`,
    );
  }
}

function parseLine(trimmed: string, row: number, text: string): JsonLine {
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return {
      row,
      ok: false,
      code: "invalid_json",
      message: `Line ${row} is not valid JSON: each line must be one JSON object, like {"id": "1"}.`,
      text,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
    return {
      row,
      ok: false,
      code: "not_an_object",
      message: `Line ${row} is ${kind}, not a JSON object like {"id": "1"}.`,
      text,
    };
  }
  return { row, ok: true, value: value as Record<string, unknown> };
}
