/** Sample files of every format, small and exact, for the end-to-end tests. */

export const VELOCIDI_HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,paymentMethod,shippingMethod,shippingCountry,promotions,createdAt,lastUpdated,lineItem_id,lineItem_productId,lineItem_itemGroupId,lineItem_name,lineItem_sku,lineItem_brand,lineItem_category,lineItem_categoryList,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_promotions,lineItem_adult,lineItem_subscriptionDuration,lineItem_size,lineItem_sizeSystem,lineItem_status";

export function velocidiRow(
  order: { id: string; email: string; total?: string; status?: string; createdAt?: string; name?: string },
  line: number,
): string {
  const total = order.total ?? "102.5";
  return [
    order.id,
    "email",
    order.email,
    "EUR",
    total,
    "85",
    "11.5",
    "6",
    "5",
    "0",
    "Visa",
    "UPS",
    "France",
    "WINTERSALE",
    order.createdAt ?? "2020-09-16T10:38:06+0100",
    "2020-09-16T20:13:31+0100",
    `li${line}`,
    `p${line}`,
    "p1",
    order.name ?? `"Shirt, ""blue"""`,
    `p${line}-5`,
    "Nike",
    "Men > Shirts",
    "Men;Shirts",
    "EUR",
    "102.5",
    "85",
    "11.5",
    "6",
    "5",
    "0",
    "1",
    "WINTERSALE",
    "false",
    "",
    "S",
    "EU",
    order.status ?? "fulfilled",
  ].join(",");
}

/** n orders of 1–3 line items each; `bad` rows get a total of "12,5" (an invalid number). */
export function velocidiFile(orders: number, options: { bad?: Set<number>; status?: string } = {}): string {
  const lines = [VELOCIDI_HEADER];
  for (let i = 1; i <= orders; i++) {
    const items = (i % 3) + 1;
    for (let j = 1; j <= items; j++) {
      lines.push(
        velocidiRow(
          {
            id: `or${i}`,
            email: `Customer${i % 50}@Example.com`,
            total: options.bad?.has(i) ? '"12,5"' : "102.5",
            status: options.status,
          },
          j,
        ),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
