#!/usr/bin/env node
// `npm run bench:api`: the API under load (autocannon) on the local stack, next to a trivial
// Worker answering a constant JSON on the same runtime, in the same run. Prints rps, p50 and p99,
// and the ratios, for imports (CONFIG_DB) and for the CDP's data read from the store: a profile
// with its orders summary and its orders (every data shard at once), an order and a product (one
// shard), an event enriched from the catalogue; for a tenant of 1 data shard and one of 16. Any
// answer but 2xx, and any error, fails the benchmark: a fast error is not a fast read.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import autocannon from "autocannon";
import { createTenant } from "../../scripts/admin.mjs";
import { ensureDevVars, ROOT, WRANGLER } from "../../scripts/lib.mjs";
import { startLocalStack } from "../../scripts/local-stack.mjs";

const KEY = "bench_api_key";
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ORDERS = 2000;
const CUSTOMERS = 200;
const PRODUCTS = 500;
/** The local trace collector of wrangler dev records every invocation: not the product's work. */
const ENV = { X_LOCAL_OBSERVABILITY: "false" };

function load(url, options = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...options }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function startTrivial(port) {
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "-c",
      `${ROOT}test/bench/trivial/wrangler.jsonc`,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--show-interactive-dev-session=false",
    ],
    { stdio: "ignore", detached: true, env: { ...process.env, ...ENV } },
  );
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return stop;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error("the trivial Worker did not answer within 60 s");
}

