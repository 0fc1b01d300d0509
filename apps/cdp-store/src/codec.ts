import type { LineItem, Order, Product } from "@cdp/core";
import { buyerOf, idKey } from "./ids";
import { hash53 } from "./names";

/**
 * How an order is kept in one row: a JSON array of its field values in the field order of a
 * codec, its line items (at the place of `lineItems`) an array: the first line item's values,
 * then each other line item as the fields where it differs from the one before it, as pairs
 * [field number, value, field number, value, ...] (the lines of an order share most of their
 * values: currency, brand, status...). Field names are stored once per object (table `codecs`),
 * not in every row: with them, an order of the Velocidi CSV takes twice the room. A row keeps the
 * id of the codec it was written with, so rows written before a field was added read back.
 *
 * Rows are encoded where the items are read (the queue consumers, which scale out), once, and a
 * shard stores the text as it is: the single-threaded shard does no per-field work.
 */
export interface Codec {
  orderFields: readonly string[];
  lineFields: readonly string[];
  /** Order fields of ISO 8601 times in UTC, kept as milliseconds when they read back the same. */
  timeFields?: readonly string[];
}

/** The fields of Order and LineItem (@cdp/core's schemas) in their declared order; a test keeps them equal. */
export const CURRENT_CODEC: Codec = {
  orderFields: [
    "orderId",
    "userIdType",
    "userId",
    "currency",
    "total",
    "subtotal",
    "tax",
    "shipping",
    "discount",
    "refund",
    "paymentMethod",
    "shippingMethod",
    "shippingCountry",
    "promotions",
    "createdAt",
    "lastUpdated",
    "lineItems",
    "extra",
  ],
  lineFields: [
    "id",
    "productId",
    "itemGroupId",
    "name",
    "sku",
    "brand",
    "category",
    "categoryList",
    "currency",
    "total",
    "subtotal",
    "tax",
    "shipping",
    "discount",
    "refund",
    "quantity",
    "promotions",
    "adult",
    "subscriptionDuration",
    "size",
    "sizeSystem",
    "status",
  ],
  timeFields: ["createdAt", "lastUpdated"],
};

export const CURRENT_CODEC_TEXT = JSON.stringify(CURRENT_CODEC);

/** Order fields that may be absent (Shopify's `extra`): written as null, left out when read. */
const OPTIONAL_ORDER_FIELDS = new Set(["extra"]);

/**
 * An order's values in CURRENT_CODEC's field order, into `out`. Each field is read by its name:
 * read by a name computed from the codec's list, as before, encoding 100,000 orders took a sixth
 * longer. A test keeps these reads in the codec's order, and the check below refuses any field
 * they leave out.
 */
function orderValues(x: Order, out: unknown[]): unknown[] {
  out[0] = x.orderId;
  out[1] = x.userIdType;
  out[2] = x.userId;
  out[3] = x.currency;
  out[4] = x.total;
  out[5] = x.subtotal;
  out[6] = x.tax;
  out[7] = x.shipping;
  out[8] = x.discount;
  out[9] = x.refund;
  out[10] = x.paymentMethod;
  out[11] = x.shippingMethod;
  out[12] = x.shippingCountry;
  out[13] = x.promotions;
  out[14] = x.createdAt;
  out[15] = x.lastUpdated;
  out[16] = x.lineItems;
  out[17] = x.extra;
  return out;
}

/** A line item's values in CURRENT_CODEC's field order, into `out` (as orderValues). */
function lineValues(x: LineItem, out: unknown[]): unknown[] {
  out[0] = x.id;
  out[1] = x.productId;
  out[2] = x.itemGroupId;
  out[3] = x.name;
  out[4] = x.sku;
  out[5] = x.brand;
  out[6] = x.category;
  out[7] = x.categoryList;
  out[8] = x.currency;
  out[9] = x.total;
  out[10] = x.subtotal;
  out[11] = x.tax;
  out[12] = x.shipping;
  out[13] = x.discount;
  out[14] = x.refund;
  out[15] = x.quantity;
  out[16] = x.promotions;
  out[17] = x.adult;
  out[18] = x.subscriptionDuration;
  out[19] = x.size;
  out[20] = x.sizeSystem;
  out[21] = x.status;
  return out;
}

/** Absent values as null; throws unless every field `item` has a value in is one of `values`'. */
function checked(item: object, values: unknown[], fields: readonly string[], what: string): unknown[] {
  let present = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === undefined) values[i] = null;
    else present++;
  }
  // Every field it has with a value is one of the codec's: counted, not listed (no array per item).
  let keys = 0;
  for (const key in item) if ((item as Record<string, unknown>)[key] !== undefined) keys++;
  if (keys !== present) {
    const unknown = Object.keys(item).filter((key) => !fields.includes(key));
    throw new Error(`the store has no place for the ${what} field(s) ${unknown.join(", ")}`);
  }
  return values;
}

