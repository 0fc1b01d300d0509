import type { ReadConfig } from "../config";
import { type CsvNewline, CsvTokenizer, newlineAtEnd, type OnRecord, structureIssues } from "../csv";
import type { ItemReader, ReaderPosition, ReadLimits, ReadResult } from "../engine";
import { ImportFileError } from "../issue-codes";
import type { Issue } from "../issues";
import type { LineItem, Order } from "../items";
import { groupSource } from "../split-csv";
import { type ColumnPlan, compileTransformations, type TransformContext } from "../transform/index";
import { IdSet } from "./order-ids";
import { dateTime, double, INVALID, shown, type ValueType } from "./values";

export { IdSet } from "./order-ids";

const isBlankText = (text: string) =>
  text === "" || ((text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) && text.trim() === "");
const clean = (text: string) =>
  text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32 ? text.trim() : text;

/**
 * One row's values, read by column index, with the row's issues. One instance serves every row
 * of a reader, so reading a row allocates only what the item keeps.
 *
 * A value past the end of a short row is absent: the row already has a too_few_fields issue, so
 * its required fields are not reported again. An empty value (or a null a cast made) of a
 * required field is a missing_field issue.
 */
export class RowValues {
  values: readonly unknown[] = [];
  row = 0;
  issues: Issue[] = [];

  set(values: readonly unknown[], row: number, issues: Issue[]): this {
    this.values = values;
    this.row = row;
    this.issues = issues;
    return this;
  }

  raw(i: number): unknown {
    return i < 0 ? undefined : this.values[i];
  }

  blank(i: number): boolean {
    const value = this.raw(i);
    return value === undefined || value === null || (typeof value === "string" && isBlankText(value));
  }

  /** A required text field: trimmed, or a missing_field issue and "". */
  text(i: number, field: string): string {
    const value = this.raw(i);
    if (typeof value === "string") {
      const text = clean(value);
      if (text !== "") return text;
    } else if (value !== undefined && value !== null) {
      return String(value);
    }
    if (value !== undefined) this.missing(field);
    return "";
  }

  /** An optional text field: trimmed, or null when empty. */
  optional(i: number): string | null {
    const value = this.raw(i);
    if (typeof value === "string") {
      const text = clean(value);
      return text === "" ? null : text;
    }
    return value === undefined || value === null ? null : String(value);
  }

  /** A typed field: its value; or an issue (missing_field when required and empty) and `fallback`. */
  typed<T>(i: number, field: string, type: ValueType<T>, required: boolean, fallback: T): T {
    const value = this.raw(i);
    if (value === undefined) return fallback;
    if (value !== null && value !== "") {
      const parsed = type.read(value);
      if (parsed !== INVALID) return parsed;
    }
    if (value === null || (typeof value === "string" && isBlankText(value))) {
      if (required) this.missing(field);
      return fallback;
    }
    const { code, expected } = type.problem(value);
    this.issues.push({
      row: this.row,
      item: null,
      field,
      code,
      severity: "error",
      message: `"${field}" must be ${expected}; got "${shown(value)}".`,
      value: shown(value),
    });
    return fallback;
  }

  /** An issue of this row (item set when the item closes). */
  issue(fields: Omit<Issue, "row" | "item">): void {
    this.issues.push({ row: this.row, item: null, ...fields });
  }

  private missing(field: string): void {
    this.issues.push({
      row: this.row,
      item: null,
      field,
      code: "missing_field",
      severity: "error",
      message: `"${field}" is required but empty.`,
      value: null,
    });
  }
}

/**
 * What turns rows into orders, for one CSV order format: compiled once from the header (after
 * transformations), then applied row by row with values addressed by column index.
 */
export interface OrderFormat {
  /** The field whose value groups rows into orders (after transformations): orderId, Name. */
  groupField: string;
  /** The group an order's row belongs to; "" continues the order above. */
  groupKey(values: readonly unknown[]): string;
  /** The order, from its first row, with no line items yet. */
  order(row: RowValues): Order;
  /** A line item from any row of the order; `position` is 1-based. */
  lineItem(row: RowValues, position: number): LineItem;
  /**
   * The order-level fields a continuation row must agree on with the order's first row, when it
   * fills them in (a row that disagrees is most likely another order whose id went missing), each
   * with how its values compare: the same text, number, instant, or text in any case.
   */
  orderFields: readonly { field: string; index: number; compare: Comparison }[];
}

