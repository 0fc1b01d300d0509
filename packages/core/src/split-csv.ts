import type { Encoding, Transformation, ValueTransform } from "./config";
import { type CsvNewline, CsvTokenizer } from "./csv";
import type { ChunkPlan, Splitter } from "./engine";
import { ImportFileError } from "./issue-codes";
import { compileValueTransforms, replayColumns } from "./transform/index";

export interface CsvSplitterOptions {
  targetChunkBytes: number;
  delimiter?: string;
  quoteChar?: string;
  /**
   * Rows with the same value here (or an empty one) stay in one chunk: an order's rows. The name
   * is the field's after `transformations`, which the readers run before grouping rows.
   */
  groupColumn?: string;
  /** The import's transformations: they decide which column becomes `groupColumn` (see groupSource). */
  transformations?: readonly Transformation[];
  encoding?: Encoding;
  /** A record is read for its group value up to this size (default 16 MiB); after a longer one, no cut. */
  maxRecordBytes?: number;
  /**
   * A record (the header too) longer than this many bytes fails the file (record_too_large,
   * naming its line) while the file is split, before any chunk is imported. No limit by default.
   */
  failRecordBytes?: number;
  /** Google TSV's quoting (wholeFieldQuotes of the tokenizer): as the google_tsv reader reads. */
  wholeFieldQuotes?: boolean;
}

/**
 * Where the values of the group field `field` come from once `transformations` have run on a file
 * with this header, followed as the readers' column plan moves values (forHeader in transform/):
 * - `{ column, values }`: the cell of `column` as written, through each list of value
 *   transformations of the renames and copies on its way, in turn;
 * - "constant": an `add` sets it (or a value copied from one): every row has the same value;
 * - "absent": there is no such field after the transformations (deleted, or never there).
 * A transformation naming a field the header lacks does nothing, as in the readers: that is why
 * the names are followed forward from the header rather than back from the field.
 */
export type GroupSource = { column: number; values: ValueTransform[][] } | "constant" | "absent";

export function groupSource(
  header: readonly string[],
  field: string,
  transformations: readonly Transformation[],
): GroupSource {
  const { names, moves } = replayColumns(header, transformations);
  const sources: GroupSource[] = header.map((_, column) => ({ column, values: [] }));
  for (const move of moves) {
    if (move.kind === "set") {
      sources[move.to] = "constant";
      continue;
    }
    const source = sources[move.from] ?? "absent";
    const values = move.op.values ?? [];
    sources[move.to] =
      typeof source === "object" && values.length > 0
        ? { column: source.column, values: [...source.values, values] }
        : source;
  }
  return sources[names.indexOf(field)] ?? "absent";
}

/**
 * A row's group value (its order id) as text: trimmed, and "" for none (a continuation row). The
 * order formats' groupKey and the splitter read it alike.
 */
export function groupKeyText(value: unknown): string {
  if (typeof value === "string") return value.trim();
  return value === undefined || value === null ? "" : String(value);
}

