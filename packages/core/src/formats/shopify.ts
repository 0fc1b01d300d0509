import type { ReadConfig } from "../config";
import type { ItemReader, ReaderPosition, ReadLimits } from "../engine";
import { ImportFileError } from "../issue-codes";
import type { LineItem, LineItemStatus, Order } from "../items";
import { groupKeyText } from "../split-csv";
import { columnIndex, createGroupedOrderReader, type OrderFormat, type RowValues } from "./orders-common";
import { cents, currency, dateTime, double, integer, missingColumnsMessage, oneOf } from "./values";

/**
 * Shopify "Export orders" CSV → orders. One row per line item; rows are grouped by Name (on every
 * row); continuation rows leave the order columns empty. Columns are found by name, so current
 * (79 columns) and older, shorter exports both read.
 */

/** The columns the product description's Shopify table marks required. */
export const SHOPIFY_REQUIRED_COLUMNS = [
  "Name",
  "Id",
  "Currency",
  "Financial Status",
  "Refunded Amount",
  "Discount Amount",
  "Created at",
  "Lineitem quantity",
  "Lineitem name",
  "Lineitem price",
  "Lineitem discount",
  "Lineitem fulfillment status",
  "Lineitem sku",
] as const;

/** Older exports name some columns differently. */
const ALIASES: Readonly<Record<string, string>> = { "Fulfillment Date": "Fulfilled at" };

const FINANCIAL_STATUSES = [
  "authorized",
  "paid",
  "partially_paid",
  "pending",
  "refunded",
  "partially_refunded",
  "voided",
] as const;
const FULFILLMENT_STATUSES = ["pending", "partial", "restocked", "fulfilled"] as const;
type FinancialStatus = (typeof FINANCIAL_STATUSES)[number];
type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];
const financialStatus = oneOf(FINANCIAL_STATUSES, "invalid_status", { caseSensitive: false });
const fulfillmentStatus = oneOf(FULFILLMENT_STATUSES, "invalid_status", { caseSensitive: false });

/**
 * Shopify's order status (Financial Status) and line status (Lineitem fulfillment status) onto
 * the line-item status model (placed: not paid yet; paid: paid, not delivered; fulfilled: paid
 * and delivered; refunded; cancelled: taken out of the order):
 *
 *   Financial Status \ Lineitem fulfillment  pending   partial   fulfilled  restocked
 *   authorized, pending                      placed    placed    fulfilled  cancelled
 *   paid, partially_paid, partially_refunded paid      paid      fulfilled  refunded
 *   refunded                                 refunded  refunded  refunded   refunded
 *   voided                                   cancelled cancelled cancelled  cancelled
 *
 * "partial" is a line not wholly delivered yet; "restocked" a line that came back to stock: a
 * refund when it was paid for, a cancellation when it never was. An order with "Cancelled at"
 * set is cancelled, unless it was refunded.
 */
const STATUS_MAP: Readonly<Record<FinancialStatus, Readonly<Record<FulfillmentStatus, LineItemStatus>>>> = {
  authorized: { pending: "placed", partial: "placed", fulfilled: "fulfilled", restocked: "cancelled" },
  pending: { pending: "placed", partial: "placed", fulfilled: "fulfilled", restocked: "cancelled" },
  paid: { pending: "paid", partial: "paid", fulfilled: "fulfilled", restocked: "refunded" },
  partially_paid: { pending: "paid", partial: "paid", fulfilled: "fulfilled", restocked: "refunded" },
  partially_refunded: { pending: "paid", partial: "paid", fulfilled: "fulfilled", restocked: "refunded" },
  refunded: { pending: "refunded", partial: "refunded", fulfilled: "refunded", restocked: "refunded" },
  voided: { pending: "cancelled", partial: "cancelled", fulfilled: "cancelled", restocked: "cancelled" },
};

/** Columns the Order model has a field for (or that only drive one); every other goes under `extra`. */
const MAPPED = new Set([
  "Email",
  "Currency",
  "Subtotal",
  "Shipping",
  "Taxes",
  "Total",
  "Discount Code",
  "Discount Amount",
  "Shipping Method",
  "Shipping Country",
  "Created at",
  "Payment Method",
  "Refunded Amount",
  "Lineitem quantity",
  "Lineitem name",
  "Lineitem price",
  "Lineitem sku",
  "Lineitem fulfillment status",
  "Lineitem discount",
  "Vendor",
]);
/** Line columns the line-item model has no field for: they describe each row, not the order. */
const LINE_ONLY = new Set(["Lineitem compare at price", "Lineitem requires shipping", "Lineitem taxable"]);
/** Dates the product description types as DateTime: checked, and kept under `extra` in UTC. */
const EXTRA_DATES = new Set(["Paid at", "Fulfilled at"]);

