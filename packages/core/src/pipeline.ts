import type { ReadConfig } from "./config";
import type { ItemReader, ReaderPosition, ReadLimits, ReadResult, Splitter } from "./engine";
import { createCustomerCsvReader, createCustomerJsonlReader } from "./formats/customers";
import { createProductReader } from "./formats/products";
import { createShopifyReader } from "./formats/shopify";
import { createVelocidiReader, VELOCIDI_COLUMNS } from "./formats/velocidi";
import { ImportFileError } from "./issue-codes";
import type { Issue } from "./issues";
import type { CustomerRecord, Order, Product } from "./items";
import { closestName } from "./names";
import { createCsvSplitter } from "./split-csv";
import { createJsonlSplitter, createXmlSplitter } from "./split-lines";
import { fieldColumns } from "./transform/index";
import { wholeNumberVar } from "./vars";

export type AnyItem = Order | CustomerRecord | Product;

/** Record size (16 MiB) and columns (10,000) when a Worker sets no MAX_RECORD_BYTES / MAX_COLUMNS. */
export const DEFAULT_READ_LIMITS = { maxRecordChars: 16 * 1024 * 1024, maxColumns: 10_000 } as const;

/** The read limits of a Worker's vars: MAX_RECORD_BYTES and MAX_COLUMNS, or the defaults. */
export function readLimits(vars: { MAX_RECORD_BYTES?: string; MAX_COLUMNS?: string }): Required<ReadLimits> {
  return {
    maxRecordChars: wholeNumberVar(vars.MAX_RECORD_BYTES, DEFAULT_READ_LIMITS.maxRecordChars),
    maxColumns: wholeNumberVar(vars.MAX_COLUMNS, DEFAULT_READ_LIMITS.maxColumns),
  };
}

/**
 * A file error of a read limit, with the var that sets the limit, so that whoever runs the
 * service knows what to raise; other errors are returned as they are.
 */
export function explainLimit(err: ImportFileError): ImportFileError {
  if (err.code === "record_too_large")
    return new ImportFileError(
      err.code,
      `${err.message} Records are read up to the limit MAX_RECORD_BYTES of this service: check the file's quotes and line ends, or split the record.`,
    );
  if (err.code === "too_many_columns")
    return new ImportFileError(
      err.code,
      `${err.message} The limit is MAX_COLUMNS of this service: remove the columns the import does not need.`,
    );
  return err;
}

const CSV_FORMATS: ReadonlySet<ReadConfig["format"]> = new Set([
  "velocidi_csv",
  "shopify_csv",
  "csv",
  "google_tsv",
]);

/**
 * Refuses a CSV or TSV header that names a column twice: which of the two to import is unclear
 * (files exported from joined tables do this). Empty names are left to the format's own checks.
 */
export function checkHeader(config: ReadConfig, header: readonly string[]): void {
  if (!CSV_FORMATS.has(config.format)) return;
  const first = new Map<string, number>();
  const repeated: string[] = [];
  header.forEach((raw, i) => {
    const name = (i === 0 ? raw.replace(/^\uFEFF/, "") : raw).trim();
    if (name === "") return;
    const at = first.get(name);
    if (at === undefined) first.set(name, i);
    else repeated.push(`"${name}" (columns ${at + 1} and ${i + 1})`);
  });
  if (repeated.length === 0) return;
  const more = repeated.length > 5 ? ` and ${repeated.length - 5} more` : "";
  throw new ImportFileError(
    "duplicate_columns",
    `The header names ${repeated.slice(0, 5).join(", ")}${more} more than once: which one to import is unclear. Rename or remove the extra columns.`,
  );
}

/**
 * Warnings about a CSV or TSV header (issues of row 1) for what would otherwise be dropped without
 * a word: a transformation that names a column the file does not have (it changes nothing), and,
 * for velocidi_csv, a column the format ignores whose name is close to one it reads
 * (`lineItem_nmae`). Columns are followed through the transformations as the readers apply them.
 */
export function headerWarnings(config: ReadConfig, header: readonly string[]): Issue[] {
  if (!CSV_FORMATS.has(config.format)) return [];
  const warnings: Issue[] = [];
  const warn = (name: string, message: string) =>
    warnings.push({
      row: 1,
      item: null,
      field: name,
      code: "unknown_column",
      severity: "warning",
      message,
      value: name,
    });
  const written = header.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, "") : name));
  const columns = new Set(written);
  const missing = (i: number, verb: string, name: string) => {
    const near = closestName(name, columns);
    warn(
      name,
      `Transformation ${i + 1} ${verb} "${name}", but the file has no column "${name}": it changes nothing.${near ? ` Did you mean "${near}"?` : ""}`,
    );
  };
  config.transformations.forEach((op, i) => {
    if (op.op === "add") columns.add(op.field);
    else if (op.op === "delete") {
      if (!columns.delete(op.field)) missing(i, "deletes", op.field);
    } else if (!columns.has(op.from)) {
      missing(i, op.op === "rename" ? "renames" : "copies", op.from);
    } else {
      if (op.op === "rename") columns.delete(op.from);
      columns.add(op.to);
    }
  });
  if (config.format === "velocidi_csv") {
    const known: readonly string[] = VELOCIDI_COLUMNS;
    for (const name of columns) {
      if (known.includes(name)) continue;
      const near = closestName(name, known);
      if (near === null || columns.has(near)) continue;
      warn(
        name,
        `The column "${name}" is not a velocidi_csv column, so it is not imported. Did you mean "${near}"?`,
      );
    }
  }
  // A name that a rename gave a column is told with the column as the file writes it.
  const columnOf = fieldColumns(written, config.transformations);
  for (const warning of warnings) {
    const column = warning.field === null ? undefined : columnOf.get(warning.field);
    if (column !== undefined) warning.column = column;
  }
  return warnings;
}

