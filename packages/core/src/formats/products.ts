import type { ReadConfig } from "../config";
import { type CsvNewline, type CsvRecord, CsvTokenizer, newlineAtEnd, structureIssues } from "../csv";
import type { ItemReader, ReaderPosition, ReadLimits, ReadResult } from "../engine";
import { ImportFileError, type IssueCode, issueValue } from "../issue-codes";
import type { Issue } from "../issues";
import type { Price, Product } from "../items";
import { infiniteNumberIssues, type JsonLine, JsonLinesParser, numericIdProblem } from "../jsonl";
import {
  compileTransformations,
  type RecordTransformer,
  setField,
  type TransformContext,
} from "../transform/index";
import {
  ATOM_NAMESPACE,
  GOOGLE_NAMESPACE,
  textContent,
  type XmlElement,
  type XmlItem,
  XmlItemReader,
} from "../xml";
import { brokenLineResult, missingColumnMessage } from "./customers";
import { currency, INVALID } from "./values";

/**
 * Products: Google Merchant Center feeds (RSS 2.0, Atom 1.0, tab-separated) and JSON lines.
 *
 * A Google item is first read as a record of Google attribute names (`id`, `image_link`, ...;
 * the `g:` prefix dropped, so that one set of transformations fits RSS, Atom and TSV); Atom's
 * own `title`, `link href` and `summary` stand in for title, link and description, and a `g:`
 * attribute wins over a plain element of the same name. Elements are told apart by namespace,
 * whatever prefix the file uses: Google's, Atom's (in an Atom feed; `atom:` in RSS) and none.
 * An attribute read as text (title, description, price, ...) is the element's text content,
 * inline markup dropped; an Atom `type="html"` text stays the HTML it escapes, as text.
 * Transformations run on that record, then the attributes map to the Product fields in
 * camelCase, the others kept under `extra` with their Google names (a repeated element as a
 * list, a nested one as an object; a repeated product_type is productType for the first and the
 * whole list under `extra`).
 *
 * JSON-lines products keep their own field names and JSON types; only `id` is required.
 */
export function createProductReader(
  config: ReadConfig,
  position?: ReaderPosition,
  limits: ReadLimits = {},
): ItemReader<Product> {
  const transformer = compileTransformations(config.transformations);
  switch (config.format) {
    case "google_rss":
      return googleXmlReader("item", "rss", transformer, position, limits);
    case "google_atom":
      return googleXmlReader("entry", "feed", transformer, position, limits);
    case "google_tsv":
      // Tab-separated by definition, as the ingest splitter reads it too.
      return googleTsvReader(transformer, "\t", position, limits);
    case "jsonl":
      return productJsonlReader(transformer, position, limits);
    default:
      throw new ImportFileError("invalid_config", `'${config.format}' is not a format of product imports.`);
  }
}

/** Google's required attributes, in the order their issues are reported. */
export const GOOGLE_REQUIRED = [
  "id",
  "title",
  "description",
  "link",
  "image_link",
  "availability",
  "price",
] as const;
export const MAX_PRODUCT_ID_LENGTH = 50;
export const AVAILABILITIES = ["in_stock", "out_of_stock", "preorder", "backorder"] as const;
export const CONDITIONS = ["new", "refurbished", "used"] as const;

/** Google attribute → Product field, for the plain text ones. */
const TEXT_FIELDS: Record<string, keyof Product> = {
  title: "title",
  description: "description",
  link: "link",
  image_link: "imageLink",
  brand: "brand",
  gtin: "gtin",
  mpn: "mpn",
  item_group_id: "itemGroupId",
  google_product_category: "googleProductCategory",
  product_type: "productType",
  color: "color",
  size: "size",
  gender: "gender",
  age_group: "ageGroup",
};
/** The Google attributes read into Product fields; any other is kept under `extra`. */
export const GOOGLE_ATTRIBUTES: readonly string[] = [
  ...Object.keys(TEXT_FIELDS),
  "id",
  "availability",
  "price",
  "sale_price",
  "condition",
  "adult",
];
const HANDLED = new Set(GOOGLE_ATTRIBUTES);

/** Atom's own elements that describe the entry, not the product. */
const ATOM_METADATA = new Set([
  "id",
  "updated",
  "published",
  "author",
  "contributor",
  "rights",
  "source",
  "category",
]);

