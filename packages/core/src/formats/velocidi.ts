import type { ReadConfig } from "../config";
import type { ItemReader, ReaderPosition, ReadLimits } from "../engine";
import { checkUserId, idTypeOf, isMissingId } from "../ids";
import { ImportFileError } from "../issue-codes";
import type { LineItem, Order } from "../items";
import { ORDER_STATUSES } from "../order-statuses";
import { groupKeyText } from "../split-csv";
import { columnIndex, createGroupedOrderReader, type OrderFormat, type RowValues } from "./orders-common";
import {
  boolean,
  cents,
  currency,
  dateTime,
  double,
  integer,
  long,
  missingColumnsMessage,
  oneOf,
  parseList,
} from "./values";

/**
 * velocidi_csv: one row per line item, the Order and LineItem fields of the product
 * description's table as columns (line item columns prefixed `lineItem_`). Column names are case
 * sensitive; unknown columns are ignored.
 */

/** The required columns of the table. */
export const VELOCIDI_REQUIRED_COLUMNS = [
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
  "createdAt",
  "lineItem_productId",
  "lineItem_sku",
  "lineItem_currency",
  "lineItem_total",
  "lineItem_subtotal",
  "lineItem_tax",
  "lineItem_shipping",
  "lineItem_discount",
  "lineItem_refund",
  "lineItem_quantity",
  "lineItem_status",
] as const;

/** Every column the format reads; any other is ignored. */
export const VELOCIDI_COLUMNS = [
  ...VELOCIDI_REQUIRED_COLUMNS,
  "paymentMethod",
  "shippingMethod",
  "shippingCountry",
  "promotions",
  "lastUpdated",
  "lineItem_id",
  "lineItem_itemGroupId",
  "lineItem_name",
  "lineItem_brand",
  "lineItem_category",
  "lineItem_categoryList",
  "lineItem_promotions",
  "lineItem_adult",
  "lineItem_subscriptionDuration",
  "lineItem_size",
  "lineItem_sizeSystem",
] as const;

/** A user id that is no id ("none", "null") or not of its type (an e-mail without @) is an issue. */
function checkOrderUserId(f: RowValues, type: string, id: string): void {
  const problem = isMissingId(id)
    ? {
        code: "missing_field" as const,
        message: `"userId" is "${id}", which is not a user id: every order needs one.`,
      }
    : checkUserId(type, id);
  if (problem)
    f.issue({ field: "userId", code: problem.code, severity: "error", message: problem.message, value: id });
}

/** Statuses are written in lower case, as the table lists them. */
const status = oneOf(ORDER_STATUSES, "invalid_status", { caseSensitive: true });