const LINE_ITEMS_AT = CURRENT_CODEC.orderFields.indexOf("lineItems");

/** Two field values as JSON sees them: equal primitives, or arrays and objects of equal JSON. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    // Lists of text (categoryList, promotions) without a JSON text of each.
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !sameValue(a[i], b[i])) return false;
    return true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The values of the line item before, and of the one being encoded (reused, not kept). */
let before: unknown[] = new Array(CURRENT_CODEC.lineFields.length);
let current: unknown[] = new Array(CURRENT_CODEC.lineFields.length);

/** Line items: the first one's values, then each other one as [field, value, ...] where it differs. */
function encodeLines(items: LineItem[]): unknown[] {
  const out: unknown[] = [];
  const fields = CURRENT_CODEC.lineFields;
  for (let n = 0; n < items.length; n++) {
    const item = items[n] as LineItem;
    const values = checked(item, lineValues(item, current), fields, "line item");
    if (n === 0) out.push(values.slice());
    else {
      const changes: unknown[] = [];
      for (let i = 0; i < values.length; i++)
        if (!sameValue(values[i], before[i])) changes.push(i, values[i]);
      out.push(changes);
    }
    current = before;
    before = values;
  }
  return out;
}

const ORDER_FIELDS = CURRENT_CODEC.orderFields.length;
const TIMES_AT = (CURRENT_CODEC.timeFields ?? []).map((field) => CURRENT_CODEC.orderFields.indexOf(field));
const USER_ID_TYPE_AT = CURRENT_CODEC.orderFields.indexOf("userIdType");
const USER_ID_AT = CURRENT_CODEC.orderFields.indexOf("userId");

/**
 * A hashed buyer id (email_sha256, phone_sha256: 64 hexadecimal digits) as the base64url of its
 * 32 bytes, 43 characters: unambiguous, since a hashed id of 43 characters is no hash.
 */
function hashedIdValue(type: unknown, value: unknown): unknown {
  if (
    typeof type !== "string" ||
    !type.endsWith("_sha256") ||
    typeof value !== "string" ||
    value.length !== 64
  )
    return value;
  // 64 hex digits are 256 bits: 42 base64 digits of 6 bits and one of 4.
  let bits = 0;
  let held = 0;
  let at = 0;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    // Lowercase hexadecimal digits only: any other text is kept as it is.
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return value;
    held = ((held << 4) | digit) & 0xfff;
    bits += 4;
    if (bits >= 6) {
      bits -= 6;
      BASE64_CODES[at++] = BASE64URL.charCodeAt((held >> bits) & 63);
    }
  }
  BASE64_CODES[at] = BASE64URL.charCodeAt((held << (6 - bits)) & 63);
  // One string from the 43 codes, rather than 43 concatenations.
  return String.fromCharCode.apply(null, BASE64_CODES);
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64_CODES: number[] = new Array(43).fill(0);

function hashedIdHex(type: unknown, value: unknown): unknown {
  if (
    typeof type !== "string" ||
    !type.endsWith("_sha256") ||
    typeof value !== "string" ||
    value.length !== 43
  )
    return value;
  let hex = "";
  let bits = 0;
  let held = 0;
  for (let i = 0; i < 43; i++) {
    held = ((held << 6) | BASE64URL.indexOf(value[i] as string)) & 0xffff;
    bits += 6;
    while (bits >= 4 && hex.length < 64) {
      bits -= 4;
      hex += ((held >> bits) & 15).toString(16);
    }
  }
  return hex;
}

const digits = (text: string, at: number, count: number): number => {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
};

/**
 * The milliseconds of a time written exactly as toISOString writes it (YYYY-MM-DDTHH:MM:SS.sssZ,
 * a real date), or null: only such a text reads back the same from its milliseconds.
 */
export function isoMilliseconds(text: string): number | null {
  if (text.length !== 24 || text[4] !== "-" || text[7] !== "-" || text[10] !== "T" || text[13] !== ":")
    return null;
  if (text[16] !== ":" || text[19] !== "." || text[23] !== "Z") return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return null;
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > daysInMonth) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** An ISO time as milliseconds (13 digits instead of 26 characters) when it reads back the same. */
function timeValue(value: unknown): unknown {
  return typeof value === "string" ? (isoMilliseconds(value) ?? value) : value;
}