async function call(base, key, method, path, body, want) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status !== want)
    throw new Error(`${method} ${path}: ${res.status} (wanted ${want}) ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** A tenant's data: ORDERS orders of 1–3 lines by CUSTOMERS buyers, and PRODUCTS products, imported. */
async function seed(base, key) {
  const header =
    "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,createdAt,lineItem_id,lineItem_productId,lineItem_sku,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_status";
  const rows = [header];
  for (let o = 1; o <= ORDERS; o++) {
    const order = `o${o},email,buyer${o % CUSTOMERS}@example.com,EUR,${10 + (o % 90)},${10 + (o % 90)},0,0,0,0,2026-0${1 + (o % 9)}-1${o % 10}T10:00:00Z`;
    for (let i = 0; i < 1 + (o % 3); i++)
      rows.push(`${order},li${i},p${(o + i) % PRODUCTS},sku-${i},EUR,10,10,0,0,0,0,1,fulfilled`);
  }
  const products = Array.from({ length: PRODUCTS }, (_, p) =>
    JSON.stringify({
      id: `p${p}`,
      title: `Product ${p}`,
      brand: "Acme",
      price: { amount: 10 + p, currency: "EUR" },
    }),
  );
  for (const [filename, text, config] of [
    ["orders.csv", `${rows.join("\n")}\n`, { type: "orders", format: "velocidi_csv" }],
    ["products.jsonl", `${products.join("\n")}\n`, { type: "products", format: "jsonl" }],
  ]) {
    const upload = await call(base, key, "POST", "/v1/uploads", { filename }, 201);
    const put = await fetch(upload.uploadUrl, { method: "PUT", body: text });
    if (put.status !== 201) throw new Error(`upload: ${put.status}`);
    const created = await call(
      base,
      key,
      "POST",
      "/v1/imports",
      { name: filename, ...config, source: { type: "upload", key: upload.key } },
      201,
    );
    let run = await call(base, key, "POST", `/v1/imports/${created.id}/runs`, {}, 202);
    while (!["completed", "failed", "cancelled"].includes(run.status)) {
      await new Promise((r) => setTimeout(r, 200));
      run = await call(base, key, "GET", `/v1/runs/${run.id}`, undefined, 200);
    }
    if (run.status !== "completed" || run.stats.itemsInvalid !== 0)
      throw new Error(`seeding ${filename}: ${run.status} ${JSON.stringify(run.stats)}`);
  }
}

/** autocannon's result, checked: every answer 2xx, no error, no timeout. */
function checked(name, r) {
  if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0 || r.requests.total === 0)
    throw new Error(
      `${name}: ${r.requests.total} requests, ${r.non2xx} not 2xx, ${r.errors} errors, ${r.timeouts} timeouts`,
    );
  return r;
}

ensureDevVars({ ALLOW_PRIVATE_SOURCES: "true" });
const persistTo = `${ROOT}bench-data/state-api`;
rmSync(persistTo, { recursive: true, force: true });
const stack = await startLocalStack({
  port: 8791,
  persistTo,
  tenant: "bench",
  apiKey: KEY,
  quiet: true,
  env: ENV,
});
let stopTrivial = () => {};
try {
  stopTrivial = await startTrivial(8792);
  const tenants = [
    ["s1", 1],
    ["s16", 16],
  ];
  for (const [id, shards] of tenants) {
    await createTenant({ id, key: `key_${id}_${"x".repeat(24)}`, shards, persistTo, migrate: false });
    await seed(stack.base, `key_${id}_${"x".repeat(24)}`);
  }
  const upload = await call(stack.base, KEY, "POST", "/v1/uploads", { filename: "a.csv" }, 201);
  let importId = "";
  for (let i = 0; i < 20; i++) {
    const created = await call(
      stack.base,
      KEY,
      "POST",
      "/v1/imports",
      {
        name: `Import ${i}`,
        type: "orders",
        format: "velocidi_csv",
        source: { type: "upload", key: upload.key },
        schedule: { everyDays: 1, startAt: "2026-01-01T02:00:00Z" },
      },
      201,
    );
    importId = created.id;
  }
  const auth = (key) => ({ authorization: `Bearer ${key}` });
  const peer = checked("trivial Worker", await load("http://127.0.0.1:8792/"));
  const rows = [
    ["trivial Worker (constant JSON)", peer],
    ["GET /v1/imports/{id}", await load(`${stack.base}/v1/imports/${importId}`, { headers: auth(KEY) })],
    ["GET /v1/imports (20 imports)", await load(`${stack.base}/v1/imports`, { headers: auth(KEY) })],
  ];
  for (const [id, shards] of tenants) {
    const key = `key_${id}_${"x".repeat(24)}`;
    const event = JSON.stringify({
      type: "purchase",
      products: Array.from({ length: 10 }, (_, i) => ({ id: `p${i * 37}`, quantity: 1 })),
    });
    const reads = [
      ["GET /v1/profiles/email/{e-mail}", "/v1/profiles/email/buyer7@example.com"],
      ["GET …/{e-mail}/orders", "/v1/profiles/email/buyer7@example.com/orders?limit=20"],
      ["GET /v1/orders/{id}", "/v1/orders/o1234"],
      ["GET /v1/products/{id}", "/v1/products/p321"],
    ];
    for (const [name, path] of reads)
      rows.push([`S=${shards} ${name}`, await load(`${stack.base}${path}`, { headers: auth(key) })]);
    rows.push([
      `S=${shards} POST /v1/events/enrich (10)`,
      await load(`${stack.base}/v1/events/enrich`, {
        method: "POST",
        body: event,
        headers: { ...auth(key), "content-type": "application/json" },
      }),
    ]);
  }
  for (const [name, r] of rows) checked(name, r);
  console.log(
    `${CONNECTIONS} connections, ${DURATION} s each; the store in its own process, as npm start runs it`,
  );
  for (const [name, r] of rows) {
    const ratio =
      r === peer
        ? ""
        : `  ${(r.requests.average / peer.requests.average).toFixed(2)}× rps, p99 ${(r.latency.p99 / Math.max(peer.latency.p99, 1)).toFixed(1)}× the trivial Worker's`;
    console.log(
      `  ${name.padEnd(38)} ${r.requests.average.toFixed(0).padStart(6)} rps  p50 ${String(r.latency.p50).padStart(4)} ms  p99 ${String(r.latency.p99).padStart(4)} ms${ratio}`,
    );
  }
  console.log("  every answer was 2xx");
} finally {
  stopTrivial();
  await stack.stop();
}
