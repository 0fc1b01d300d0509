import type { ReadConfig } from "../config";
import type { ItemReader, ReaderPosition } from "../engine";
import { ImportFileError, type Issue } from "../issues";
import type { LineItem, LineItemStatus, Order } from "../items";
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
  parseCurrency,
  parseDateTime,
  parseDouble,
  parseInteger,
} from "./values";

/**
 * Shopify "Export orders" CSV → orders. One row per line item; rows are grouped by Name (on every
 * row); continuation rows leave the order columns empty. Columns are found by name, so current
 * (79 columns) and older, shorter exports both read.
 */

/** Columns without which no order can be read. */
const REQUIRED_COLUMNS = [
  "Name",
  "Currency",
  "Financial Status",
  "Created at",
  "Lineitem quantity",
  "Lineitem name",
  "Lineitem price",
  "Lineitem sku",
  "Lineitem fulfillment status",
] as const;

/** Older exports name some columns differently. */
const ALIASES: Record<string, string> = { "Fulfillment Date": "Fulfilled at" };

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

/**
 * Shopify's order and line statuses onto the line-item status model:
 *
 *   Financial Status \ Lineitem fulfillment:  pending  partial  fulfilled  restocked
 *   authorized, pending                       placed   placed   fulfilled  cancelled
 *   paid, partially_paid, partially_refunded  paid     paid     fulfilled  refunded
 *   refunded                                  refunded (whatever the fulfillment)
 *   voided                                    cancelled (whatever the fulfillment)
 *
 * An order with "Cancelled at" set is cancelled, unless it was refunded.
 */
const STATUS_MAP: Record<FinancialStatus, Record<FulfillmentStatus, LineItemStatus>> = {
  authorized: { pending: "placed", partial: "placed", fulfilled: "fulfilled", restocked: "cancelled" },
  pending: { pending: "placed", partial: "placed", fulfilled: "fulfilled", restocked: "cancelled" },
  paid: { pending: "paid", partial: "paid", fulfilled: "fulfilled", restocked: "refunded" },
  partially_paid: { pending: "paid", partial: "paid", fulfilled: "fulfilled", restocked: "refunded" },
  partially_refunded: { pending: "paid", partial: "paid", fulfilled: "fulfilled", restocked: "refunded" },
  refunded: { pending: "refunded", partial: "refunded", fulfilled: "refunded", restocked: "refunded" },
  voided: { pending: "cancelled", partial: "cancelled", fulfilled: "cancelled", restocked: "cancelled" },
};

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (raw: unknown): Parsed<T> => {
    const text = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    return (values as readonly string[]).includes(text)
      ? { ok: true, value: text as T }
      : { ok: false, code: "invalid_status", expected: `one of ${values.join(", ")}` };
  };
const parseFinancial = oneOf(FINANCIAL_STATUSES);
const parseFulfillment = oneOf(FULFILLMENT_STATUSES);