/**
 * The most characters of line items one row holds. An order whose text is longer keeps its line
 * items in pages of about this size (table order_pages), each within the 2 MB a row may have: the
 * order's own fields and each line item are at most 512 Ki characters (the transform Worker
 * refuses larger ones), at most 3 bytes each in UTF-8.
 */
export const PAGE_CHARS = 384 * 1024;

/**
 * An order under the current codec: the JSON text of its row, and the pages of its line items
 * when they are too long for the row (the row then holds none; read back, the pages follow).
 */
export function encodeOrder(order: Order): { data: string; pages: string[] } {
  const values = checked(
    order,
    orderValues(order, new Array(ORDER_FIELDS)),
    CURRENT_CODEC.orderFields,
    "order",
  );
  for (const at of TIMES_AT) values[at] = timeValue(values[at]);
  values[USER_ID_AT] = hashedIdValue(values[USER_ID_TYPE_AT], values[USER_ID_AT]);
  const lines = encodeLines(order.lineItems);
  values[LINE_ITEMS_AT] = lines;
  const data = JSON.stringify(values);
  if (data.length <= PAGE_CHARS) return { data, pages: [] };
  values[LINE_ITEMS_AT] = [];
  const pages: string[] = [];
  let page: string[] = [];
  let size = 0;
  for (const line of lines) {
    const text = JSON.stringify(line);
    if (page.length > 0 && size + text.length > PAGE_CHARS) {
      pages.push(`[${page.join(",")}]`);
      page = [];
      size = 0;
    }
    page.push(text);
    size += text.length + 1;
  }
  if (page.length > 0) pages.push(`[${page.join(",")}]`);
  return { data: JSON.stringify(values), pages };
}

/** Line items back from encodeLines' form, under the codec's line fields. */
function decodeLines(lines: unknown[][], fields: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let previous: unknown[] = [];
  lines.forEach((line, n) => {
    let values = line;
    if (n > 0) {
      values = [...previous];
      for (let i = 0; i < line.length; i += 2) values[line[i] as number] = line[i + 1];
    }
    const item: Record<string, unknown> = {};
    fields.forEach((name, j) => {
      // A copied array is not shared between two line items of the answer.
      const value = values[j];
      item[name] = Array.isArray(value) ? [...value] : value;
    });
    out.push(item);
    previous = values;
  });
  return out;
}

/** An order read back from its row's text (and its line items' pages) under the codec it was written with. */
export function decodeOrder(text: string, codec: Codec, pages: readonly string[] = []): Order {
  const values = JSON.parse(text) as unknown[];
  if (pages.length > 0) {
    const at = codec.orderFields.indexOf("lineItems");
    values[at] = [
      ...((values[at] ?? []) as unknown[]),
      ...pages.flatMap((page) => JSON.parse(page) as unknown[]),
    ];
  }
  const order: Record<string, unknown> = {};
  const times = new Set(codec.timeFields ?? []);
  const type = values[codec.orderFields.indexOf("userIdType")];
  codec.orderFields.forEach((field, i) => {
    const stored = field === "userId" ? hashedIdHex(type, values[i]) : values[i];
    const value = times.has(field) && typeof stored === "number" ? new Date(stored).toISOString() : stored;
    if (field === "lineItems") order.lineItems = decodeLines((value ?? []) as unknown[][], codec.lineFields);
    else if (value !== null || !OPTIONAL_ORDER_FIELDS.has(field)) order[field] = value;
  });
  return order as Order;
}

/**
 * An order as a shard stores it: [orderId, buyer, placedAt, version, lines, data, pages]. `buyer`
 * is the hash53 of the buyer's id as stored (null without one), `placedAt` createdAt in ms,
 * `version` the hash53 of its text, `lines` its number of line items, `pages` its line items'
 * pages when its row cannot hold them (usually none).
 */
export type OrderRow = [string, number | null, number, number, number, string, string[]];

export function orderRow(order: Order): OrderRow {
  const { data, pages } = encodeOrder(order);
  const buyer = buyerOf(order);
  const placedAt = isoMilliseconds(order.createdAt) ?? Date.parse(order.createdAt);
  return [
    order.orderId,
    buyer ? hash53(idKey(buyer)) : null,
    Number.isFinite(placedAt) ? placedAt : 0,
    hash53(pages.length === 0 ? data : `${data}\n${pages.join("\n")}`),
    order.lineItems.length,
    data,
    pages,
  ];
}

/** A product as a shard stores it: [id, version, data]. */
export type ProductRow = [string, number, string];

export function productRow(product: Product): ProductRow {
  const data = JSON.stringify(product);
  return [product.id, hash53(data), data];
}
