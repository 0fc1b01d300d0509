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

/** The values of `item`'s `fields`; throws on a field the codec does not know. */
function valuesOf(item: object, fields: readonly string[], what: string): unknown[] {
  const out: unknown[] = new Array(fields.length);
  let present = 0;
  for (let i = 0; i < fields.length; i++) {
    const value = (item as Record<string, unknown>)[fields[i] as string];
    if (value !== undefined) present++;
    out[i] = value ?? null;
  }
  if (Object.keys(item).length !== present) {
    const unknown = Object.keys(item).filter((key) => !fields.includes(key));
    throw new Error(`the store has no place for the ${what} field(s) ${unknown.join(", ")}`);
  }
  return out;
}

const LINE_ITEMS_AT = CURRENT_CODEC.orderFields.indexOf("lineItems");

/** Two field values as JSON sees them: equal primitives, or arrays and objects of equal JSON. */
const sameValue = (a: unknown, b: unknown): boolean =>
  a === b ||
  (typeof a === "object" &&
    a !== null &&
    typeof b === "object" &&
    b !== null &&
    JSON.stringify(a) === JSON.stringify(b));

/** Line items: the first one's values, then each other one as [field, value, ...] where it differs. */
function encodeLines(items: LineItem[]): unknown[] {
  const out: unknown[] = [];
  let previous: unknown[] | null = null;
  for (const item of items) {
    const values = valuesOf(item, CURRENT_CODEC.lineFields, "line item");
    if (!previous) out.push(values);
    else {
      const changes: unknown[] = [];
      for (let i = 0; i < values.length; i++)
        if (!sameValue(values[i], previous[i])) changes.push(i, values[i]);
      out.push(changes);
    }
    previous = values;
  }
  return out;
}

const TIMES_AT = (CURRENT_CODEC.timeFields ?? []).map((field) => CURRENT_CODEC.orderFields.indexOf(field));
const USER_ID_TYPE_AT = CURRENT_CODEC.orderFields.indexOf("userIdType");
const USER_ID_AT = CURRENT_CODEC.orderFields.indexOf("userId");
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A hashed buyer id (email_sha256, phone_sha256: 64 hexadecimal digits) as the base64url of its
 * 32 bytes, 43 characters: unambiguous, since a hashed id of 43 characters is no hash.
 */
function hashedIdValue(type: unknown, value: unknown): unknown {
  if (
    typeof type !== "string" ||
    !type.endsWith("_sha256") ||
    typeof value !== "string" ||
    !SHA256_HEX.test(value)
  )
    return value;
  let binary = "";
  for (let i = 0; i < 64; i += 2) binary += String.fromCharCode(Number.parseInt(value.slice(i, i + 2), 16));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function hashedIdHex(type: unknown, value: unknown): unknown {
  if (
    typeof type !== "string" ||
    !type.endsWith("_sha256") ||
    typeof value !== "string" ||
    value.length !== 43
  )
    return value;
  const binary = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  let hex = "";
  for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}

/** An ISO time as milliseconds (13 digits instead of 26 characters) when it reads back the same. */
function timeValue(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value ? ms : value;
}

/** The JSON text of an order under the current codec. */
export function encodeOrder(order: Order): string {
  const values = valuesOf(order, CURRENT_CODEC.orderFields, "order");
  for (const at of TIMES_AT) values[at] = timeValue(values[at]);
  values[USER_ID_AT] = hashedIdValue(values[USER_ID_TYPE_AT], values[USER_ID_AT]);
  values[LINE_ITEMS_AT] = encodeLines(order.lineItems);
  return JSON.stringify(values);
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

/** An order read back from its row's text under the codec it was written with. */
export function decodeOrder(text: string, codec: Codec): Order {
  const values = JSON.parse(text) as unknown[];
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
 * An order as a shard stores it: [orderId, buyer, placedAt, version, lines, data]. `buyer` is the
 * hash53 of the buyer's id as stored (null without one), `placedAt` createdAt in ms, `version` the
 * hash53 of `data`, `lines` its number of line items.
 */
export type OrderRow = [string, number | null, number, number, number, string];

export function orderRow(order: Order): OrderRow {
  const data = encodeOrder(order);
  const buyer = buyerOf(order);
  const placedAt = Date.parse(order.createdAt);
  return [
    order.orderId,
    buyer ? hash53(idKey(buyer)) : null,
    Number.isFinite(placedAt) ? placedAt : 0,
    hash53(data),
    order.lineItems.length,
    data,
  ];
}

/** A product as a shard stores it: [id, version, data]. */
export type ProductRow = [string, number, string];

export function productRow(product: Product): ProductRow {
  const data = JSON.stringify(product);
  return [product.id, hash53(data), data];
}