function googleXmlReader(
  itemElement: "item" | "entry",
  root: "rss" | "feed",
  transformer: RecordTransformer,
  position?: ReaderPosition,
  limits: ReadLimits = {},
): ItemReader<Product> {
  const reader = new XmlItemReader({
    maxItemChars: limits.maxRecordChars,
    itemElement,
    rootElements: [root],
    namespaces: { [GOOGLE_NAMESPACE]: "g", [ATOM_NAMESPACE]: itemElement === "entry" ? "" : "atom" },
    ...(position ? { prologue: position.prologue, firstRow: position.firstRow } : {}),
  });
  const read = (items: XmlItem[]) =>
    items.map((xmlItem) => {
      const ctx: TransformContext = { row: xmlItem.row, issues: [] };
      for (const problem of xmlItem.problems) {
        ctx.issues.push({
          row: xmlItem.row,
          item: null,
          field: null,
          code: "invalid_xml",
          severity: "error",
          message: problem,
          value: null,
        });
      }
      const record = xmlRecord(xmlItem.element, itemElement === "entry");
      return googleProduct(
        transformer.isEmpty ? record : transformer.apply(record, ctx),
        xmlItem.row,
        ctx.issues,
      );
    });
  return {
    write: (text) => read(reader.write(text)),
    end: () => read(reader.end()),
    get columns() {
      return reader.elementNames;
    },
  };
}

/** An XML item as a record of Google attribute names. */
export function xmlRecord(element: XmlElement, atom: boolean): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  const google: Record<string, unknown> = {};
  for (const child of element.children) {
    let name = child.name;
    let target = plain;
    if (name.startsWith("g:")) {
      name = name.slice(2);
      target = google;
    } else if (atom) {
      if (ATOM_METADATA.has(name)) continue;
      if (name === "summary") name = "description";
      else if (name === "link") {
        const rel = child.attributes.rel;
        const href = child.attributes.href;
        if ((rel === undefined || rel === "alternate") && href !== undefined) addValue(target, name, href);
        continue;
      }
    }
    addValue(target, name, elementValue(child, HANDLED.has(name)));
  }
  return { ...plain, ...google };
}

/**
 * An element's value: its text, or for an element with child elements its text content when
 * it is read as text or has text of its own beside them (inline markup: `Soft <b>cotton</b>
 * tee`), else an object of its children (`<g:shipping><g:country>US</g:country>...`).
 */
function elementValue(element: XmlElement, asText: boolean): unknown {
  if (element.children.length === 0) return element.text;
  if (asText || element.text.trim() !== "") return textContent(element);
  const value: Record<string, unknown> = {};
  for (const child of element.children) {
    const name = child.name.startsWith("g:") ? child.name.slice(2) : child.name;
    const nested = elementValue(child, false);
    addValue(value, name, typeof nested === "string" ? nested.trim() : nested);
  }
  return value;
}

/** A repeated element becomes a list of its values. */
function addValue(target: Record<string, unknown>, name: string, value: unknown): void {
  if (!Object.hasOwn(target, name)) {
    setField(target, name, value);
    return;
  }
  const existing = target[name];
  if (Array.isArray(existing)) existing.push(value);
  else setField(target, name, [existing, value]);
}

function googleTsvReader(
  transformer: RecordTransformer,
  delimiter: string,
  position?: ReaderPosition,
  limits: ReadLimits = {},
): ItemReader<Product> {
  let header: string[] | null = null;
  let plan: ReturnType<RecordTransformer["forHeader"]> | null = null;

  const useHeader = (fields: string[]) => {
    const first = (fields[0] ?? "").trimStart();
    if (first.startsWith("<")) {
      throw new ImportFileError(
        "wrong_format",
        'The file looks like XML, not tab-separated text: its first line starts with "<". For Google feeds in XML, set the format to google_rss or google_atom.',
      );
    }
    if (first.startsWith("{") || first.startsWith("[")) {
      throw new ImportFileError(
        "wrong_format",
        `The file looks like JSON, not tab-separated text: its first line starts with "${first.slice(0, 1)}". For JSON lines, set the format to jsonl.`,
      );
    }
    // Header names may carry Google's prefix or stray spaces; attributes are matched without them.
    header = fields;
    plan = transformer.forHeader(fields.map((name) => name.trim().replace(/^g:/, "")));
    const present = new Set(plan.header);
    const missing = GOOGLE_REQUIRED.filter((name) => !present.has(name));
    if (missing.length > 0) {
      throw new ImportFileError(
        "missing_columns",
        missing.length === 1
          ? missingColumnMessage(missing[0] ?? "", fields, delimiter).replace(" (options.userIdField)", "")
          : `The file has no columns ${missing.map((m) => `"${m}"`).join(", ")}: Google product data requires ${GOOGLE_REQUIRED.join(", ")}.`,
      );
    }
  };

  let newline: CsvNewline | undefined;
  if (position && position.prologue !== "") {
    // The header line is read for its columns and its line end, which every chunk shares.
    const prologue = new CsvTokenizer({ delimiter, wholeFieldQuotes: true });
    const first = [...prologue.write(position.prologue), ...prologue.end()][0];
    // The file's line end is the prologue's first: empty lines may come before the header.
    newline = prologue.newline ?? newlineAtEnd(position.prologue);
    if (first) useHeader(first.fields);
  }
  // Google's quoting: a quote is text unless it encloses a whole field (wholeFieldClose in csv.ts).
  const tokenizer = new CsvTokenizer({
    ...limits,
    delimiter,
    firstRow: position?.firstRow ?? 1,
    newline,
    wholeFieldQuotes: true,
  });

  const read = (records: CsvRecord[]) => {
    const out: ReadResult<Product>[] = [];
    for (const record of records) {
      if (!header || !plan) {
        useHeader(record.fields);
        continue;
      }
      if (record.fields.length === 1 && record.fields[0] === "" && record.problems.length === 0) continue;
      const ctx: TransformContext = { row: record.row, issues: structureIssues(record, header.length) };
      // The record is this row's own: the plan may change its fields in place.
      const values = plan.applyOwned(record.fields, ctx);
      const object: Record<string, unknown> = {};
      plan.header.forEach((name, i) => {
        const value = values[i];
        if (value !== undefined) setField(object, name, value);
      });
      out.push(googleProduct(object, record.row, ctx.issues));
    }
    return out;
  };

  return {
    write: (text) => read(tokenizer.write(text)),
    end: () => {
      const results = read(tokenizer.end());
      if (!header && !position)
        throw new ImportFileError("empty_file", "The file is empty: it has no header line.");
      return results;
    },
    get columns() {
      return header ?? [];
    },
  };
}

