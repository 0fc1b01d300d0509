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

export const SHOPIFY_HEADER =
  "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References";

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** A Shopify export row from the columns given (every other column empty). */
export function shopifyRow(values: Record<string, string>): string {
  return SHOPIFY_HEADER.split(",")
    .map((column) => csvCell(values[column] ?? ""))
    .join(",");
}

/** A Shopify export: #1001 with two line items (continuation row, multi-line note), #1002 without e-mail, refunded. */
export function shopifyFile(): string {
  return [
    SHOPIFY_HEADER,
    shopifyRow({
      Name: "#1001",
      Email: "Ann@Shop.com",
      "Financial Status": "paid",
      "Fulfillment Status": "fulfilled",
      "Accepts Marketing": "yes",
      Currency: "EUR",
      Subtotal: "40.00",
      Shipping: "5.00",
      Taxes: "9.20",
      Total: "54.20",
      "Discount Amount": "0.00",
      "Created at": "2025-12-03 23:59:29 +0000",
      "Lineitem quantity": "2",
      "Lineitem name": "Mug, large",
      "Lineitem price": "15.00",
      "Lineitem sku": "MUG-L",
      "Lineitem fulfillment status": "fulfilled",
      "Billing Zip": "'75008",
      "Shipping Country": "FR",
      "Note Attributes": "gift: yes\nwrap: red",
      "Refunded Amount": "0.00",
      Vendor: "Acme",
      Id: "5501",
      "Lineitem discount": "0.00",
    }),
    shopifyRow({
      Name: "#1001",
      Email: "Ann@Shop.com",
      "Created at": "2025-12-03 23:59:29 +0000",
      "Lineitem quantity": "1",
      "Lineitem name": "Gift card",
      "Lineitem price": "10.00",
      "Lineitem sku": "",
      "Lineitem fulfillment status": "fulfilled",
      Vendor: "Acme",
      "Lineitem discount": "0.00",
    }),
    shopifyRow({
      Name: "#1002",
      "Financial Status": "refunded",
      Currency: "EUR",
      Total: "20.00",
      Subtotal: "20.00",
      "Discount Amount": "0.00",
      "Created at": "2026-04-06 01:48:03 +0400",
      "Lineitem quantity": "1",
      "Lineitem name": "Cap",
      "Lineitem price": "20.00",
      "Lineitem sku": "CAP",
      "Lineitem fulfillment status": "pending",
      "Refunded Amount": "20.00",
      Id: "5502",
      "Lineitem discount": "0.00",
      Phone: "+351912345678",
    }),
  ].join("\n");
}

export const RSS_FEED = `<?xml version="1.0"?>
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">
<channel>
<title>Shop</title>
<item>
  <g:id>p1</g:id>
  <g:title>Blue mug</g:title>
  <g:description>A mug &amp; a saucer</g:description>
  <g:link>https://shop.example/p1</g:link>
  <g:image_link>https://shop.example/p1.jpg</g:image_link>
  <g:availability>in_stock</g:availability>
  <g:price>15.00 USD</g:price>
  <g:brand>Acme</g:brand>
</item>
<item>
  <g:id>p2</g:id>
  <g:title>No price</g:title>
  <g:description>x</g:description>
  <g:link>https://shop.example/p2</g:link>
  <g:image_link>https://shop.example/p2.jpg</g:image_link>
  <g:availability>in_stock</g:availability>
</item>
</channel>
</rss>
`;

export const ATOM_FEED = `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
<title>Shop</title>
<entry>
  <g:id>p3</g:id>
  <title>Red cap</title>
  <link href="https://shop.example/p3"/>
  <summary>A cap</summary>
  <g:image_link>https://shop.example/p3.jpg</g:image_link>
  <g:availability>preorder</g:availability>
  <g:price>9.50 EUR</g:price>
  <g:color>red</g:color>
</entry>
</feed>
`;