/**
 * The line item of a row:
 *   subtotal = Lineitem price × Lineitem quantity (to the cent)
 *   discount = Lineitem discount
 *   total    = subtotal − discount
 *   tax = shipping = 0: an export has taxes and shipping per order only
 *   refund   = total when the line's status is refunded, else 0
 *   productId = Lineitem sku, or Lineitem name for a line without a SKU; id = position in the order
 *
 * No total = subtotal + tax + shipping check: Shopify's Subtotal is after discounts, and shops
 * whose prices include tax have Total = Subtotal + Shipping with Taxes only shown, so the check
 * would warn on correct exports.
 */
function shopifyFormat(orderIdColumn: "Name" | "Id") {
  return (rawHeader: readonly string[]): OrderFormat => {
    const header = rawHeader.map((h) => ALIASES[h] ?? h);
    const missing = SHOPIFY_REQUIRED_COLUMNS.filter((column) => !header.includes(column));
    if (missing.length > 0)
      throw new ImportFileError("missing_columns", missingColumnsMessage(missing, rawHeader));
    const col = columnIndex(header);
    const c = {
      name: col("Name"),
      orderId: col(orderIdColumn),
      id: col("Id"),
      email: col("Email"),
      phone: col("Phone"),
      billingPhone: col("Billing Phone"),
      financial: col("Financial Status"),
      currency: col("Currency"),
      cancelledAt: col("Cancelled at"),
      subtotal: col("Subtotal"),
      shipping: col("Shipping"),
      taxes: col("Taxes"),
      total: col("Total"),
      discountCode: col("Discount Code"),
      discount: col("Discount Amount"),
      refund: col("Refunded Amount"),
      paymentMethod: col("Payment Method"),
      shippingMethod: col("Shipping Method"),
      shippingCountry: col("Shipping Country"),
      createdAt: col("Created at"),
      quantity: col("Lineitem quantity"),
      lineName: col("Lineitem name"),
      price: col("Lineitem price"),
      sku: col("Lineitem sku"),
      fulfillment: col("Lineitem fulfillment status"),
      lineDiscount: col("Lineitem discount"),
      vendor: col("Vendor"),
    };
    const extraColumns = header.flatMap((name, i) =>
      MAPPED.has(name) || LINE_ONLY.has(name) || header.indexOf(name) !== i ? [] : [{ name, i }],
    );
    /** The order being read: its continuation rows carry none of these. */
    let open: { financial: FinancialStatus | null; cancelled: boolean; currency: string } = {
      financial: null,
      cancelled: false,
      currency: "",
    };

    const extraOf = (f: RowValues): Record<string, unknown> => {
      const extra: Record<string, unknown> = {};
      for (const { name, i } of extraColumns) {
        if (f.blank(i)) continue;
        const raw = f.raw(i);
        let value: unknown = typeof raw === "string" ? raw.trim() : raw;
        if (name === "Accepts Marketing" && typeof value === "string") {
          value = value.toLowerCase() === "yes" || value.toLowerCase() === "true";
        } else if (name.endsWith(" Zip") && typeof value === "string") {
          // Spreadsheet apps keep a zip code's leading zeros when it starts with an apostrophe.
          value = value.replace(/^'/, "");
        } else if (EXTRA_DATES.has(name)) {
          value = f.typed<unknown>(i, name, dateTime, false, value);
        }
        extra[name] = value;
      }
      return extra;
    };

    return {
      groupField: "Name",
      groupKey(values) {
        return groupKeyText(values[c.name]);
      },
      // Continuation rows repeat the buyer's e-mail (when there is one): another one is another order.
      orderFields: [{ field: "Email", index: c.email, compare: "caseless" }],
      order(f): Order {
        const orderId = f.text(c.orderId, orderIdColumn);
        // Id is required too (kept under extra when Name is the order id).
        if (orderIdColumn === "Name") f.text(c.id, "Id");
        // The buyer: the e-mail, else the order's phone, else the billing phone. Point-of-sale
        // orders and guest checkouts may have none: such an order belongs to no profile.
        const email = f.optional(c.email);
        const phone = f.optional(c.phone) ?? f.optional(c.billingPhone);
        const financial = f.typed<FinancialStatus | null>(
          c.financial,
          "Financial Status",
          financialStatus,
          true,
          null,
        );
        const orderCurrency = f.typed(c.currency, "Currency", currency, true, "");
        const createdAt = f.typed(c.createdAt, "Created at", dateTime, true, "");
        open = { financial, cancelled: !f.blank(c.cancelledAt), currency: orderCurrency };
        const code = f.optional(c.discountCode);
        return {
          orderId,
          userIdType: email ? "email" : phone ? "phone" : null,
          userId: email ?? phone ?? null,
          currency: orderCurrency,
          total: f.typed(c.total, "Total", double, false, 0),
          subtotal: f.typed(c.subtotal, "Subtotal", double, false, 0),
          tax: f.typed(c.taxes, "Taxes", double, false, 0),
          shipping: f.typed(c.shipping, "Shipping", double, false, 0),
          discount: f.typed(c.discount, "Discount Amount", double, true, 0),
          refund: f.typed(c.refund, "Refunded Amount", double, true, 0),
          paymentMethod: f.optional(c.paymentMethod),
          shippingMethod: f.optional(c.shippingMethod),
          shippingCountry: f.optional(c.shippingCountry),
          // Several codes are listed with commas.
          promotions: code
            ? code
                .split(",")
                .map((p) => p.trim())
                .filter((p) => p !== "")
            : [],
          createdAt,
          lastUpdated: null,
          lineItems: [],
          extra: extraOf(f),
        };
      },
      lineItem(f, position): LineItem {
        const quantity = f.typed(c.quantity, "Lineitem quantity", integer, true, 0);
        if (quantity < 0) {
          f.issue({
            field: "Lineitem quantity",
            code: "negative_quantity",
            severity: "error",
            message: `"Lineitem quantity" cannot be negative; got ${quantity}.`,
            value: String(f.raw(c.quantity)).trim(),
          });
        }
        const name = f.text(c.lineName, "Lineitem name");
        const price = f.typed(c.price, "Lineitem price", double, true, 0);
        const sku = f.optional(c.sku);
        if (!sku && f.raw(c.sku) !== undefined) {
          // Real exports have lines without a SKU (custom items, gift cards, tips). The product
          // description marks it required, but refusing them would drop real orders: it warns.
          f.issue({
            field: "Lineitem sku",
            code: "missing_field",
            severity: "warning",
            message: '"Lineitem sku" is empty: the line item is imported with its name as the product id.',
            value: null,
          });
        }
        const fulfillment = f.typed<FulfillmentStatus>(
          c.fulfillment,
          "Lineitem fulfillment status",
          fulfillmentStatus,
          true,
          "pending",
        );
        const discount = f.typed(c.lineDiscount, "Lineitem discount", double, true, 0);
        let status = STATUS_MAP[open.financial ?? "pending"][fulfillment];
        if (open.cancelled && status !== "refunded") status = "cancelled";
        const subtotal = cents(price) * quantity;
        const total = (subtotal - cents(discount)) / 100;
        return {
          id: String(position),
          productId: sku ?? name,
          itemGroupId: null,
          name,
          sku: sku ?? "",
          brand: f.optional(c.vendor),
          category: null,
          categoryList: [],
          currency: open.currency,
          total,
          subtotal: subtotal / 100,
          tax: 0,
          shipping: 0,
          discount,
          refund: status === "refunded" ? total : 0,
          quantity,
          promotions: [],
          adult: false,
          subscriptionDuration: null,
          size: null,
          sizeSystem: null,
          status,
        };
      },
    };
  };
}

/** shopify_csv → orders; the order id is the Name column, or Id with options.orderIdColumn "Id". */
export function createShopifyReader(
  config: ReadConfig,
  position?: ReaderPosition,
  limits?: ReadLimits,
): ItemReader<Order> {
  return createGroupedOrderReader(
    config,
    position,
    shopifyFormat(config.options.orderIdColumn ?? "Name"),
    limits,
  );
}