/** A product from a record of Google attributes; `issues` are the ones found so far. */
export function googleProduct(
  record: Record<string, unknown>,
  row: number,
  issues: Issue[],
): ReadResult<Product> {
  const issue = (field: string, code: IssueCode, message: string, value: unknown) =>
    issues.push({ row, item: null, field, code, severity: "error", message, value: issueValue(value) });
  /** Text of an attribute, trimmed; undefined when absent or empty. */
  const text = (name: string): string | undefined => {
    let value = record[name];
    if (Array.isArray(value)) value = value[0];
    if (value === undefined || value === null) return undefined;
    const trimmed = (typeof value === "string" ? value : (issueValue(value) ?? "")).trim();
    return trimmed === "" ? undefined : trimmed;
  };

  for (const name of GOOGLE_REQUIRED) {
    if (text(name) === undefined) {
      issue(name, "missing_field", `"${name}" is missing: Google product data requires it.`, null);
    }
  }
  const product: Record<string, unknown> = {};
  const id = text("id");
  if (id !== undefined) {
    product.id = id;
    if (id.length > MAX_PRODUCT_ID_LENGTH) {
      issue(
        "id",
        "value_too_long",
        `"id" has ${id.length} characters; Google allows at most ${MAX_PRODUCT_ID_LENGTH}.`,
        id,
      );
    }
  }
  for (const [name, field] of Object.entries(TEXT_FIELDS)) {
    const value = text(name);
    if (value !== undefined) product[field] = value;
  }
  // Google takes several product types (product_type repeated): the first is productType, and
  // the whole list is kept under extra, as a repeated additional_image_link is.
  const productTypes = Array.isArray(record.product_type)
    ? record.product_type.flatMap((value: unknown) => {
        const type = typeof value === "string" ? value.trim() : issueValue(value);
        return type === null || type === "" ? [] : [type];
      })
    : [];
  if (productTypes[0] !== undefined) product.productType = productTypes[0];
  const availability = text("availability");
  if (availability !== undefined) {
    // Google's older spelling "in stock" is the same value.
    const normalised = availability.toLowerCase().replace(/\s+/g, "_");
    if ((AVAILABILITIES as readonly string[]).includes(normalised)) product.availability = normalised;
    else
      issue(
        "availability",
        "invalid_enum",
        `"availability" must be one of ${AVAILABILITIES.join(", ")}; got "${availability}".`,
        availability,
      );
  }
  for (const [name, field] of [
    ["price", "price"],
    ["sale_price", "salePrice"],
  ] as const) {
    const value = text(name);
    if (value === undefined) continue;
    const price = parsePrice(value);
    if (price && currency.read(price.currency) === INVALID) {
      issue(
        name,
        "invalid_currency",
        `"${name}" must have ${currency.problem(price.currency).expected}; got "${value}".`,
        value,
      );
    } else if (price) product[field] = price;
    else
      issue(
        name,
        "invalid_price",
        `"${name}" must be an amount and a currency code, like "15.00 USD"; got "${value}".`,
        value,
      );
  }
  const condition = text("condition");
  if (condition !== undefined) {
    const normalised = condition.toLowerCase();
    if ((CONDITIONS as readonly string[]).includes(normalised)) product.condition = normalised;
    else
      issue(
        "condition",
        "invalid_enum",
        `"condition" must be one of ${CONDITIONS.join(", ")}; got "${condition}".`,
        condition,
      );
  }
  const adult = text("adult");
  if (adult !== undefined) {
    const word = adult.toLowerCase();
    if (word === "yes" || word === "true") product.adult = true;
    else if (word === "no" || word === "false") product.adult = false;
    else issue("adult", "invalid_boolean", `"adult" must be yes or no; got "${adult}".`, adult);
  }
  const extra: Record<string, unknown> = {};
  for (const name in record) {
    if (HANDLED.has(name)) {
      if (name === "product_type" && productTypes.length > 1) setField(extra, name, productTypes);
      continue;
    }
    const value = record[name];
    if (typeof value === "string" ? value.trim() === "" : value === undefined || value === null) continue;
    setField(extra, name, typeof value === "string" ? value.trim() : value);
  }
  if (Object.keys(extra).length > 0) product.extra = extra;

  const key = id ?? null;
  for (const found of issues) found.item = key;
  const valid = !issues.some((found) => found.severity === "error");
  return { item: valid ? (product as Product) : null, row, key, issues, records: 1 };
}

