import type { LineItem, Order, Product } from "@cdp/core";
import { buyerOf, idKey } from "./ids";
import { hash53 } from "./names";

/**
 * How an order is kept in one row: a JSON array of its field values in the field order of a
 * codec, its line items (at the place of `lineItems`) an array of arrays of values. Field names
 * are stored once per object (table `codecs`), not in every row: they are most of an order's
 * JSON (an order of the Velocidi CSV is 2.2 times smaller without them). A row keeps the id of
 * the codec it was written with, so rows written before a field was added to Order read back.
 *
 * Rows are encoded where the items are read (the queue consumers, which scale out), once, and a
 * shard stores the text as it is: the single-threaded shard does no per-field work.
 */
export interface Codec {
  orderFields: readonly string[];
  lineFields: readonly string[];
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

/** The JSON text of an order under the current codec. */
export function encodeOrder(order: Order): string {
  const values = valuesOf(order, CURRENT_CODEC.orderFields, "order");
  values[LINE_ITEMS_AT] = order.lineItems.map((item: LineItem) =>
    valuesOf(item, CURRENT_CODEC.lineFields, "line item"),
  );
  return JSON.stringify(values);
}

/** An order read back from its row's text under the codec it was written with. */
export function decodeOrder(text: string, codec: Codec): Order {
  const values = JSON.parse(text) as unknown[];
  const order: Record<string, unknown> = {};
  codec.orderFields.forEach((field, i) => {
    const value = values[i];
    if (field === "lineItems") {
      order.lineItems = ((value ?? []) as unknown[][]).map((line) => {
        const item: Record<string, unknown> = {};
        codec.lineFields.forEach((name, j) => {
          item[name] = line[j];
        });
        return item;
      });
    } else if (value !== null || !OPTIONAL_ORDER_FIELDS.has(field)) order[field] = value;
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