function velocidiFormat(header: readonly string[]): OrderFormat {
  const missing = VELOCIDI_REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0)
    throw new ImportFileError("missing_columns", missingColumnsMessage(missing, header));
  const col = columnIndex(header);
  const c = {
    orderId: col("orderId"),
    userIdType: col("userIdType"),
    userId: col("userId"),
    currency: col("currency"),
    total: col("total"),
    subtotal: col("subtotal"),
    tax: col("tax"),
    shipping: col("shipping"),
    discount: col("discount"),
    refund: col("refund"),
    paymentMethod: col("paymentMethod"),
    shippingMethod: col("shippingMethod"),
    shippingCountry: col("shippingCountry"),
    promotions: col("promotions"),
    createdAt: col("createdAt"),
    lastUpdated: col("lastUpdated"),
    id: col("lineItem_id"),
    productId: col("lineItem_productId"),
    itemGroupId: col("lineItem_itemGroupId"),
    name: col("lineItem_name"),
    sku: col("lineItem_sku"),
    brand: col("lineItem_brand"),
    category: col("lineItem_category"),
    categoryList: col("lineItem_categoryList"),
    liCurrency: col("lineItem_currency"),
    liTotal: col("lineItem_total"),
    liSubtotal: col("lineItem_subtotal"),
    liTax: col("lineItem_tax"),
    liShipping: col("lineItem_shipping"),
    liDiscount: col("lineItem_discount"),
    liRefund: col("lineItem_refund"),
    quantity: col("lineItem_quantity"),
    liPromotions: col("lineItem_promotions"),
    adult: col("lineItem_adult"),
    subscriptionDuration: col("lineItem_subscriptionDuration"),
    size: col("lineItem_size"),
    sizeSystem: col("lineItem_sizeSystem"),
    status: col("lineItem_status"),
  };

  const quantityOf = (f: RowValues) => {
    const quantity = f.typed(c.quantity, "lineItem_quantity", integer, true, 0);
    if (quantity < 0) {
      f.issue({
        field: "lineItem_quantity",
        code: "negative_quantity",
        severity: "error",
        message: `"lineItem_quantity" cannot be negative; got ${quantity}.`,
        value: String(f.raw(c.quantity)).trim(),
      });
    }
    return quantity;
  };

  /** The lineItem_id values of the order being read: one written twice is an issue. */
  const lineItemIds = new Set<string>();

  return {
    groupField: "orderId",
    groupKey(values) {
      return groupKeyText(values[c.orderId]);
    },
    orderFields: [
      { field: "userIdType", index: c.userIdType, compare: "text" },
      { field: "userId", index: c.userId, compare: "caseless" },
      { field: "currency", index: c.currency, compare: "caseless" },
      { field: "total", index: c.total, compare: "number" },
      { field: "subtotal", index: c.subtotal, compare: "number" },
      { field: "tax", index: c.tax, compare: "number" },
      { field: "shipping", index: c.shipping, compare: "number" },
      { field: "discount", index: c.discount, compare: "number" },
      { field: "refund", index: c.refund, compare: "number" },
      { field: "paymentMethod", index: c.paymentMethod, compare: "text" },
      { field: "shippingMethod", index: c.shippingMethod, compare: "text" },
      { field: "shippingCountry", index: c.shippingCountry, compare: "text" },
      { field: "promotions", index: c.promotions, compare: "text" },
      { field: "createdAt", index: c.createdAt, compare: "instant" },
      { field: "lastUpdated", index: c.lastUpdated, compare: "instant" },
    ],
    order(f): Order {
      lineItemIds.clear();
      const orderId = f.text(c.orderId, "orderId");
      const userIdType = idTypeOf(f.text(c.userIdType, "userIdType"));
      const userId = f.text(c.userId, "userId");
      if (userId !== "") checkOrderUserId(f, userIdType, userId);
      const orderCurrency = f.typed(c.currency, "currency", currency, true, "");
      const before = f.issues.length;
      const total = f.typed(c.total, "total", double, true, 0);
      const subtotal = f.typed(c.subtotal, "subtotal", double, true, 0);
      const tax = f.typed(c.tax, "tax", double, true, 0);
      const shipping = f.typed(c.shipping, "shipping", double, true, 0);
      if (f.issues.length === before) checkTotal(f, total, subtotal, tax, shipping, ORDER_MONEY);
      return {
        orderId,
        userIdType,
        userId,
        currency: orderCurrency,
        total,
        subtotal,
        tax,
        shipping,
        discount: f.typed(c.discount, "discount", double, true, 0),
        refund: f.typed(c.refund, "refund", double, true, 0),
        paymentMethod: f.optional(c.paymentMethod),
        shippingMethod: f.optional(c.shippingMethod),
        shippingCountry: f.optional(c.shippingCountry),
        promotions: parseList(f.raw(c.promotions)),
        createdAt: f.typed(c.createdAt, "createdAt", dateTime, true, ""),
        lastUpdated: f.typed<string | null>(c.lastUpdated, "lastUpdated", dateTime, false, null),
        lineItems: [],
      };
    },
    lineItem(f, position): LineItem {
      // Line items without an id are identified by their position in the order.
      const written = f.optional(c.id);
      if (written !== null && lineItemIds.has(written)) {
        f.issue({
          field: "lineItem_id",
          code: "duplicate_line_item",
          severity: "error",
          message: `"lineItem_id" "${written}" is already a line item of this order: each line item of an order has its own id. Is this row's orderId missing?`,
          value: written,
        });
      }
      if (written !== null) lineItemIds.add(written);
      const id = written ?? String(position);
      const productId = f.text(c.productId, "lineItem_productId");
      const itemGroupId = f.optional(c.itemGroupId);
      const name = f.optional(c.name);
      const sku = f.text(c.sku, "lineItem_sku");
      const brand = f.optional(c.brand);
      const category = f.optional(c.category);
      const categoryList = parseList(f.raw(c.categoryList));
      const lineCurrency = f.typed(c.liCurrency, "lineItem_currency", currency, true, "");
      const before = f.issues.length;
      const total = f.typed(c.liTotal, "lineItem_total", double, true, 0);
      const subtotal = f.typed(c.liSubtotal, "lineItem_subtotal", double, true, 0);
      const tax = f.typed(c.liTax, "lineItem_tax", double, true, 0);
      const shipping = f.typed(c.liShipping, "lineItem_shipping", double, true, 0);
      if (f.issues.length === before) checkTotal(f, total, subtotal, tax, shipping, LINE_MONEY);
      return {
        id,
        productId,
        itemGroupId,
        name,
        sku,
        brand,
        category,
        categoryList,
        currency: lineCurrency,
        total,
        subtotal,
        tax,
        shipping,
        discount: f.typed(c.liDiscount, "lineItem_discount", double, true, 0),
        refund: f.typed(c.liRefund, "lineItem_refund", double, true, 0),
        quantity: quantityOf(f),
        promotions: parseList(f.raw(c.liPromotions)),
        // Defaults to false when empty, as the table says.
        adult: f.typed(c.adult, "lineItem_adult", boolean, false, false),
        subscriptionDuration: f.typed<number | null>(
          c.subscriptionDuration,
          "lineItem_subscriptionDuration",
          long,
          false,
          null,
        ),
        size: f.optional(c.size),
        sizeSystem: f.optional(c.sizeSystem),
        status: f.typed(c.status, "lineItem_status", status, true, "placed"),
      };
    },
  };
}

const ORDER_MONEY = { total: "total", subtotal: "subtotal", tax: "tax", shipping: "shipping" };
const LINE_MONEY = {
  total: "lineItem_total",
  subtotal: "lineItem_subtotal",
  tax: "lineItem_tax",
  shipping: "lineItem_shipping",
};

/**
 * The product description's rule total = subtotal + tax + shipping, for an order (names
 * ORDER_MONEY) or a line item (LINE_MONEY), checked to the cent once all four could be read (an
 * unreadable one is already an issue): a mismatch is worth a look, not a rejection (a warning).
 */
function checkTotal(
  f: RowValues,
  total: number,
  subtotal: number,
  tax: number,
  shipping: number,
  names: typeof ORDER_MONEY,
): void {
  const sum = cents(subtotal) + cents(tax) + cents(shipping);
  if (cents(total) === sum) return;
  f.issue({
    field: names.total,
    code: "total_mismatch",
    severity: "warning",
    message: `"${names.total}" (${total}) is not ${names.subtotal} + ${names.tax} + ${names.shipping} (${sum / 100}).`,
    value: String(total),
  });
}

/** velocidi_csv → orders with their line items. */
export function createVelocidiReader(
  config: ReadConfig,
  position?: ReaderPosition,
  limits?: ReadLimits,
): ItemReader<Order> {
  return createGroupedOrderReader(config, position, velocidiFormat, limits);
}
