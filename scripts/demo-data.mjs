// Sample files of every format for the local demo (`npm start`), generated, small and readable.

const VELOCIDI_HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,paymentMethod,shippingMethod,shippingCountry,promotions,createdAt,lastUpdated,lineItem_id,lineItem_productId,lineItem_itemGroupId,lineItem_name,lineItem_sku,lineItem_brand,lineItem_category,lineItem_categoryList,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_promotions,lineItem_adult,lineItem_subscriptionDuration,lineItem_size,lineItem_sizeSystem,lineItem_status";

const cell = (value) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const PRODUCTS = [
  ["p100", "Classic mug, 350 ml", "Kitchen > Mugs", 12],
  ["p200", 'Poster "Lisbon"', "Home > Posters", 25],
  ["p300", "Linen shirt", "Men > Shirts", 59.9],
];

/** 60 orders of 1–3 line items; orders 13, 27 and 41 have bad values, to show issues. */
export function demoOrders() {
  const lines = [VELOCIDI_HEADER];
  for (let o = 1; o <= 60; o++) {
    const items = (o % 3) + 1;
    const status = o % 10 === 0 ? "refunded" : o % 4 === 0 ? "paid" : "fulfilled";
    for (let i = 0; i < items; i++) {
      const [id, name, category, price] = PRODUCTS[(o + i) % PRODUCTS.length];
      const subtotal = price;
      const tax = Math.round(price * 0.23 * 100) / 100;
      const total = Math.round((subtotal + tax) * 100) / 100;
      lines.push(
        [
          `DEMO-${1000 + o}`,
          "email",
          `customer${o % 25}@example.com`,
          "EUR",
          o === 13 ? "12,5" : String(total),
          String(subtotal),
          String(tax),
          "0",
          "0",
          status === "refunded" ? String(total) : "0",
          "Visa",
          "UPS",
          "Portugal",
          o % 5 === 0 ? "WINTERSALE" : "",
          o === 27 ? "2026-02-30T10:00:00Z" : `2026-0${1 + (o % 9)}-1${o % 10}T10:${10 + (o % 40)}:00+0000`,
          "",
          `li${i + 1}`,
          id,
          "",
          name,
          `${id}-sku`,
          "Acme",
          category,
          category.replace(" > ", ";"),
          "EUR",
          String(total),
          String(subtotal),
          String(tax),
          "0",
          "0",
          status === "refunded" ? String(total) : "0",
          o === 41 && i === 0 ? "-1" : "1",
          "",
          "false",
          "",
          "",
          "",
          status,
        ]
          .map(cell)
          .join(","),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

export function demoShopify() {
  const header =
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References";
  const columns = header.split(",");
  const row = (values) => columns.map((c) => cell(values[c] ?? "")).join(",");
  const rows = [header];
  for (let n = 1; n <= 12; n++) {
    const name = `#${2000 + n}`;
    const financial = ["paid", "paid", "pending", "refunded", "partially_refunded", "voided"][n % 6];
    const created = `2025-12-${String(n + 10).padStart(2, "0")} 1${n % 10}:30:00 +0000`;
    rows.push(
      row({
        Name: name,
        Email: n % 5 === 0 ? "" : `shopper${n}@example.com`,
        "Financial Status": financial,
        "Accepts Marketing": n % 2 ? "yes" : "no",
        Currency: "EUR",
        Subtotal: "30.00",
        Shipping: "4.90",
        Taxes: "6.90",
        Total: "41.80",
        "Discount Amount": "0.00",
        "Created at": created,
        "Lineitem quantity": "1",
        "Lineitem name": "Classic mug, 350 ml",
        "Lineitem price": "12.00",
        "Lineitem sku": "p100-sku",
        "Lineitem fulfillment status": financial === "paid" ? "fulfilled" : "pending",
        "Billing Zip": "'75008",
        "Shipping Country": "FR",
        "Note Attributes": n === 3 ? "gift: yes\nwrap: red" : "",
        "Refunded Amount": financial === "refunded" ? "41.80" : "0.00",
        Id: String(550000 + n),
        "Lineitem discount": "0.00",
        Phone: n % 5 === 0 ? `+35191000000${n}` : "",
      }),
      row({
        Name: name,
        Email: n % 5 === 0 ? "" : `shopper${n}@example.com`,
        "Created at": created,
        "Lineitem quantity": "2",
        "Lineitem name": "Linen shirt",
        "Lineitem price": "9.00",
        "Lineitem sku": n === 7 ? "" : "p300-sku",
        "Lineitem fulfillment status": "pending",
        "Lineitem discount": "0.00",
      }),
    );
  }
  return `${rows.join("\n")}\n`;
}

export function demoCustomersCsv() {
  const lines = ["email,number_of_orders,signup,tier"];
  for (let n = 0; n < 25; n++) {
    lines.push(
      `customer${n}@example.com,${n % 4},2021/0${1 + (n % 9)}/1${n % 10} 1${n % 10}:25,${["gold", "silver", "bronze"][n % 3]}`,
    );
  }
  lines.push("none,3,2021/01/01 10:00,gold");
  lines.push("late@example.com,many,2021/13/45 99:99,silver");
  return `${lines.join("\n")}\n`;
}

export function demoCustomersJsonl() {
  const lines = [];
  for (let n = 0; n < 20; n++) {
    lines.push(
      JSON.stringify({
        customerId: `C-${100 + n}`,
        points: n * 10,
        vip: n % 4 === 0,
        address: { city: ["Lisbon", "Porto", "Braga"][n % 3] },
      }),
    );
  }
  lines.push("{not json");
  return `${lines.join("\n")}\n`;
}

export function demoProductsRss() {
  const items = PRODUCTS.map(
    ([id, title, category, price]) => `  <item>
    <g:id>${id}</g:id>
    <g:title>${title.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}</g:title>
    <g:description>${title} from the demo catalogue</g:description>
    <g:link>https://shop.example/${id}</g:link>
    <g:image_link>https://shop.example/${id}.jpg</g:image_link>
    <g:availability>in_stock</g:availability>
    <g:price>${price.toFixed(2)} EUR</g:price>
    <g:brand>Acme</g:brand>
    <g:product_type>${category.replaceAll(">", "&gt;")}</g:product_type>
  </item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">
<channel>
  <title>Demo shop</title>
${items.join("\n")}
  <item>
    <g:id>p999</g:id>
    <g:title>A product without a price</g:title>
  </item>
</channel>
</rss>
`;
}

export const DEMO_TRANSFORMATIONS = [
  {
    op: "rename",
    from: "number_of_orders",
    to: "completedOrders",
    values: [{ type: "cast", to: "integer" }],
  },
  {
    op: "copy",
    from: "signup",
    to: "signupAt",
    values: [{ type: "timestamp", pattern: "yyyy/MM/dd hh:mm" }],
  },
  { op: "delete", field: "signup" },
  { op: "add", field: "source", value: "crm-export" },
];