const LF = 10;
const CR = 13;
const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Where the scan stands in the quoting rules of papaparse (see closingQuote in csv.ts). */
const State = {
  /** At the start of a field. */
  FieldStart: 0,
  /** Inside an unquoted field: quotes are text. */
  Unquoted: 1,
  /** Inside a quoted field. */
  Quoted: 2,
  /** Just after a quote inside a quoted field: a doubled quote, the closing quote, or text. */
  QuoteSeen: 3,
  /** After a possible closing quote and whitespace: closed if the delimiter or the line end follows. */
  SpacesAfterQuote: 4,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * Cuts a CSV file into chunks of about `targetChunkBytes`, scanning its raw bytes: only between
 * records, never inside a quoted field, and never between two rows of one group. Records end
 * where the reader's tokenizer (papaparse) ends them: at the file's line end (that of the header
 * line) outside quoted fields, with papaparse's rules for what opens and closes a quoted field.
 * Lines are counted as the reader counts them (CRLF, LF and CR each end one), for each chunk's
 * firstRow.
 *
 * In UTF-8, ISO-8859-1 and Windows-1252 the quote, the delimiter and the line ends are single
 * bytes that never occur inside a multi-byte character; UTF-16 is scanned by 16-bit code units,
 * where they are single units. Only the record being read for its group value is kept.
 */
export function createCsvSplitter(options: CsvSplitterOptions): Splitter {
  const quote = (options.quoteChar ?? '"').charCodeAt(0);
  const delimiterText = options.delimiter ?? ",";
  const delimiter = delimiterText.charCodeAt(0);
  const encoding = options.encoding ?? "utf-8";
  const utf16 = encoding === "utf-16le" || encoding === "utf-16be";
  const bigEndian = encoding === "utf-16be";
  const unitBytes = utf16 ? 2 : 1;
  const target = Math.max(1, options.targetChunkBytes);
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const failRecordBytes = options.failRecordBytes ?? Number.POSITIVE_INFINITY;
  const wholeField = options.wholeFieldQuotes ?? false;
  const checkRecordSize = (end: number) => {
    if (end - recordStart > failRecordBytes)
      throw new ImportFileError(
        "record_too_large",
        `The record starting on line ${recordRow} is over ${failRecordBytes.toLocaleString("en")} bytes: is a quote left open?`,
      );
  };
  const chunks: ChunkPlan[] = [];

  /** Absolute byte offset of the next byte written. */
  let offset = 0;
  /** Physical line of the unit being read. */
  let line = 1;
  /** The unit before the one being read: a CR before an LF makes one line end with it. */
  let previous = -1;
  let state: State = State.FieldStart;
  /** The file's line end, from its header line; until then a CR or LF ends the header. */
  let newline: CsvNewline | undefined;
  /** The header line ended with a CR: the next unit tells CRLF from CR. */
  let headerCR = false;
  /** A CR outside quotes in a CRLF file: the record's end if LF follows, text otherwise. */
  let crPending = false;
  let stateBeforeCR: State = State.FieldStart;
  /** A record ended with a CR in a file of CR line ends: whether an LF follows is seen next. */
  let crEnd = -1;
  /** The first byte of a UTF-16 unit cut at the end of a write. */
  let oddByte = -1;
  /** The last byte of the previous write. */
  let lastByte = -1;

  let prologueEnd = -1;
  /** The column read for each row's group value; -1 to cut between any two records. */
  let groupIndex = -1;
  /** The value transformations the group value goes through, in turn. */
  let groupSteps: ((value: unknown) => unknown)[] = [];
  /** Every row is of one group: no cut at all. */
  let oneGroup = false;
  let chunkStart = 0;
  let chunkRow = 1;
  let recordStart = 0;
  let recordRow = 1;
  let recordStartCuttable = true;
  /** Units of the record being read (the header, or a record past the target for its group). */
  let captured: number[] | null = [];
  let capturedTooLong = false;
  /** The group of the record before; "" when not known. */
  let lastKey = "";
  /**
   * Google TSV, inside a quoted field: the last run of quotes read is the one of its opening
   * quote; else whether that run starts a field to the reader (`boundaryAt`, the offset of the
   * last delimiter or line end read, is just before it). See textQuote.
   */
  let runIsOpener = false;
  let runAtFieldStart = false;
  let boundaryAt = -1;
  /**
   * Google TSV, a quoted field of the header line that holds a line end: where the header ends
   * if its opening quote turns out to be text (`end`, and `line` and `kept` then), and the line
   * end the file then has if not known yet. `headerEndCR`: that line end is a CR, which the next
   * unit makes a CRLF if it is an LF.
   */
  let headerEnd: { end: number; line: number; kept: number } | null = null;
  let headerNewline: CsvNewline | undefined;
  let headerEndCR = false;

  /** Whitespace papaparse allows between a closing quote and the delimiter or line end. */
  const isSpace = (u: number) =>
    u === 32 ||
    u === 9 ||
    u === 11 ||
    u === 12 ||
    (u === 0xa0 && encoding !== "utf-8") ||
    (u === 0xfeff && utf16) ||
    // papaparse trims that text, so a line-end character that is not the file's line end counts.
    (u === CR && newline === "\n") ||
    (u === LF && newline !== undefined && newline !== "\n");

  const fieldsOf = (units: number[]): string[] => {
    const tokenizer = new CsvTokenizer({
      delimiter: delimiterText,
      newline,
      maxColumns: Number.MAX_SAFE_INTEGER,
      wholeFieldQuotes: wholeField,
    });
    const text = textOf(units, encoding);
    return [...tokenizer.write(text), ...tokenizer.end()][0]?.fields ?? [];
  };

  const cut = (at: number, row: number) => {
    if (at > chunkStart) chunks.push({ start: chunkStart, end: at, firstRow: chunkRow });
    chunkStart = at;
    chunkRow = row;
  };

  /**
   * A record (the header first) ends at byte `end`; the next one starts on line `line`. A chunk
   * may start there unless `cuttable` is false: after a CR followed by an LF (in a file of CR
   * line ends), which a chunk's reader would count as a line of its own.
   */
  const recordEnded = (end: number, cuttable = true) => {
    checkRecordSize(end);
    if (prologueEnd < 0) {
      const names = captured && !capturedTooLong ? fieldsOf(captured) : [];
      if (captured && !capturedTooLong && names.length === 0) {
        // An empty line or a record of empty fields before the header, which the readers skip:
        // the prologue goes on to the header, so that a chunk's reader finds it there.
        recordStart = end;
        recordRow = line;
        captured = [];
        state = State.FieldStart;
        return;
      }
      prologueEnd = end;
      const source = options.groupColumn
        ? groupSource(
            names.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, "") : name)),
            options.groupColumn,
            options.transformations ?? [],
          )
        : "absent";
      // "constant": a non-empty value is one order to the readers, and an empty one continues the
      // first row's order, so the whole file is one order; cut, it would read as several orders
      // of one id (each chunk is read on its own). It stays one chunk, however large.
      // "absent": the formats that group rows require the field, so their readers refuse the
      // header (missing_columns) and read no order at all: any cut is as good as another.
      oneGroup = source === "constant";
      groupIndex = typeof source === "object" ? source.column : -1;
      groupSteps = typeof source === "object" ? source.values.map(compileValueTransforms) : [];
      chunkStart = end;
      chunkRow = line;
    } else if (oneGroup) {
      // No cut.
    } else if (groupIndex < 0) {
      if (cuttable && end - chunkStart >= target) cut(end, line);
    } else if (captured && !capturedTooLong) {
      // Past the target, each record is read for its group: the cut goes before the first one
      // that starts another group than the record before it (an empty value continues it).
      const fields = fieldsOf(captured);
      const cell = fields[groupIndex];
      if (cell !== undefined) {
        const key = groupKeyText(groupSteps.reduce<unknown>((value, step) => step(value), cell));
        if (key !== "" && lastKey !== "" && key !== lastKey && recordStartCuttable)
          cut(recordStart, recordRow);
        if (key !== "") lastKey = key;
      } else if (fields.length > 0) {
        // A short row (not an empty line, which the readers skip): they move no value out of a
        // missing cell, so after a rename or copy onto a column of the header the row keeps that
        // column's value, not read here. Its group is not known: no cut before the next record.
        lastKey = "";
      }
    } else {
      lastKey = "";
    }
    recordStart = end;
    recordRow = line;
    recordStartCuttable = cuttable;
    captured = groupIndex >= 0 && end - chunkStart >= target ? [] : null;
    capturedTooLong = false;
    state = State.FieldStart;
  };

  const keep = (u: number) => {
    if (!captured) return;
    if (captured.length * unitBytes < maxRecordBytes) captured.push(u);
    else capturedTooLong = true;
  };

  /** Whether `u` ends a record to the reader when outside quotes (the header's: any CR or LF). */
  const readerLineEnd = (u: number) => {
    const ends = newline ?? headerNewline;
    return ends === "\n"
      ? u === LF
      : ends === "\r"
        ? u === CR
        : ends === "\r\n"
          ? u === LF && previous === CR
          : u === LF || u === CR;
  };

  const countLine = (u: number) => {
    if ((u === LF && previous !== CR) || u === CR) line++;
  };

  /** Whether `u`, outside a quoted field, ends the record or the header line. */
  const endsRecord = (u: number, next: number): boolean => {
    if (newline === undefined) {
      if (u === LF) {
        newline = "\n";
        recordEnded(next);
        return true;
      }
      if (u === CR) headerCR = true;
      return u === CR;
    }
    if (newline === "\r\n") {
      if (u !== CR) return false;
      stateBeforeCR = state;
      crPending = true;
      return true;
    }
    if (newline === "\n") {
      if (u !== LF) return false;
      recordEnded(next);
      return true;
    }
    if (u !== CR) return false;
    crEnd = next;
    state = State.FieldStart;
    return true;
  };

  /**
   * Google TSV: the quote just read is text, as a character other than the delimiter or the line
   * end follows it, so the field whose opening quote it would close was never quoted: to the
   * reader, its quotes, delimiters and line ends since were text and field and record ends
   * (wholeFieldClose in csv.ts). The record ends missed meanwhile only cost cuts. Where the reader
   * stands now: every quote since the opening one was doubled, so each other run of quotes at a
   * field start was an even one, which the reader closes or reads as text within the run; only
   * this quote's run may open a field that goes on, when it starts a field (its first quote
   * opens, the others are doubled). Else this quote is text of an unquoted field.
   */
  const textQuote = (): State => {
    if (headerEnd) {
      // The header line ended at the first line end since the opening quote.
      const { end, line: after, kept } = headerEnd;
      headerEnd = null;
      newline ??= headerNewline;
      const current = line;
      line = after;
      if (captured) captured.length = Math.min(captured.length, kept);
      recordEnded(end);
      line = current;
    }
    if (runIsOpener || !runAtFieldStart) return State.Unquoted;
    runIsOpener = true;
    return State.Quoted;
  };

  /** One unit (byte, or UTF-16 code unit) at byte offset `at`. */
  const unit = (u: number, at: number) => {
    const next = at + unitBytes;
    if (crEnd >= 0) {
      const end = crEnd;
      crEnd = -1;
      recordEnded(end, u !== LF);
    }
    if (headerCR) {
      headerCR = false;
      if (u === LF) {
        newline = "\r\n";
        countLine(u);
        keep(u);
        recordEnded(next);
        return;
      }
      newline = "\r";
      recordEnded(at);
    } else if (crPending) {
      crPending = false;
      if (u === LF) {
        countLine(u);
        keep(u);
        recordEnded(next);
        return;
      }
      // A CR alone in a CRLF file is text of its field, or whitespace after a closing quote
      // (Google TSV: text after a quote that closes nothing).
      state =
        stateBeforeCR === State.FieldStart || stateBeforeCR === State.Unquoted
          ? State.Unquoted
          : wholeField
            ? textQuote()
            : State.SpacesAfterQuote;
    }
    countLine(u);
    keep(u);
    if (headerEndCR) {
      headerEndCR = false;
      if (u === LF) {
        headerNewline = "\r\n";
        headerEnd = { end: next, line, kept: captured?.length ?? 0 };
      }
    }
    switch (state) {
      case State.FieldStart:
        if (u === delimiter) return;
        if (u === quote) {
          state = State.Quoted;
          runIsOpener = true;
          headerEnd = null;
          headerNewline = undefined;
        } else if (!endsRecord(u, next)) state = State.Unquoted;
        return;
      case State.Unquoted:
        if (u === delimiter) state = State.FieldStart;
        else endsRecord(u, next);
        return;
      case State.Quoted:
        if (u === quote) {
          state = State.QuoteSeen;
          if (wholeField && previous !== quote) {
            runIsOpener = false;
            runAtFieldStart = boundaryAt === at - unitBytes;
          }
        } else if (wholeField && (u === delimiter || readerLineEnd(u))) {
          boundaryAt = at;
          if (prologueEnd < 0 && !headerEnd && u !== delimiter) {
            // The header's first line end since its opening quote (while the file's line end is
            // not known, the next unit tells a CR from a CRLF).
            headerEnd = { end: next, line, kept: captured?.length ?? 0 };
            if (newline === undefined) {
              headerNewline = u === LF ? "\n" : "\r";
              headerEndCR = u === CR;
            }
          }
        }
        return;
      case State.QuoteSeen:
      case State.SpacesAfterQuote:
        if (u === quote) state = state === State.QuoteSeen ? State.Quoted : State.QuoteSeen;
        else if (u === delimiter) state = State.FieldStart;
        else if (endsRecord(u, next)) return;
        else if (wholeField) state = textQuote();
        else state = isSpace(u) ? State.SpacesAfterQuote : State.Quoted;
        return;
    }
  };

  return {
    write(bytes) {
      let i = 0;
      if (utf16) {
        if (oddByte >= 0 && bytes.length > 0) {
          const b = bytes[0] ?? 0;
          const u = bigEndian ? (oddByte << 8) | b : oddByte | (b << 8);
          if (offset === 1 && u === 0xfeff) keep(u);
          else unit(u, offset - 1);
          previous = u;
          oddByte = -1;
          i = 1;
        }
        for (; i + 1 < bytes.length; i += 2) {
          const b0 = bytes[i] ?? 0;
          const b1 = bytes[i + 1] ?? 0;
          const u = bigEndian ? (b0 << 8) | b1 : b0 | (b1 << 8);
          // A byte order mark is no part of the first field.
          if (offset + i === 0 && u === 0xfeff) keep(u);
          else unit(u, offset + i);
          previous = u;
        }
        if (i < bytes.length) oddByte = bytes[i] ?? 0;
      } else {
        if (
          offset === 0 &&
          encoding === "utf-8" &&
          bytes[0] === 0xef &&
          bytes[1] === 0xbb &&
          bytes[2] === 0xbf
        ) {
          // A byte order mark is no part of the first field.
          keep(0xef);
          keep(0xbb);
          keep(0xbf);
          i = 3;
        }
        // The hot loop. Outside the header, a record being read and a pending CR, only quotes and
        // line ends change more than whether a field has started: the bytes up to the next of
        // them are skipped at once (found natively), the last of them telling whether a field
        // starts there. In a Google TSV quoted field, the delimiter also counts (textQuote).
        const n = bytes.length;
        let nextQuote = -1;
        let nextLF = -1;
        let nextCR = -1;
        let nextDelimiter = -1;
        /** The offset of the next `byte` from `at` (`found` if it still is), or the write's end. */
        const following = (at: number, found: number, byte: number) => {
          if (found >= at) return found;
          const next = bytes.indexOf(byte, at);
          return next < 0 ? n : next;
        };
        let fast = !headerCR && !crPending && crEnd < 0 && captured === null;
        while (i < n) {
          if (fast && state <= State.Quoted) {
            nextQuote = following(i, nextQuote, quote);
            nextLF = following(i, nextLF, LF);
            nextCR = following(i, nextCR, CR);
            let stop = Math.min(nextQuote, nextLF, nextCR);
            if (state !== State.Quoted) {
              if (stop > i) state = bytes[stop - 1] === delimiter ? State.FieldStart : State.Unquoted;
            } else if (wholeField) {
              nextDelimiter = following(i, nextDelimiter, delimiter);
              stop = Math.min(stop, nextDelimiter);
            }
            i = stop;
            if (i >= n) break;
          }
          previous = i > 0 ? (bytes[i - 1] ?? 0) : lastByte;
          unit(bytes[i] ?? 0, offset + i);
          fast = !headerCR && !crPending && crEnd < 0 && captured === null;
          i++;
        }
        if (bytes.length > 0) lastByte = bytes[bytes.length - 1] ?? 0;
      }
      offset += bytes.length;
    },
    end() {
      if (crEnd >= 0) {
        recordEnded(crEnd);
        crEnd = -1;
      }
      if (headerCR) {
        // The file is its header line, ended by a CR.
        headerCR = false;
        newline = "\r";
        recordEnded(offset);
      }
      if (state === State.Quoted && headerEnd) {
        // Google TSV: the header's opening quote is never closed, so it is text (see textQuote).
        textQuote();
      }
      checkRecordSize(offset);
      if (prologueEnd < 0) return { prologueEnd: offset, chunks: [] };
      if (offset > chunkStart) chunks.push({ start: chunkStart, end: offset, firstRow: chunkRow });
      return { prologueEnd, chunks };
    },
  };
}

/** A record's units as text, to read its fields (group values are only compared for equality). */
function textOf(units: number[], encoding: Encoding): string {
  if (encoding === "utf-8") return new TextDecoder("utf-8").decode(new Uint8Array(units));
  // UTF-16 code units are the string's own; a single-byte encoding's bytes become the characters
  // of the same numbers, which keeps distinct bytes distinct.
  let text = "";
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.slice(i, i + 4096));
  return text;
}