/**
 * The reader of a config's type and format, within the given limits. An issue whose field a
 * rename or copy filled from a column of another name also names that column, as the file
 * writes it (`field: "userId", column: "Customer Email"`).
 */
export function createReader(
  config: ReadConfig,
  position?: ReaderPosition,
  limits: ReadLimits = {},
): ItemReader<AnyItem> {
  const reader = formatReader(config, position, limits);
  const moves = config.transformations.some((op) => op.op === "rename" || op.op === "copy");
  return moves ? namingColumns(reader, config) : reader;
}

/**
 * The names transformations see of a reader's columns: an XML feed's `g:` elements are read
 * without their prefix.
 */
function transformedNames(config: ReadConfig, columns: readonly string[]): readonly string[] {
  if (config.format !== "google_rss" && config.format !== "google_atom") return columns;
  return columns.map((name) => (name.startsWith("g:") ? name.slice(2) : name));
}

/** Sets `column` on the issues of a reader's results (see createReader). */
function namingColumns(reader: ItemReader<AnyItem>, config: ReadConfig): ItemReader<AnyItem> {
  // CSV has its header once; JSON lines and XML grow their names as records come.
  let seen = -1;
  let columnOf = new Map<string, string>();
  const name = (results: ReadResult<AnyItem>[]) => {
    if (!results.some((result) => result.issues.length > 0)) return results;
    const columns = reader.columns;
    if (columns.length !== seen) {
      seen = columns.length;
      columnOf = fieldColumns(transformedNames(config, columns), config.transformations);
    }
    if (columnOf.size === 0) return results;
    for (const result of results) {
      for (const issue of result.issues) {
        const column = issue.field === null ? undefined : columnOf.get(issue.field);
        if (column !== undefined) issue.column = column;
      }
    }
    return results;
  };
  return {
    write: (text) => name(reader.write(text)),
    end: () => name(reader.end()),
    get columns() {
      return reader.columns;
    },
  };
}

function formatReader(config: ReadConfig, position: ReaderPosition | undefined, limits: ReadLimits) {
  switch (config.format) {
    case "velocidi_csv":
      return createVelocidiReader(config, position, limits);
    case "shopify_csv":
      return createShopifyReader(config, position, limits);
    case "csv":
      return createCustomerCsvReader(config, position, limits);
    case "jsonl":
      return config.type === "customers"
        ? createCustomerJsonlReader(config, position, limits)
        : createProductReader(config, position, limits);
    case "google_rss":
    case "google_atom":
    case "google_tsv":
      return createProductReader(config, position, limits);
    case "egoi_contacts":
      throw new Error("E-goi contacts are read from the E-goi API, not from a file");
  }
}

/** One chunk: the whole file (UTF-16 text, which the byte scanners do not read). */
function wholeFile(): Splitter {
  let size = 0;
  return {
    write: (bytes) => {
      size += bytes.length;
    },
    end: () => ({ prologueEnd: 0, chunks: size > 0 ? [{ start: 0, end: size, firstRow: 1 }] : [] }),
  };
}

/**
 * The splitter that cuts a file of this format into chunks of about `targetChunkBytes`. A CSV
 * record longer than `limits.maxRecordChars` bytes fails the file here, before any chunk is read.
 */
export function createSplitter(
  config: ReadConfig,
  targetChunkBytes: number,
  limits: ReadLimits = {},
): Splitter {
  const encoding = config.options.encoding ?? "utf-8";
  if (encoding === "utf-16le" || encoding === "utf-16be") return wholeFile();
  const delimiter = config.options.delimiter;
  // The readers group rows after the transformations, so the splitter follows them to its column.
  const transformations = config.transformations;
  // A record's group value is read up to the limit, and a longer record fails the file.
  const maxRecordBytes = limits.maxRecordChars;
  const failRecordBytes = limits.maxRecordChars;
  switch (config.format) {
    case "velocidi_csv":
      return createCsvSplitter({
        targetChunkBytes,
        encoding,
        delimiter,
        groupColumn: "orderId",
        transformations,
        maxRecordBytes,
        failRecordBytes,
      });
    case "shopify_csv":
      return createCsvSplitter({
        targetChunkBytes,
        encoding,
        delimiter,
        groupColumn: "Name",
        transformations,
        maxRecordBytes,
        failRecordBytes,
      });
    case "csv":
      return createCsvSplitter({ targetChunkBytes, encoding, delimiter, maxRecordBytes, failRecordBytes });
    case "google_tsv":
      return createCsvSplitter({
        targetChunkBytes,
        encoding,
        delimiter: "\t",
        // As the TSV reader: a quote is text unless it quotes a whole field (see csv.ts).
        wholeFieldQuotes: true,
        maxRecordBytes,
        failRecordBytes,
      });
    case "jsonl":
      return createJsonlSplitter({ targetChunkBytes });
    case "google_rss":
      return createXmlSplitter({ targetChunkBytes, itemElement: "item" });
    case "google_atom":
      return createXmlSplitter({ targetChunkBytes, itemElement: "entry" });
    case "egoi_contacts":
      throw new Error("E-goi contacts are read from the E-goi API, not from a file");
  }
}
