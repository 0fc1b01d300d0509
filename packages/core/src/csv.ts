import Papa from "papaparse";
import { ImportFileError } from "./issue-codes";
import type { Issue } from "./issues";

export interface CsvRecord {
  /** 1-based physical line where the record starts (line ends inside quoted fields count too). */
  row: number;
  fields: string[];
  /**
   * Structural problems of this record: errors (the record is invalid) and warnings (it is read,
   * and the user told how).
   */
  problems: {
    code: "unterminated_quote" | "invalid_quote" | "stray_quote";
    severity: "error" | "warning";
    message: string;
  }[];
}

export type CsvNewline = "\n" | "\r\n" | "\r";

/** A record handed on by writeEach/endEach: its fields, its row, its problems (a shared empty list when none). */
export type OnRecord = (fields: string[], row: number, problems: CsvRecord["problems"]) => void;

export interface CsvTokenizerOptions {
  delimiter?: string;
  quoteChar?: string;
  /** Physical line of the first record fed (default 1). */
  firstRow?: number;
  /** A longer record fails the file (default 16 Mi characters). */
  maxRecordChars?: number;
  /** More fields in a record fail the file (default 10,000). */
  maxColumns?: number;
  /**
   * The line end that ends records. By default the file's first line end outside quotes; a
   * chunk's reader passes the one of the file's header line, so that it reads as the whole file.
   */
  newline?: CsvNewline;
  /**
   * Google's TSV quoting instead of papaparse's: a quote opens a quoted field only when the
   * field is quoted as a whole (see wholeFieldClose); any other quote is text, with no problem.
   */
  wholeFieldQuotes?: boolean;
}

const DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;
const DEFAULT_MAX_COLUMNS = 10_000;
/**
 * Text is parsed this much at a time: the rows of a window are handed on and become garbage
 * before the next window is read, which keeps them in V8's young generation (parsing 1 MB at
 * once measured 2–3× slower, most of it in the garbage collector).
 */
const WINDOW_CHARS = 16 * 1024;

const LF = 10;
const CR = 13;

const UNTERMINATED = {
  code: "unterminated_quote",
  severity: "error",
  message: "A quoted field is never closed: the file ends inside it.",
} as const;
const MISPLACED = {
  code: "invalid_quote",
  severity: "error",
  message:
    'A quote is misplaced: a field with quotes in it must be enclosed in quotes as a whole, and each quote inside it doubled ("").',
} as const;
/**
 * A quote inside a field that does not start with one (`12" pizza`, `37°36'37.8"N`): read as text,
 * as papaparse, Excel and Python's csv read it; the user is told, in case it was meant to quote.
 */
const STRAY = {
  code: "stray_quote",
  severity: "warning",
  message:
    'A quote inside a field that does not start with a quote was read as text (like 12" pizza). If it was meant to quote the field, enclose the whole field in quotes and double each quote inside it ("").',
} as const;
/** Shared by the records without problems (nearly all); never changed. */
const NO_PROBLEMS: CsvRecord["problems"] = [];
Object.freeze(NO_PROBLEMS);

/**
 * Physical line ends in `text` between `from` and `to`: each CR, and each LF that does not follow
 * a CR (CRLF counts once, on its CR, also when a range ends between the two). `afterCR`: the
 * text follows a CR. Reads nothing past `to` (indexOf would read on to the next line end).
 */
export function countLineEnds(text: string, from = 0, to = text.length, afterCR = false): number {
  const part = from === 0 && to === text.length ? text : text.slice(from, to);
  const before = from === 0 ? afterCR : text.charCodeAt(from - 1) === CR;
  let n = 0;
  for (let i = part.indexOf("\r"); i !== -1; i = part.indexOf("\r", i + 1)) n++;
  for (let i = part.indexOf("\n"); i !== -1; i = part.indexOf("\n", i + 1)) {
    if (i === 0 ? !before : part.charCodeAt(i - 1) !== CR) n++;
  }
  return n;
}

/** A CRLF line end read as LF leaves its CR on the record's last field: drops it. */
function dropTrailingCR(records: string[][]): void {
  for (const fields of records) {
    const last = fields.length - 1;
    const value = fields[last] ?? "";
    if (value.charCodeAt(value.length - 1) === CR) fields[last] = value.slice(0, -1);
  }
}