const AMOUNT = /^\d+(?:\.\d+)?$/;
const CURRENCY = /^[A-Za-z]{3}$/;

/** "15.00 USD" (or "USD 15.00") → { amount: 15, currency: "USD" }; null when it is not a price. */
export function parsePrice(text: string): Price | null {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) return null;
  const [first = "", second = ""] = parts;
  const [amount, currency] = AMOUNT.test(first) && CURRENCY.test(second) ? [first, second] : [second, first];
  if (!AMOUNT.test(amount) || !CURRENCY.test(currency)) return null;
  return { amount: Number(amount), currency: currency.toUpperCase() };
}

function productJsonlReader(
  transformer: RecordTransformer,
  position?: ReaderPosition,
  limits: ReadLimits = {},
): ItemReader<Product> {
  const firstRow = position?.firstRow ?? 1;
  const parser = new JsonLinesParser({
    firstRow,
    detectWrongFormat: firstRow <= 1,
    maxLineChars: limits.maxRecordChars,
  });
  const columns = new Set<string>();
  const read = (lines: JsonLine[]) =>
    lines.map((line): ReadResult<Product> => {
      if (!line.ok) return brokenLineResult<Product>(line);
      for (const name in line.value) columns.add(name);
      const ctx: TransformContext = {
        row: line.row,
        issues: infiniteNumberIssues(line.value, line.text, line.row, "id"),
      };
      const record = transformer.isEmpty ? line.value : transformer.apply(line.value, ctx);
      return jsonlProduct(record, line.row, ctx.issues, line.text);
    });
  return {
    write: (text) => read(parser.write(text)),
    end: () => read(parser.end()),
    get columns() {
      return [...columns];
    },
  };
}

/**
 * A JSON-lines product: its own fields as they are; `id` (text or a whole number JSON keeps
 * exactly) is required. `line` is the JSON line, to show a number id as written.
 */
export function jsonlProduct(
  record: Record<string, unknown>,
  row: number,
  issues: Issue[],
  line?: string,
): ReadResult<Product> {
  const raw = record.id;
  let key: string | null = null;
  const idIssue = (code: Issue["code"], message: string, value: string | null) =>
    issues.push({ row, item: null, field: "id", code, severity: "error", message, value });
  if (typeof raw === "string" && raw.trim() !== "") key = raw.trim();
  else if (typeof raw === "number" && Number.isSafeInteger(raw)) key = String(raw);
  else if (typeof raw === "number") {
    // An id JSON cannot keep exactly would be another product's: the issue shows it as written.
    const problem = numericIdProblem("id", raw, line);
    key = problem.written;
    idIssue("invalid_id", problem.message, problem.written);
  } else if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    idIssue(
      "missing_field",
      `"id" is ${raw === undefined ? "missing" : "empty"}: every product needs one.`,
      null,
    );
  } else {
    idIssue("invalid_id", `"id" must be text or a number; got ${issueValue(raw)}.`, issueValue(raw));
  }
  for (const found of issues) found.item = key;
  const valid = key !== null && !issues.some((found) => found.severity === "error");
  return {
    item: valid && key !== null ? ({ ...record, id: key } as Product) : null,
    row,
    key,
    issues,
    records: 1,
  };
}
