import type { ReadConfig } from "../config";
import type { ItemReader, ReaderPosition } from "../engine";
import { ImportFileError, type Issue } from "../issues";
import { type LineItem, type LineItemStatus, ORDER_STATUSES, type Order } from "../items";
import {
  createGroupedOrderReader,
  fieldReader,
  isBlank,
  type OrderFormat,
  optionalText,
  requiredText,
  typed,
} from "./orders-common";
import {
  cents,
  missingColumnsMessage,
  type Parsed,
  parseBoolean,
  parseCurrency,
  parseDateTime,
  parseDouble,
  parseInteger,
  parseList,
  parseLong,
} from "./values";

/** The Velocidi CSV columns of the product description's table, and which are required. */
const REQUIRED_COLUMNS = [
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

const statuses = new Set<string>(ORDER_STATUSES);
function parseStatus(raw: unknown): Parsed<LineItemStatus> {
  const text = typeof raw === "string" ? raw.trim() : "";
  return statuses.has(text)
    ? { ok: true, value: text as LineItemStatus }
    : { ok: false, code: "invalid_status", expected: `one of ${ORDER_STATUSES.join(", ")}` };
}

function velocidiFormat(header: readonly string[]): OrderFormat {
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0)
    throw new ImportFileError("missing_columns", missingColumnsMessage(missing, header));
  const f = fieldReader(header);
  const col = (name: string) => f.indexOf(name);
  const at = (values: readonly unknown[], i: number) => f.value(values, i);
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
  const required = { required: true, fallback: 0 };
  const money = (values: readonly unknown[], i: number, field: string, row: number, issues: Issue[]) =>
    typed(parseDouble, at(values, i), field, row, issues, required);

  return {
    groupKey: (values) => {
      const value = at(values, c.orderId);
      return isBlank(value) ? "" : String(value).trim();
    },
    order: (values, row, issues) => ({
      orderId: requiredText(at(values, c.orderId), "orderId", row, issues),
      userIdType: requiredText(at(values, c.userIdType), "userIdType", row, issues),
      userId: requiredText(at(values, c.userId), "userId", row, issues),
      currency: typed(parseCurrency, at(values, c.currency), "currency", row, issues, {
        required: true,
        fallback: "",
      }),
      total: money(values, c.total, "total", row, issues),
      subtotal: money(values, c.subtotal, "subtotal", row, issues),
      tax: money(values, c.tax, "tax", row, issues),
      shipping: money(values, c.shipping, "shipping", row, issues),
      discount: money(values, c.discount, "discount", row, issues),
      refund: money(values, c.refund, "refund", row, issues),
      paymentMethod: optionalText(at(values, c.paymentMethod)),
      shippingMethod: optionalText(at(values, c.shippingMethod)),
      shippingCountry: optionalText(at(values, c.shippingCountry)),
      promotions: parseList(at(values, c.promotions)),
      createdAt: typed(parseDateTime, at(values, c.createdAt), "createdAt", row, issues, {
        required: true,
        fallback: "",
      }),
      lastUpdated:
        typed(parseDateTime, at(values, c.lastUpdated), "lastUpdated", row, issues, {
          required: false,
          fallback: "",
        }) || null,
    }),
    lineItem: (values, row, position, issues): LineItem => {
      const quantity = typed(
        parseInteger,
        at(values, c.quantity),
        "lineItem_quantity",
        row,
        issues,
        required,
      );
      if (quantity < 0) {
        issues.push({
          row,
          item: null,
          field: "lineItem_quantity",
          code: "negative_quantity",
          severity: "error",
          message: `"lineItem_quantity" cannot be negative; got ${quantity}.`,
          value: String(at(values, c.quantity)).trim(),
        });
      }
      const duration = typed(
        parseLong,
        at(values, c.subscriptionDuration),
        "lineItem_subscriptionDuration",
        row,
        issues,
        {
          required: false,
          fallback: Number.NaN,
        },
      );
      return {
        id: optionalText(at(values, c.id)) ?? String(position),
        productId: requiredText(at(values, c.productId), "lineItem_productId", row, issues),
        itemGroupId: optionalText(at(values, c.itemGroupId)),
        name: optionalText(at(values, c.name)),
        sku: requiredText(at(values, c.sku), "lineItem_sku", row, issues),
        brand: optionalText(at(values, c.brand)),
        category: optionalText(at(values, c.category)),
        categoryList: parseList(at(values, c.categoryList)),
        currency: typed(parseCurrency, at(values, c.liCurrency), "lineItem_currency", row, issues, {
          required: true,
          fallback: "",
        }),
        total: money(values, c.liTotal, "lineItem_total", row, issues),
        subtotal: money(values, c.liSubtotal, "lineItem_subtotal", row, issues),
        tax: money(values, c.liTax, "lineItem_tax", row, issues),
        shipping: money(values, c.liShipping, "lineItem_shipping", row, issues),
        discount: money(values, c.liDiscount, "lineItem_discount", row, issues),
        refund: money(values, c.liRefund, "lineItem_refund", row, issues),
        quantity,
        promotions: parseList(at(values, c.liPromotions)),
        adult: typed(parseBoolean, at(values, c.adult), "lineItem_adult", row, issues, {
          required: false,
          fallback: false,
        }),
        subscriptionDuration: Number.isNaN(duration) ? null : duration,
        size: optionalText(at(values, c.size)),
        sizeSystem: optionalText(at(values, c.sizeSystem)),
        status: typed(parseStatus, at(values, c.status), "lineItem_status", row, issues, {
          required: true,
          fallback: "placed",
        }),
      };
    },
    finish: (order, rows, issues) => {
      const row = rows[0] ?? 0;
      // A total that could not be read is already an issue; its sum would only repeat it.
      const unreadable = new Set(
        issues.filter((i) => i.severity === "error").map((i) => `${i.row}:${i.field}`),
      );
      const readable = (prefix: string, at: number) =>
        ["total", "subtotal", "tax", "shipping"].every((f) => !unreadable.has(`${at}:${prefix}${f}`));
      // total = subtotal + tax + shipping, to the cent: a mismatch is worth a look, not a rejection.
      const check = (
        total: number,
        subtotal: number,
        tax: number,
        shipping: number,
        prefix: string,
        at: number,
      ) => {
        if (readable(prefix, at) && cents(total) !== cents(subtotal) + cents(tax) + cents(shipping)) {
          issues.push({
            row: at,
            item: null,
            field: `${prefix}total`,
            code: "total_mismatch",
            severity: "warning",
            message: `"${prefix}total" (${total}) is not ${prefix}subtotal + ${prefix}tax + ${prefix}shipping (${(cents(subtotal) + cents(tax) + cents(shipping)) / 100}).`,
            value: String(total),
          });
        }
      };
      check(order.total, order.subtotal, order.tax, order.shipping, "", row);
      order.lineItems.forEach((li, i) => {
        check(li.total, li.subtotal, li.tax, li.shipping, "lineItem_", rows[i] ?? row);
      });
    },
  };
}

/** velocidi_csv → orders with their line items. */
export function createVelocidiReader(config: ReadConfig, position?: ReaderPosition): ItemReader<Order> {
  return createGroupedOrderReader(config, position, velocidiFormat);
}
