import { CsvTokenizer, isBlankRecord } from "../csv";
import { xmlRecord } from "../formats/products";
import { ImportFileError } from "../issue-codes";
import { JsonLinesParser } from "../jsonl";
import { ATOM_NAMESPACE, GOOGLE_NAMESPACE, XmlItemReader } from "../xml";

/**
 * The columns of a file and its first rows as the file writes them, before any transformation
 * or check of its format: what a person maps onto the format's fields. CSV and TSV give their
 * header and rows; JSON lines and XML feeds the names of their records' fields (an XML feed's
 * `g:` elements without their prefix, as transformations name them) and each record's values
 * at those names' places.
 */
export interface FileHead {
  columns: string[];
  rows: unknown[][];
}

export interface FileHeadReader {
  /** Reads more of the file; true once it has all the rows it wants. */
  write(text: string): boolean;
  end(): FileHead;
}

/** The reader of a file's head, for a format and its options, keeping at most `maxRows` rows. */
export function createFileHeadReader(
  format: string,
  options: { delimiter?: string },
  maxRows: number,
): FileHeadReader {
  switch (format) {
    case "velocidi_csv":
    case "shopify_csv":
    case "csv":
      return csvHead(new CsvTokenizer({ delimiter: options.delimiter ?? "," }), maxRows);
    case "google_tsv":
      return csvHead(new CsvTokenizer({ delimiter: "\t", wholeFieldQuotes: true }), maxRows);
    case "jsonl": {
      const parser = new JsonLinesParser();
      return recordsHead(
        (text) => parser.write(text).flatMap((line) => (line.ok ? [line.value] : [])),
        () => parser.end().flatMap((line) => (line.ok ? [line.value] : [])),
        maxRows,
      );
    }
    case "google_rss":
    case "google_atom": {
      const atom = format === "google_atom";
      const reader = new XmlItemReader({
        itemElement: atom ? "entry" : "item",
        rootElements: [atom ? "feed" : "rss"],
        namespaces: { [GOOGLE_NAMESPACE]: "g", [ATOM_NAMESPACE]: atom ? "" : "atom" },
      });
      return recordsHead(
        (text) => reader.write(text).map((item) => xmlRecord(item.element, atom)),
        () => reader.end().map((item) => xmlRecord(item.element, atom)),
        maxRows,
      );
    }
    default:
      throw new ImportFileError("invalid_config", `'${format}' files are not read from a file.`);
  }
}

function csvHead(tokenizer: CsvTokenizer, maxRows: number): FileHeadReader {
  let columns: string[] | null = null;
  const rows: unknown[][] = [];
  const take = (records: ReturnType<CsvTokenizer["write"]>) => {
    for (const record of records) {
      if (rows.length >= maxRows) break;
      if (isBlankRecord(record.fields)) continue;
      if (columns === null)
        columns = record.fields.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, "") : name));
      else rows.push(record.fields);
    }
    return rows.length >= maxRows;
  };
  return {
    write: (text) => take(tokenizer.write(text)),
    end() {
      take(tokenizer.end());
      if (columns === null)
        throw new ImportFileError("empty_file", "The file is empty: it has no header line.");
      return { columns, rows };
    },
  };
}

function recordsHead(
  write: (text: string) => Record<string, unknown>[],
  end: () => Record<string, unknown>[],
  maxRows: number,
): FileHeadReader {
  const records: Record<string, unknown>[] = [];
  const take = (more: Record<string, unknown>[]) => {
    for (const record of more) if (records.length < maxRows) records.push(record);
    return records.length >= maxRows;
  };
  return {
    write: (text) => take(write(text)),
    end() {
      take(end());
      const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
      return { columns, rows: records.map((record) => columns.map((column) => record[column] ?? null)) };
    },
  };
}