/**
 * A record of only empty or whitespace fields (`,,,,` or `   `, quoted empty fields too), which
 * spreadsheets leave at the end of their exports: it carries no data, so the tokenizer skips it
 * like an empty line (it is no data record, and the next record's row is still its own line).
 * Cheap for the records with data: their first field with a character that is neither a space
 * nor a control character ends the check.
 */
export function isBlankRecord(fields: readonly string[]): boolean {
  for (const field of fields) {
    if (field.length === 0) continue;
    const c = field.charCodeAt(0);
    if ((c > 32 && c < 127) || field.trim() !== "") return false;
  }
  return true;
}

/** Whitespace papaparse allows between a closing quote and the delimiter or line end (it trims). */
const isSpace = (c: number) =>
  c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === LF || c === CR;

/**
 * The quoting rules of papaparse, which the splitter and the checks below follow too: a quote
 * opens a quoted field only at the field's start; inside, `""` is a quote, and a quote closes the
 * field only when whitespace and then the delimiter or the file's line end follow it, or when it
 * is the text's last character (any other quote is text). A quote inside an unquoted field is
 * text. Line-end characters that are not the file's line end count as whitespace there; while
 * the line end is not known (`newline` undefined), any CR or LF is taken for it.
 *
 * Answers where the quoted field opened at `open` closes (the index of its closing quote), -1 if
 * it is still open at the end of `text`, or -2 if that depends on text not seen yet.
 */
function closingQuote(
  text: string,
  open: number,
  quote: string,
  delimiter: number,
  newline: CsvNewline | undefined,
  final: boolean,
): number {
  const q = quote.charCodeAt(0);
  const length = text.length;
  for (let at = text.indexOf(quote, open + 1); at !== -1; at = text.indexOf(quote, at + 1)) {
    if (at + 1 >= length) return final ? at : -2;
    if (text.charCodeAt(at + 1) === q) {
      at++;
      continue;
    }
    for (let k = at + 1; ; k++) {
      // The end of the text after whitespace does not close the field (papaparse reads on).
      if (k >= length) {
        if (final) break;
        return -2;
      }
      const c = text.charCodeAt(k);
      if (c === delimiter) return at;
      if (c === LF || c === CR) {
        const end = lineEndAt(text, k, newline, final);
        if (end > 0) return at;
        // A CR ending unfinished text: while the line end is not known, it is one either way.
        if (end < 0) return newline === undefined ? at : -2;
      } else if (!isSpace(c)) {
        break;
      }
    }
  }
  return -1;
}

/**
 * The line end of a file: its first one outside quoted fields. `text` starts at a record's start;
 * undefined while the text seen does not tell yet (`final`: there is no more text).
 */
export function detectNewline(
  text: string,
  delimiter = ",",
  quote = '"',
  final = false,
): CsvNewline | undefined {
  const delim = delimiter.charCodeAt(0);
  const q = quote.charCodeAt(0);
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === q && fieldStart) {
      const close = closingQuote(text, i, quote, delim, undefined, final);
      if (close < 0) return undefined;
      i = close;
      fieldStart = false;
    } else if (c === LF) {
      return "\n";
    } else if (c === CR) {
      if (i + 1 >= text.length) return final ? "\r" : undefined;
      return text.charCodeAt(i + 1) === LF ? "\r\n" : "\r";
    } else {
      fieldStart = c === delim;
    }
  }
  return undefined;
}

/**
 * The length of the line end at `at` (2 for CRLF), 0 if there is none there, or -1 if that depends
 * on text not seen yet. While the file's line end is not known (`newline` undefined), a CR, an LF
 * or a CRLF is one.
 */
function lineEndAt(text: string, at: number, newline: CsvNewline | undefined, final: boolean): number {
  const c = text.charCodeAt(at);
  if (c === LF) return newline === undefined || newline === "\n" ? 1 : 0;
  if (c !== CR || newline === "\n") return 0;
  if (newline === "\r") return 1;
  if (at + 1 >= text.length) return final ? (newline === undefined ? 1 : 0) : -1;
  if (text.charCodeAt(at + 1) === LF) return 2;
  return newline === undefined ? 1 : 0;
}