/** Columns the Order model has a field for; every other non-empty column goes under `extra`. */
const MAPPED = new Set([
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
const LINE_COLUMNS = new Set(["Lineitem compare at price", "Lineitem requires shipping", "Lineitem taxable"]);

function extraValue(column: string, value: string): unknown {
  if (column === "Accepts Marketing") return value.trim().toLowerCase() === "yes";
  if (/Zip$/.test(column)) return value.replace(/^'/, "");
  return value;
}

function shopifyFormat(orderIdColumn: "Name" | "Id") {
  return (rawHeader: readonly string[]): OrderFormat => {
    const header = rawHeader.map((h) => ALIASES[h] ?? h);
    const required = orderIdColumn === "Id" ? [...REQUIRED_COLUMNS, "Id"] : [...REQUIRED_COLUMNS];
    const missing = required.filter((column) => !header.includes(column));
    if (missing.length > 0)
      throw new ImportFileError("missing_columns", missingColumnsMessage(missing, rawHeader));
    const f = fieldReader(header);
    const at = (values: readonly unknown[], name: string) => f.value(values, f.indexOf(name));
    const extraColumns = header
      .map((name, i) => ({ name, i }))
      .filter(({ name }) => !MAPPED.has(name) && !LINE_COLUMNS.has(name));
    let orderState: { financial: FinancialStatus | null; cancelled: boolean; currency: string } = {
      financial: null,
      cancelled: false,
      currency: "",
    };
    const money = (
      values: readonly unknown[],
      name: string,
      row: number,
      issues: Issue[],
      isRequired: boolean,
    ) =>
      f.has(name)
        ? typed(parseDouble, at(values, name), name, row, issues, { required: isRequired, fallback: 0 })
        : 0;

    return {
      groupKey: (values) => {
        const name = at(values, "Name");
        return isBlank(name) ? "" : String(name).trim();
      },
      order: (values, row, issues) => {
        const orderId = requiredText(at(values, orderIdColumn), orderIdColumn, row, issues);
        const email = optionalText(at(values, "Email"));
        const phone = optionalText(at(values, "Phone")) ?? optionalText(at(values, "Billing Phone"));
        if (!email && !phone) {
          issues.push({
            row,
            item: null,
            field: "Email",
            code: "missing_field",
            severity: "error",
            message:
              '"Email" is empty and the order has no "Phone" either: an order needs a customer to belong to.',
            value: null,
          });
        }
        const financial = typed(
          parseFinancial,
          at(values, "Financial Status"),
          "Financial Status",
          row,
          issues,
          {
            required: true,
            fallback: null as FinancialStatus | null,
          },
        );
        const currency = typed(parseCurrency, at(values, "Currency"), "Currency", row, issues, {
          required: true,
          fallback: "",
        });
        orderState = { financial, cancelled: !isBlank(at(values, "Cancelled at")), currency };
        const extra: Record<string, unknown> = {};
        for (const { name, i } of extraColumns) {
          const value = values[i];
          if (!isBlank(value)) extra[name] = extraValue(name, String(value));
        }
        const discountCode = optionalText(at(values, "Discount Code"));
        return {
          orderId,
          userIdType: email ? "email" : "phone",
          userId: email ?? phone ?? "",
          currency,
          total: money(values, "Total", row, issues, false),
          subtotal: money(values, "Subtotal", row, issues, false),
          tax: money(values, "Taxes", row, issues, false),
          shipping: money(values, "Shipping", row, issues, false),
          discount: money(values, "Discount Amount", row, issues, true),
          refund: money(values, "Refunded Amount", row, issues, true),
          paymentMethod: optionalText(at(values, "Payment Method")),
          shippingMethod: optionalText(at(values, "Shipping Method")),
          shippingCountry: optionalText(at(values, "Shipping Country")),
          promotions: discountCode ? [discountCode] : [],
          createdAt: typed(parseDateTime, at(values, "Created at"), "Created at", row, issues, {
            required: true,
            fallback: "",
          }),
          lastUpdated: null,
          extra,
        };
      },
      lineItem: (values, row, position, issues): LineItem => {
        const quantity = typed(
          parseInteger,
          at(values, "Lineitem quantity"),
          "Lineitem quantity",
          row,
          issues,
          {
            required: true,
            fallback: 0,
          },
        );
        const price = money(values, "Lineitem price", row, issues, true);
        const discount = money(values, "Lineitem discount", row, issues, true);
        const fulfillment = typed(
          parseFulfillment,
          at(values, "Lineitem fulfillment status"),
          "Lineitem fulfillment status",
          row,
          issues,
          {
            required: true,
            fallback: "pending" as FulfillmentStatus,
          },
        );
        const name = requiredText(at(values, "Lineitem name"), "Lineitem name", row, issues);
        const sku = optionalText(at(values, "Lineitem sku"));
        if (!sku) {
          // Real exports have line items without a SKU (custom items, gift cards): the product
          // description marks it required, but refusing them would drop real orders, so it warns.
          issues.push({
            row,
            item: null,
            field: "Lineitem sku",
            code: "missing_field",
            severity: "warning",
            message: '"Lineitem sku" is empty: the line item is imported with its name as the product id.',
            value: null,
          });
        }
        const financial = orderState.financial ?? "pending";
        let status = STATUS_MAP[financial][fulfillment];
        if (orderState.cancelled && status !== "refunded") status = "cancelled";
        const subtotal = cents(price) * quantity;
        const total = (subtotal - cents(discount)) / 100;
        const vendor = optionalText(at(values, "Vendor"));
        return {
          id: String(position),
          productId: sku ?? name,
          itemGroupId: null,
          name,
          sku: sku ?? "",
          brand: vendor,
          category: null,
          categoryList: [],
          currency: orderState.currency,
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
      // Shopify's Total includes taxes and shipping after discounts, and its Subtotal is after
      // discounts: the Velocidi total check does not apply.
    };
  };
}

export function createShopifyReader(config: ReadConfig, position?: ReaderPosition): ItemReader<Order> {
  return createGroupedOrderReader(config, position, shopifyFormat(config.options.orderIdColumn ?? "Name"));
}