export type Comparison = "text" | "number" | "instant" | "caseless";

/** The value a comparison compares of a cell: equal keys are the same value. */
function comparable(value: unknown, compare: Comparison): string {
  const text = typeof value === "string" ? clean(value) : String(value);
  if (compare === "caseless") return text.toLowerCase();
  const parsed =
    compare === "number" ? double.read(value) : compare === "instant" ? dateTime.read(value) : INVALID;
  return parsed === INVALID ? text : String(parsed);
}

/**
 * A continuation row's issues: each order-level field it fills in with another value than the
 * order's first row (or than none, where the first row left it empty) is a conflicting_value
 * issue naming the field, this row, and both values; the order is then invalid.
 */
function checkContinuation(
  format: OrderFormat,
  row: RowValues,
  first: { values: readonly unknown[]; row: number; key: string },
): void {
  for (const { field, index, compare } of format.orderFields) {
    if (index < 0) continue;
    const value = row.raw(index);
    const earlier = first.values[index];
    // The same text as the first row's (continuation rows usually repeat the order's fields, as
    // Shopify's export does) agrees whatever it reads as: only differing texts are compared.
    if (value === earlier || row.blank(index)) continue;
    const firstBlank =
      earlier === undefined || earlier === null || (typeof earlier === "string" && isBlankText(earlier));
    if (!firstBlank && comparable(value, compare) === comparable(earlier, compare)) continue;
    const shownValue = shown(value);
    row.issue({
      field,
      code: "conflicting_value",
      severity: "error",
      message: firstBlank
        ? `Row ${row.row} continues order "${first.key}" but fills in "${field}" as "${shownValue}", which its first row (row ${first.row}) leaves empty: is this row's ${format.groupField} missing?`
        : `Row ${row.row} continues order "${first.key}" but its "${field}" is "${shownValue}", not "${shown(earlier)}" as on row ${first.row}, where the order starts: is this row's ${format.groupField} missing?`,
      value: shownValue,
    });
  }
}

export type OrderFormatFactory = (header: readonly string[]) => OrderFormat;

/** The index of each column name (the first one, if a name repeats); -1 when absent. */
/** A header line that starts like JSON or XML: the file is not the CSV the import names. */
function refuseOtherFormats(firstField: string): void {
  const first = firstField.replace(/^\uFEFF/, "").trimStart();
  if (first.startsWith("{") || first.startsWith("[")) {
    throw new ImportFileError(
      "wrong_format",
      `The file looks like JSON, not CSV: its first line starts with "${first.slice(0, 1)}". Orders are imported from CSV (velocidi_csv or shopify_csv): export them as CSV.`,
    );
  }
  if (first.startsWith("<")) {
    throw new ImportFileError(
      "wrong_format",
      'The file looks like XML, not CSV: its first line starts with "<".',
    );
  }
}

export function columnIndex(header: readonly string[]): (name: string) => number {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  return (name) => index.get(name) ?? -1;
}

interface OpenOrder {
  key: string;
  row: number;
  /** The values of the order's first row, which its continuation rows must agree with. */
  values: readonly unknown[];
  records: number;
  order: Order;
  issues: Issue[];
  nonContiguous: boolean;
}

/**
 * The reader shared by the CSV order formats: rows are grouped into orders (continuation rows
 * leave the group column empty or repeat it), order fields come from an order's first row and
 * every row gives a line item. An order id that comes back after another order is an issue of
 * that later group, never a merge.
 *
 * Rows are turned into orders as the tokenizer reads them, so a write keeps only its orders.
 */