/**
 * The quoting of Google's tab-separated feeds ("quoted fields" in Merchant Center), which are
 * plain text where `12" Teflon Frying Pan` is an ordinary value: a field is quoted only as a
 * whole. A quote at a field's start opens a quoted field when its closing quote, the first quote
 * after it that is not doubled (`""` is a quote of the value), is immediately followed by the
 * delimiter, the line end or the end of the file; the value is then the text between, delimiters
 * and line ends included. Any other quote is text: `"Best" pizza` is read as written, and a
 * field opening a quote that never closes takes no other line with it. No quote is a problem.
 *
 * Answers the closing quote of the field whose first character is the quote at `open`, -1 if
 * that quote is text, or -2 if that depends on text not seen yet.
 */
function wholeFieldClose(
  text: string,
  open: number,
  quote: string,
  delimiter: number,
  newline: CsvNewline | undefined,
  final: boolean,
): number {
  const q = quote.charCodeAt(0);
  const length = text.length;
  let at = text.indexOf(quote, open + 1);
  while (at !== -1 && at + 1 < length && text.charCodeAt(at + 1) === q) at = text.indexOf(quote, at + 2);
  if (at === -1) return final ? -1 : -2;
  // A quote ending the text seen may be the first of a doubled one.
  if (at + 1 >= length) return final ? at : -2;
  if (text.charCodeAt(at + 1) === delimiter) return at;
  const end = lineEndAt(text, at + 1, newline, final);
  return end > 0 ? at : end === 0 ? -1 : -2;
}

/** The line end that ends `line` (a header line as read from a file), if any. */
export function newlineAtEnd(line: string): CsvNewline | undefined {
  if (line.endsWith("\r\n")) return "\r\n";
  if (line.endsWith("\n")) return "\n";
  if (line.endsWith("\r")) return "\r";
  return undefined;
}

/**
 * Offsets of quotes inside unquoted fields in `text[0, end)`, which starts at a record's start.
 * papaparse reads such a quote as text without a word; it is reported as a stray_quote warning.
 * Jumps from quote to quote, so text without quotes costs one search.
 */
function strayQuotes(
  text: string,
  end: number,
  quote: string,
  delimiter: number,
  newline: CsvNewline,
  final: boolean,
): number[] {
  const out: number[] = [];
  const last = newline.charCodeAt(newline.length - 1);
  const atFieldStart = (i: number) => {
    if (i === 0) return true;
    const before = text.charCodeAt(i - 1);
    if (before === delimiter) return true;
    if (before !== last) return false;
    return newline.length === 1 || text.charCodeAt(i - 2) === CR;
  };
  for (let at = text.indexOf(quote); at !== -1 && at < end; ) {
    if (atFieldStart(at)) {
      const close = closingQuote(text, at, quote, delimiter, newline, final);
      if (close < 0) break;
      at = text.indexOf(quote, close + 1);
    } else {
      out.push(at);
      at = text.indexOf(quote, at + 1);
    }
  }
  return out;
}

/**
 * A closing quote's whitespace holding a line-end character that is not (the start of) the
 * file's line end: papaparse drops it with the whitespace, so it is in no field.
 */
const DROPPED_LINE_END: Record<CsvNewline, RegExp> = {
  "\n": /"[ \t\v\f\u00a0\ufeff]*\r(?!\n)/,
  "\r": /"[ \t\v\f\u00a0\ufeff]*\n/,
  "\r\n": /"[ \t\v\f\u00a0\ufeff]*(?:\r(?!\n)|\n)/,
};

/**
 * The issues of a record's structure: its quoting problems, and a field count other than the
 * header's (`width`). Pushed onto `into` (item null: the reader sets it), which is returned.
 */
export function structureIssues(
  record: Pick<CsvRecord, "row" | "fields" | "problems">,
  width: number,
  into: Issue[] = [],
): Issue[] {
  const { row, fields, problems } = record;
  for (const problem of problems) {
    into.push({
      row,
      item: null,
      field: null,
      code: problem.code,
      severity: problem.severity,
      message: problem.message,
      value: null,
    });
  }
  const count = fields.length;
  if (count !== width) {
    into.push({
      row,
      item: null,
      field: null,
      code: count > width ? "too_many_fields" : "too_few_fields",
      severity: "error",
      message: `Line ${row} has ${count} field${count === 1 ? "" : "s"}; the header has ${width}.`,
      value: null,
    });
  }
  return into;
}

