import { ImportFileError } from "./issue-codes";
import type { Issue } from "./issues";

/**
 * JSON lines, read incrementally: one JSON object per line (LF, CRLF or CR), blank lines
 * skipped. A line that is no JSON is an `invalid_json` problem of that line, a line holding
 * another JSON value (an array, a number) a `not_an_object` problem; the rest goes on.
 *
 * A file that is clearly not JSON lines is refused as a whole (wrong_format): its first
 * non-blank line cannot start any JSON value (CSV, XML...) and none of its first lines parse.
 * Those lines are held back until a line parses (then they become problems as usual), so
 * memory stays bounded by WRONG_FORMAT_LINES lines.
 *
 * JSON numbers are read as doubles: whole numbers are exact up to 2^53 − 1, and a number beyond
 * about ±1.8e308 reads as Infinity (which JSON writes back as null). A line keeps its text so
 * that such a number can be reported as written (see numberAsWritten).
 */
export type JsonLine =
  | { row: number; ok: true; value: Record<string, unknown>; text: string }
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
  return { row, ok: true, value: value as Record<string, unknown>, text };
}

/**
 * The text a number has in a JSON line, like "12345678901234567890" for the double it reads as
 * (12345678901234567000); a top-level `field` holding it is preferred over another place. The
 * number as parsed when the line has no such number (a transformation made it) or the runtime
 * gives no source text (JSON.parse source text access).
 */
export function numberAsWritten(line: string, value: number, field?: string): string {
  const found: { holder: unknown; key: string; source: string }[] = [];
  let root: unknown;
  try {
    root = JSON.parse(
      line,
      function (this: unknown, key: string, parsed: unknown, context?: { source?: string }) {
        if (typeof parsed === "number" && Object.is(parsed, value) && context?.source !== undefined)
          found.push({ holder: this, key, source: context.source });
        return parsed;
      },
    );
  } catch {
    return String(value);
  }
  const match = found.find((at) => at.holder === root && at.key === field) ?? found[0];
  return match?.source ?? String(value);
}

/**
 * The problem of a JSON number given as an id that is not a safe whole number: beyond 2^53 − 1
 * JSON.parse has already changed its digits (another user, another product), beyond ±1.8e308
 * it is Infinity, and a fraction is not the id as written ("1.10" reads 1.1). The id is then
 * the number as written (`line`: the JSON line), for the issue and the item's key.
 */
export function numericIdProblem(
  field: string,
  value: number,
  line?: string,
): { written: string; message: string } {
  const written = line === undefined ? String(value) : numberAsWritten(line, value, field);
  const why = !Number.isFinite(value)
    ? "beyond the numbers JSON can hold"
    : Number.isInteger(value)
      ? `larger than ${Number.MAX_SAFE_INTEGER}, the largest whole number JSON keeps exactly, so its digits would change`
      : "not a whole number";
  return {
    written,
    message: `"${field}" is the number ${written}, ${why}: write the id in quotes, as "${written}".`,
  };
}

/** A number as JSON.parse read it and as the line wrote it. */
class WrittenNumber {
  constructor(
    readonly value: number,
    readonly source: string,
  ) {}
}

const isInfinite = (leaf: unknown) =>
  leaf instanceof WrittenNumber || (typeof leaf === "number" && !Number.isFinite(leaf));

/**
 * Calls `found` for each leaf of a parsed JSON value that `test` accepts, with its path (`a.b[2]`)
 * and, at the top level, its field. Breadth first, without recursion (JSON.parse reads any
 * depth); paths are made only for nested containers and leaves found, as most are neither.
 */
function findLeaves(
  root: unknown,
  test: (leaf: unknown) => boolean,
  found: (leaf: unknown, path: string, field: string | undefined) => void,
): void {
  const queue: [unknown, string][] = [[root, ""]];
  for (let i = 0; i < queue.length; i++) {
    const [container, path] = queue[i] ?? [null, ""];
    if (Array.isArray(container)) {
      for (let index = 0; index < container.length; index++) {
        const child: unknown = container[index];
        if (test(child)) found(child, `${path}[${index}]`, undefined);
        else if (typeof child === "object" && child !== null) queue.push([child, `${path}[${index}]`]);
      }
    } else if (typeof container === "object" && container !== null) {
      const fields = container as Record<string, unknown>;
      for (const key in fields) {
        const child = fields[key];
        const at = i === 0 ? key : `${path}.${key}`;
        if (test(child)) found(child, at, i === 0 ? key : undefined);
        else if (typeof child === "object" && child !== null) queue.push([child, at]);
      }
    }
  }
}

const MAYBE_INFINITE = /[eE][+]?\d{3}|\d{309}/;

/**
 * An invalid_number issue for each number of a JSON line's object that reads as ±Infinity
 * (beyond about ±1.8e308): kept, it would be stored as null. Fields are named by their path
 * (`a.b[2]`) and values shown as written; the top-level `skip` (the id, checked on its own) is
 * left out.
 */
export function infiniteNumberIssues(
  value: Record<string, unknown>,
  line: string,
  row: number,
  skip?: string,
): Issue[] {
  // Only a number with an exponent of three digits or some 309 digits can read as Infinity: most
  // lines are passed by this scan of their text alone, without walking their values.
  if (!MAYBE_INFINITE.test(line)) return [];
  let any = false;
  findLeaves(value, isInfinite, (_leaf, _path, field) => {
    if (field === undefined || field !== skip) any = true;
  });
  if (!any) return [];
  // Rare: the line is read again, each such number kept with its text where it stands.
  let written: unknown = value;
  try {
    written = JSON.parse(line, (_key: string, parsed: unknown, context?: { source?: string }) =>
      typeof parsed === "number" && !Number.isFinite(parsed)
        ? new WrittenNumber(parsed, context?.source ?? String(parsed))
        : parsed,
    );
  } catch {
    // The line parsed once: it parses again. Without it, numbers are shown as parsed.
  }
  const issues: Issue[] = [];
  findLeaves(written, isInfinite, (leaf, path, field) => {
    if (field !== undefined && field === skip) return;
    const shown = leaf instanceof WrittenNumber ? leaf.source : String(leaf);
    issues.push({
      row,
      item: null,
      field: path,
      code: "invalid_number",
      severity: "error",
      message: `"${path}" is ${shown}, beyond the numbers JSON can hold (about ±1.8e308), and would be stored as null: write it in quotes to keep it as text.`,
      value: shown,
    });
  });
  return issues;
}
