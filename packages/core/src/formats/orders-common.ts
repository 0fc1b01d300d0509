import type { ReadConfig } from "../config";
import { type CsvRecord, CsvTokenizer } from "../csv";
import type { ItemReader, ReaderPosition, ReadResult } from "../engine";
import { ImportFileError, type Issue } from "../issues";
import type { LineItem, Order } from "../items";
import { compileTransformations, type TransformContext } from "../transform/index";
import { type Parsed, shown } from "./values";

/**
 * What turns rows into orders, for one CSV order format: compiled once from the header (after
 * transformations), then applied row by row with values addressed by column index.
 */
export interface OrderFormat {
  /** The group an order's row belongs to; "" continues the order above. */
  groupKey(values: readonly unknown[]): string;
  /** The order's fields, from its first row (issues go to `issues`). */
  order(
    values: readonly unknown[],
    row: number,
    issues: Issue[],
  ): Omit<Order, "lineItems" | "orderId"> & { orderId: string };
  /** A line item from any row of the order; `position` is 1-based. */
  lineItem(values: readonly unknown[], row: number, position: number, issues: Issue[]): LineItem | null;
  /** Checks of a whole order (totals), after its rows; `rows[i]` is the line of line item i. */
  finish?(order: Order, rows: readonly number[], issues: Issue[]): void;
}

export type OrderFormatFactory = (header: readonly string[]) => OrderFormat;

/** Reads a field of a row: its value, or an issue (field, code, message, value) and null. */
export function fieldReader(header: readonly string[]) {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  return {
    has: (name: string) => index.has(name),
    indexOf: (name: string) => index.get(name) ?? -1,
    /** The value at `i`, "" past the end of a short row. */
    value: (values: readonly unknown[], i: number): unknown => (i < 0 ? undefined : (values[i] ?? "")),
  };
}

export const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "");

/** A required text field: its trimmed value, or a missing_field issue. */
export function requiredText(value: unknown, field: string, row: number, issues: Issue[]): string {
  if (isBlank(value)) {
    issues.push({
      row,
      item: null,
      field,
      code: "missing_field",
      severity: "error",
      message: `"${field}" is required but empty.`,
      value: null,
    });
    return "";
  }
  return String(value).trim();
}

export function optionalText(value: unknown): string | null {
  return isBlank(value) ? null : String(value).trim();
}

/** A typed field: the parsed value, or an issue (missing_field when required and empty). */
export function typed<T>(
  parse: (raw: unknown) => Parsed<T>,
  value: unknown,
  field: string,
  row: number,
  issues: Issue[],
  options: { required: boolean; fallback: T },
): T {
  if (isBlank(value)) {
    if (options.required) {
      issues.push({
        row,
        item: null,
        field,
        code: "missing_field",
        severity: "error",
        message: `"${field}" is required but empty.`,
        value: null,
      });
    }
    return options.fallback;
  }
  const parsed = parse(value);
  if (parsed.ok) return parsed.value;
  issues.push({
    row,
    item: null,
    field,
    code: parsed.code,
    severity: "error",
    message: `"${field}" must be ${parsed.expected}; got "${shown(value)}".`,
    value: shown(value),
  });
  return options.fallback;
}

interface OpenOrder {
  key: string;
  row: number;
  records: number;
  order: Order | null;
  issues: Issue[];
  nonContiguous: boolean;
  lineRows: number[];
}

/**
 * The reader shared by the CSV order formats: rows are grouped into orders (continuation rows
 * leave the group column empty or repeat it), order fields come from an order's first row and
 * every row gives a line item. An order id that comes back after another order is an issue of
 * that later group, never a merge.
 */
export function createGroupedOrderReader(
  config: ReadConfig,
  position: ReaderPosition | undefined,
  factory: OrderFormatFactory,
): ItemReader<Order> {
  const tokenizer = new CsvTokenizer({
    delimiter: config.options.delimiter ?? ",",
    firstRow: position?.firstRow ?? 1,
  });
  const transformer = compileTransformations(config.transformations);
  let header: string[] | null = null;
  let plan: ((values: unknown[], ctx: TransformContext) => unknown[]) | null = null;
  let format: OrderFormat | null = null;
  let width = 0;
  let current: OpenOrder | null = null;
  const seen = new Set<string>();

  const start = (fields: string[]) => {
    header = fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, "") : f));
    width = header.length;
    let columns: string[] = header;
    if (!transformer.isEmpty) {
      const mapped = transformer.forHeader(header);
      columns = mapped.header;
      plan = mapped.apply;
    }
    format = factory(columns);
  };

  const close = (out: ReadResult<Order>[]) => {
    if (!current) return;
    const { order, issues } = current;
    if (order) format?.finish?.(order, current.lineRows, issues);
    for (const issue of issues) issue.item = current.key || null;
    const valid = order !== null && !current.nonContiguous && !issues.some((i) => i.severity === "error");
    out.push({
      item: valid ? order : null,
      row: current.row,
      key: current.key || null,
      issues,
      records: current.records,
    });
    current = null;
  };

  const onRecord = (record: CsvRecord, out: ReadResult<Order>[]) => {
    if (!header || !format) {
      start(record.fields);
      return;
    }
    const issues: Issue[] = [];
    for (const problem of record.problems) {
      issues.push({
        row: record.row,
        item: null,
        field: null,
        code: problem.code,
        severity: "error",
        message: problem.message,
        value: null,
      });
    }
    if (record.fields.length !== width) {
      const tooMany = record.fields.length > width;
      issues.push({
        row: record.row,
        item: null,
        field: null,
        code: tooMany ? "too_many_fields" : "too_few_fields",
        severity: "error",
        message: `Line ${record.row} has ${record.fields.length} fields where the header has ${width}.`,
        value: null,
      });
    }
    let values: unknown[] = record.fields;
    if (plan) values = plan(values, { row: record.row, issues });
    const key = format.groupKey(values);
    if (!current || (key !== "" && key !== current.key)) {
      close(out);
      current = {
        key,
        row: record.row,
        records: 0,
        order: null,
        issues: [],
        nonContiguous: false,
        lineRows: [],
      };
      if (key !== "" && seen.has(key)) {
        current.nonContiguous = true;
        current.issues.push({
          row: record.row,
          item: null,
          field: null,
          code: "non_contiguous_order",
          severity: "error",
          message: `The rows of order "${key}" are not together: it appeared earlier in the file, after which another order started. All rows of an order must be consecutive.`,
          value: key,
        });
      }
      if (key !== "") seen.add(key);
      const fields = format.order(values, record.row, issues);
      current.order = { ...fields, lineItems: [] };
    }
    current.records++;
    const order = current.order;
    const lineItem = format.lineItem(values, record.row, (order?.lineItems.length ?? 0) + 1, issues);
    if (order && lineItem) {
      order.lineItems.push(lineItem);
      current.lineRows.push(record.row);
    }
    current.issues.push(...issues);
  };

  const feed = (records: CsvRecord[]) => {
    const out: ReadResult<Order>[] = [];
    for (const record of records) onRecord(record, out);
    return out;
  };

  if (position) {
    const head = new CsvTokenizer({ delimiter: config.options.delimiter ?? ",", firstRow: 1 });
    const records = [...head.write(position.prologue), ...head.end()];
    if (records[0]) start(records[0].fields);
  }

  return {
    get columns() {
      return header ?? [];
    },
    write: (text) => feed(tokenizer.write(text)),
    end: () => {
      const out = feed(tokenizer.end());
      close(out);
      if (!header)
        throw new ImportFileError("empty_file", "The file has no header line: there is nothing to import.");
      return out;
    },
  };
}