interface PapaResult {
  data: string[][];
  errors: { code: string; row: number }[];
  meta: { cursor: number };
}

/**
 * Incremental CSV tokenizer over papaparse. papaparse cannot read a web stream, so text is fed
 * as it is decoded; a record cut at the edge of a write (inside a quoted field too) waits for
 * the next one. Only the unfinished record is kept between writes.
 */
export class CsvTokenizer {
  private buffer = "";
  private row: number;
  private lineEnd: CsvNewline | undefined;
  private parser: Papa.Parser | undefined;
  /** Buffer length at the last parse that found no complete record (to avoid rescanning). */
  private stalledAt = -1;
  /** The text read so far ends with a CR (an LF starting the buffer is its CRLF's). */
  private afterCR = false;
  private readonly delimiter: string;
  private readonly quoteChar: string;
  private readonly maxRecordChars: number;
  private readonly maxColumns: number;
  private readonly wholeFieldQuotes: boolean;

  constructor(options: CsvTokenizerOptions = {}) {
    this.delimiter = options.delimiter ?? ",";
    this.quoteChar = options.quoteChar ?? '"';
    this.row = options.firstRow ?? 1;
    this.maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
    this.maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
    this.lineEnd = options.newline;
    this.wholeFieldQuotes = options.wholeFieldQuotes ?? false;
  }

  /** The line end records end with, once known. */
  get newline(): CsvNewline | undefined {
    return this.lineEnd;
  }

