// Seeds tenant demo through the public API: sample files and ready import configurations, and
// starts the orders import so that a completed run with issues is there within a minute.
import {
  DEMO_TRANSFORMATIONS,
  demoCustomersCsv,
  demoCustomersJsonl,
  demoOrders,
  demoProductsRss,
  demoShopify,
} from "./demo-data.mjs";

async function call(base, key, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json?.error?.message ?? ""}`);
  return json;
}

async function upload(base, key, filename, content) {
  const { key: uploadKey, uploadUrl } = await call(base, key, "POST", "/v1/uploads", { filename });
  const put = await fetch(uploadUrl, { method: "PUT", body: content });
  if (put.status !== 201) throw new Error(`upload of ${filename}: ${put.status}`);
  return uploadKey;
}

/** Creates the demo imports that do not exist yet (by name); answers a line for the log. */
export async function seedDemo(base, key) {
  const existing = new Set((await call(base, key, "GET", "/v1/imports?limit=1000")).items.map((i) => i.name));
  const demos = [
    [
      "Demo: historic orders (Velocidi CSV)",
      "orders.csv",
      demoOrders,
      { type: "orders", format: "velocidi_csv", options: { hashUserIds: true } },
    ],
    [
      "Demo: Shopify orders export",
      "shopify-orders.csv",
      demoShopify,
      { type: "orders", format: "shopify_csv", options: { orderIdColumn: "Name" } },
    ],
    [
      "Demo: CRM customers (CSV, transformed)",
      "customers.csv",
      demoCustomersCsv,
      {
        type: "customers",
        format: "csv",
        options: { userIdField: "email", userIdType: "email", hashUserIds: true },
        transformations: DEMO_TRANSFORMATIONS,
      },
    ],
    [
      "Demo: loyalty customers (JSON lines)",
      "loyalty.jsonl",
      demoCustomersJsonl,
      {
        type: "customers",
        format: "jsonl",
        options: { userIdField: "customerId", userIdType: "customer_id" },
      },
    ],
    [
      "Demo: product catalogue (Google RSS)",
      "products.xml",
      demoProductsRss,
      { type: "products", format: "google_rss" },
    ],
  ];
  let created = 0;
  let ordersImport;
  for (const [name, filename, content, config] of demos) {
    if (existing.has(name)) continue;
    const uploadKey = await upload(base, key, filename, content());
    const imported = await call(base, key, "POST", "/v1/imports", {
      name,
      source: { type: "upload", key: uploadKey },
      ...config,
    });
    created++;
    if (config.format === "velocidi_csv") ordersImport = imported.id;
  }
  const egoiName = "Demo: E-goi contacts (fake E-goi API)";
  if (!existing.has(egoiName)) {
    await call(base, key, "POST", "/v1/imports", {
      name: egoiName,
      type: "customers",
      format: "egoi_contacts",
      source: { type: "egoi", apiKey: "egoi-test-key", listId: 321 },
      schedule: { everyDays: 1, startAt: "2026-01-01T03:00:00Z" },
    });
    created++;
  }
  if (ordersImport) {
    const run = await call(base, key, "POST", `/v1/imports/${ordersImport}/runs`, { dryRun: false });
    return `demo: ${created} imports created; the orders import is running: ${base}/runs/${run.id}`;
  }
  return created > 0 ? `demo: ${created} imports created` : "demo: imports already there";
}
