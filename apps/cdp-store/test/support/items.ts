import type { CustomerRecord, LineItem, Order } from "@cdp/core";

export function lineItem(id: string, change: Partial<LineItem> = {}): LineItem {
  return {
    id,
    productId: `p-${id}`,
    itemGroupId: null,
    name: "Shirt",
    sku: `sku-${id}`,
    brand: null,
    category: null,
    categoryList: [],
    currency: "EUR",
    total: 10,
    subtotal: 10,
    tax: 0,
    shipping: 0,
    discount: 0,
    refund: 0,
    quantity: 1,
    promotions: [],
    adult: false,
    subscriptionDuration: null,
    size: null,
    sizeSystem: null,
    status: "fulfilled",
    ...change,
  };
}

export function order(
  id: string,
  user: string | null,
  lines: LineItem[],
  change: Partial<Order> = {},
): Order {
  return {
    orderId: id,
    userIdType: user === null ? (null as unknown as string) : "email",
    userId: user as string,
    currency: "EUR",
    total: 10 * lines.length,
    subtotal: 10 * lines.length,
    tax: 0,
    shipping: 0,
    discount: 0,
    refund: 0,
    paymentMethod: null,
    shippingMethod: null,
    shippingCountry: null,
    promotions: [],
    createdAt: "2026-01-05T10:00:00.000Z",
    lastUpdated: null,
    lineItems: lines,
    ...change,
  };
}

export const record = (ids: [string, string][], attributes: Record<string, unknown>): CustomerRecord => ({
  ids: ids.map(([type, value]) => ({ type, value })),
  attributes,
});

let clock = 0;
/** A write scope; every call gets a later `now`. */
export function scope(runId: string, dryRun = false) {
  clock++;
  return { runId, dryRun, now: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString() };
}