  /** Completed records in this text; a record cut at the edge (including inside a quoted field) carries over. */
  write(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.writeEach(text, (fields, row, problems) => out.push({ row, fields, problems }));
    return out;
  }

  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.endEach((fields, row, problems) => out.push({ row, fields, problems }));
    return out;
  }

  /**
   * Like write, handing each record on as soon as it is read, as its parts: a reader that turns
   * records into items straight away keeps no record longer than a window, and makes no record
   * objects.
   */
  writeEach(text: string, onRecord: OnRecord): void {
    let from = 0;
    while (from < text.length) {
      // A record longer than a window doubles the next one, so no text is scanned more than
      // about twice however long its record.
      const room = Math.max(WINDOW_CHARS, this.buffer.length);
      const piece = from === 0 && text.length <= room ? text : text.slice(from, from + room);
      from += piece.length;
      this.buffer = this.buffer.length === 0 ? piece : this.buffer + piece;
      // A record still open after the last parse is only parsed again once the buffer has doubled.
      const waiting = this.stalledAt >= 0 && this.buffer.length < this.stalledAt * 2;
      if (!waiting) this.parse(false, onRecord);
      if (this.buffer.length > this.maxRecordChars) {
        if (waiting) this.parse(false, onRecord);
        if (this.buffer.length > this.maxRecordChars) {
          throw new ImportFileError(
            "record_too_large",
            `The record starting on line ${this.row} is over ${this.maxRecordChars.toLocaleString("en")} characters: is a quote left open?`,
          );
        }
      }
    }
  }

  endEach(onRecord: OnRecord): void {
    if (this.buffer.length === 0) return;
    this.parse(true, onRecord);
  }

  /**
   * The line ends inside each record of `data` (null when there are none): each record ends with
   * one line end, except the last row of the text, so when the consumed text has no more than
   * that, no record spans lines. Else the line ends inside the fields are counted, unless
   * papaparse dropped some with the whitespace after a closing quote, or (CR line ends) an LF at
   * a record's start makes a CRLF with the CR before it: then a second pass finds each record's
   * text.
   */
  private linesInside(
    text: string,
    consumed: number,
    data: string[][],
    final: boolean,
    newline: CsvNewline,
  ): number[] | null {
    const terminated = final ? data.length - 1 : data.length;
    const total = countLineEnds(text, 0, consumed, this.afterCR);
    if (total === terminated) return null;
    const read = text.slice(0, consumed);
    const fieldsTell = !DROPPED_LINE_END[newline].test(read) && !(newline === "\r" && read.includes("\r\n"));
    if (fieldsTell) {
      const lines = data.map((fields) => {
        let n = 0;
        for (const field of fields)
          if (field.includes("\n") || field.includes("\r")) n += countLineEnds(field);
        return n;
      });
      if (lines.reduce((sum, n) => sum + n, terminated) === total) return lines;
    }
    const ends: number[] = [];
    new Papa.Parser({
      delimiter: this.delimiter,
      quoteChar: this.quoteChar,
      newline,
      step: (result: { meta: { cursor: number } }) => {
        ends.push(result.meta.cursor);
      },
    }).parse(read, 0, false);
    return data.map((_, i) => {
      const start = i === 0 ? 0 : (ends[i - 1] ?? consumed);
      const end = i < terminated ? (ends[i] ?? consumed) : consumed;
      return this.linesWithin(text, start, end, i < terminated);
    });
  }

  /** The line ends inside the record `text[from, to)`: those there, less the one ending it if `terminated`. */
  private linesWithin(text: string, from: number, to: number, terminated: boolean): number {
    return countLineEnds(text, from, to, this.afterCR) - (terminated ? 1 : 0);
  }

  /**
   * Hands on the records read from the buffer's first `consumed` characters, with the line ends
   * inside each (`lines`, null when none) and their problems, and keeps the rest of the buffer.
   */
  private emit(
    text: string,
    records: string[][],
    lines: number[] | null,
    problems: Map<number, CsvRecord["problems"]> | null,
    consumed: number,
    final: boolean,
    onRecord: OnRecord,
  ): void {
    for (let i = 0; i < records.length; i++) {
      const fields = records[i] ?? [];
      if (fields.length > this.maxColumns) {
        throw new ImportFileError(
          "too_many_columns",
          `Line ${this.row} has ${fields.length.toLocaleString("en")} fields; at most ${this.maxColumns.toLocaleString("en")} are read.`,
        );
      }
      const row = this.row;
      // A record spans its own line plus the line ends inside it; the line end after it moves
      // to the next record.
      this.row += (lines?.[i] ?? 0) + 1;
      const recordProblems = problems?.get(i) ?? NO_PROBLEMS;
      // An empty line, or a record of empty fields; one with a quoting problem is reported.
      if (recordProblems.length === 0 && isBlankRecord(fields)) continue;
      onRecord(fields, row, recordProblems);
    }
    this.buffer = final ? "" : text.slice(consumed);
    this.afterCR = text.charCodeAt(consumed - 1) === CR;
    this.stalledAt = -1;
  }

  private parse(final: boolean, onRecord: OnRecord): void {
    if (this.wholeFieldQuotes) {
      this.parseWholeFields(final, onRecord);
      return;
    }
    const text = this.buffer;
    const delimiter = this.delimiter.charCodeAt(0);
    if (!this.lineEnd) this.lineEnd = detectNewline(text, this.delimiter, this.quoteChar, final);
    const newline = this.lineEnd ?? "\n";
    if (!this.lineEnd && !final) {
      // No line end outside quotes yet: no record is complete.
      this.stalledAt = text.length;
      return;
    }
    if (!this.parser) {
      this.parser = new Papa.Parser({ delimiter: this.delimiter, quoteChar: this.quoteChar, newline });
    }
    const parsed = this.parser.parse(text, 0, !final) as PapaResult;
    const data = parsed.data;
    const consumed = final ? text.length : parsed.meta.cursor;
    if (data.length === 0) {
      this.stalledAt = text.length;
      return;
    }

    // Made for the first problem only: nearly every window has none.
    let problems = null as Map<number, CsvRecord["problems"]> | null;
    const addProblem = (index: number, problem: CsvRecord["problems"][number]) => {
      problems ??= new Map();
      const list = problems.get(index) ?? [];
      if (!list.some((p) => p.code === problem.code)) list.push(problem);
      problems.set(index, list);
    };
    for (const error of parsed.errors) {
      if (error.code === "MissingQuotes") addProblem(error.row, UNTERMINATED);
      else if (error.code === "InvalidQuotes") addProblem(error.row, MISPLACED);
    }
    if (text.includes(this.quoteChar)) {
      const strays = strayQuotes(text, consumed, this.quoteChar, delimiter, newline, final);
      if (strays.length > 0) {
        // Rare: which records hold them takes a second pass that notes where each record ends.
        const ends: number[] = [];
        new Papa.Parser({
          delimiter: this.delimiter,
          quoteChar: this.quoteChar,
          newline,
          step: (result: { meta: { cursor: number } }) => {
            ends.push(result.meta.cursor);
          },
        }).parse(text.slice(0, consumed), 0, false);
        let record = 0;
        for (const at of strays) {
          while (record < ends.length - 1 && (ends[record] ?? 0) <= at) record++;
          addProblem(record, STRAY);
        }
      }
    }

    // Before linesInside, which counts the line ends in the fields.
    if (newline === "\n") dropTrailingCR(data);
    this.emit(
      text,
      data,
      this.linesInside(text, consumed, data, final, newline),
      problems,
      consumed,
      final,
      onRecord,
    );
  }

  /**
   * Reads the buffer's complete records with Google's TSV quoting (see wholeFieldClose), without
   * papaparse: a record whose quoted field may close beyond the text seen waits for more.
   */
  private parseWholeFields(final: boolean, onRecord: OnRecord): void {
    const text = this.buffer;
    const length = text.length;
    const quote = this.quoteChar;
    const delimiter = this.delimiter;
    const d = delimiter.charCodeAt(0);
    const records: string[][] = [];
    /** Where each record's text ends, its line end included. */
    const ends: number[] = [];
    let terminated = 0;
    let start = 0;
    /** The first quote at or after the field being read (-1: none in the text). */
    let nextQuote = text.indexOf(quote);
    read: while (start < length) {
      const newline = this.lineEnd;
      let fields: string[] = [];
      let at = start;
      /** The record's line end: where it starts (the text's end if none), and its length. */
      let lineEnd = -1;
      let lineEndLength = 0;
      for (;;) {
        if (nextQuote !== -1 && nextQuote < at) nextQuote = text.indexOf(quote, at);
        if (nextQuote === at) {
          const close = wholeFieldClose(text, at, quote, d, newline, final);
          if (close === -2) break read;
          if (close >= 0) {
            const value = text.slice(at + 1, close);
            fields.push(value.includes(quote) ? value.replaceAll(quote + quote, quote) : value);
            at = close + 1;
            if (at < length && text.charCodeAt(at) === d) {
              at++;
              continue;
            }
            lineEnd = at;
            lineEndLength = at < length ? lineEndAt(text, at, newline, final) : 0;
            break;
          }
        }
        if (lineEnd < at) {
          // Unquoted, the field ends at the delimiter or the record's line end.
          if (newline === undefined) {
            const lf = text.indexOf("\n", at);
            const cr = text.indexOf("\r", at);
            lineEnd = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
          } else {
            lineEnd = text.indexOf(newline, at);
          }
          if (lineEnd === -1) {
            if (!final) break read;
            lineEnd = length;
            lineEndLength = 0;
          } else {
            lineEndLength = lineEndAt(text, lineEnd, newline, final);
            if (lineEndLength < 0) break read;
          }
        }
        if (nextQuote === -1 || nextQuote >= lineEnd) {
          // No quote in the rest of the record: its other fields are plain text.
          const rest = text.slice(at, lineEnd);
          if (fields.length === 0) fields = rest.split(delimiter);
          else for (const field of rest.split(delimiter)) fields.push(field);
          break;
        }
        const tab = text.indexOf(delimiter, at);
        if (tab !== -1 && tab < lineEnd) {
          fields.push(text.slice(at, tab));
          at = tab + 1;
          continue;
        }
        fields.push(text.slice(at, lineEnd));
        break;
      }
      if (lineEndLength > 0) {
        terminated++;
        if (this.lineEnd === undefined) {
          this.lineEnd = lineEndLength === 2 ? "\r\n" : text.charCodeAt(lineEnd) === LF ? "\n" : "\r";
        }
      }
      records.push(fields);
      start = lineEnd + lineEndLength;
      ends.push(start);
    }
    if (records.length === 0) {
      this.stalledAt = length;
      return;
    }
    const consumed = start;
    if (this.lineEnd === "\n") dropTrailingCR(records);
    // Each record spans one line unless line ends are inside its fields (rare): then they are counted.
    const lines =
      countLineEnds(text, 0, consumed, this.afterCR) === terminated
        ? null
        : records.map((_, i) =>
            this.linesWithin(text, ends[i - 1] ?? 0, ends[i] ?? consumed, i < terminated),
          );
    this.emit(text, records, lines, null, consumed, final, onRecord);
  }
}