export function createGroupedOrderReader(
  config: ReadConfig,
  position: ReaderPosition | undefined,
  factory: OrderFormatFactory,
  limits: ReadLimits = {},
): ItemReader<Order> {
  const delimiter = config.options.delimiter ?? ",";
  const transformer = compileTransformations(config.transformations);
  let header: string[] | null = null;
  let plan: ColumnPlan | null = null;
  let format: OrderFormat | null = null;
  let width = 0;
  let current: OpenOrder | null = null;
  /** Order ids seen in this reader, for non_contiguous_order. */
  const seen = new IdSet();
  const rowValues = new RowValues();
  /** The issues of the row being read; moved to its order afterwards. */
  const rowIssues: Issue[] = [];
  const context: TransformContext = { row: 0, issues: rowIssues };
  let out: ReadResult<Order>[] = [];

  /** The group field as the file names it, when a transformation made it of another column. */
  let groupColumn: string | null = null;

  const start = (fields: string[]) => {
    refuseOtherFormats(fields[0] ?? "");
    header = fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, "") : f));
    width = header.length;
    let columns: string[] = header;
    if (!transformer.isEmpty) {
      const mapped = transformer.forHeader(header);
      columns = mapped.header;
      plan = mapped;
    }
    format = factory(columns);
    const source = groupSource(header, format.groupField, config.transformations);
    const written = typeof source === "object" ? header[source.column] : undefined;
    groupColumn = written !== undefined && written !== format.groupField ? written : null;
  };

  const close = () => {
    if (!current) return;
    const { order, issues } = current;
    // The order id (Shopify: Name or Id), else the group's value.
    const key = order.orderId || current.key || null;
    let valid = !current.nonContiguous;
    for (const issue of issues) {
      issue.item = key;
      if (issue.severity === "error") valid = false;
    }
    out.push({ item: valid ? order : null, row: current.row, key, issues, records: current.records });
    current = null;
  };

  const onRecord: OnRecord = (fields, row, problems) => {
    if (!format) {
      start(fields);
      return;
    }
    // Quoting problems and a wrong field count (the row's order is then invalid).
    if (problems.length > 0 || fields.length !== width)
      structureIssues({ row, fields, problems }, width, rowIssues);
    let values: unknown[] = fields;
    if (plan) {
      context.row = row;
      // The tokenizer's fields are this row's own: the plan may change them in place.
      values = plan.applyOwned(fields, context);
    }
    rowValues.set(values, row, rowIssues);
    const key = format.groupKey(values);
    if (!current || (key !== "" && key !== current.key)) {
      close();
      const issues: Issue[] = [];
      let nonContiguous = false;
      if (key !== "" && !seen.add(key)) {
        nonContiguous = true;
        const column = groupColumn === null ? "" : ` (column "${groupColumn}")`;
        issues.push({
          row,
          item: null,
          field: format.groupField,
          code: "non_contiguous_order",
          severity: "error",
          message: `The rows of order "${key}" are not together: its ${format.groupField}${column} appeared earlier in the file, and another order came in between. All rows of an order must be consecutive.`,
          value: key,
        });
      }
      current = { key, row, values, records: 0, order: format.order(rowValues), issues, nonContiguous };
    } else {
      checkContinuation(format, rowValues, current);
    }
    current.records++;
    const lineItems = current.order.lineItems;
    lineItems.push(format.lineItem(rowValues, lineItems.length + 1));
    if (rowIssues.length > 0) {
      for (const issue of rowIssues) current.issues.push(issue);
      rowIssues.length = 0;
    }
  };

  let newline: CsvNewline | undefined;
  if (position) {
    // The header line is read for its columns and its line end, which every chunk shares.
    const head = new CsvTokenizer({ delimiter, firstRow: 1 });
    const records = [...head.write(position.prologue), ...head.end()];
    // The file's line end is the prologue's first: empty lines may come before the header.
    newline = head.newline ?? newlineAtEnd(position.prologue);
    if (records[0]) start(records[0].fields);
  }
  const tokenizer = new CsvTokenizer({ ...limits, delimiter, firstRow: position?.firstRow ?? 1, newline });

  return {
    get columns() {
      return header ?? [];
    },
    write(text) {
      out = [];
      tokenizer.writeEach(text, onRecord);
      return out;
    },
    end() {
      out = [];
      tokenizer.endEach(onRecord);
      close();
      if (!header)
        throw new ImportFileError("empty_file", "The file has no header line: there is nothing to import.");
      return out;
    },
  };
}
