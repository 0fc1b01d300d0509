#!/usr/bin/env node
// `npm run bench:core`: the import engine (read + transform + validate + hash + group) on a
// generated velocidi_csv, next to papaparse parse-only (header: true, streamed, rows discarded)
// on the same file in the same run. Each measurement runs in its own process, so that each peak
// RSS is its own. Sizes: 250,000 and 1,000,000 rows (BENCH_ROWS overrides, comma-separated).
import { execFileSync, fork } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DATA = `${ROOT}bench-data`;
const HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,paymentMethod,shippingMethod,shippingCountry,promotions,createdAt,lastUpdated,lineItem_id,lineItem_productId,lineItem_itemGroupId,lineItem_name,lineItem_sku,lineItem_brand,lineItem_category,lineItem_categoryList,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_promotions,lineItem_adult,lineItem_subscriptionDuration,lineItem_size,lineItem_sizeSystem,lineItem_status";

/** A velocidi_csv of `rows` rows: orders of 1–4 line items, orderId on every row, quoted names with commas and quotes. */
export async function generate(rows) {
  mkdirSync(DATA, { recursive: true });
  const path = `${DATA}/velocidi-${rows}.csv`;
  if (existsSync(path)) return path;
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  let written = 0;
  let order = 0;
  let buffer = "";
  while (written < rows) {
    order++;
    const items = 1 + (order % 4);
    for (let i = 0; i < items && written < rows; i++, written++) {
      const price = 10 + ((order * 7 + i) % 90);
      const tax = Math.round(price * 23) / 100;
      const total = Math.round((price + tax + 4.9) * 100) / 100;
      buffer += `or${order},email,customer${order % 50000}@example.com,EUR,${total},${price},${tax},4.9,0,0,Visa,UPS,Portugal,WINTERSALE;VIP,2025-0${1 + (order % 9)}-1${order % 10}T10:38:06+0100,2025-09-16T20:13:31+0100,li${i},p${order % 1000},g${order % 100},"Shirt, ""model ${i}"" blue",sku-${order % 1000}-${i},Acme,Men > Shirts,Men;Shirts,EUR,${total},${price},${tax},4.9,0,0,${1 + (i % 3)},,false,,M,EU,fulfilled\n`;
    }
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((r) => out.once("drain", r));
      buffer = "";
    }
  }
  out.write(buffer);
  await new Promise((r) => out.end(r));
  return path;
}

async function measurePapaparse(path) {
  const { default: Papa } = await import("papaparse");
  let rows = 0;
  await new Promise((resolve, reject) => {
    Papa.parse(createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 }), {
      header: true,
      step: () => {
        rows++;
      },
      complete: resolve,
      error: reject,
    });
  });
  return { rows, items: null };
}

async function measureEngine(path, enginePath, transformed) {
  const engine = await import(enginePath);
  const config = engine.ReadConfig.parse({
    type: "orders",
    format: "velocidi_csv",
    options: { hashUserIds: true },
    transformations: transformed
      ? [
          { op: "rename", from: "paymentMethod", to: "paymentMethod" },
          { op: "delete", field: "lineItem_brand" },
        ]
      : [],
  });
  const reader = engine.createReader(config);
  const decoder = engine.createTextDecoder("utf-8");
  let rows = 0;
  let items = 0;
  let invalid = 0;
  const take = async (results) => {
    await engine.hashUserIdsOf(results, config.options);
    for (const r of results) {
      rows += r.records;
      items++;
      if (!r.item) invalid++;
    }
  };
  for await (const bytes of createReadStream(path, { highWaterMark: 1 << 20 }))
    await take(reader.write(decoder.decode(bytes)));
  await take([...reader.write(decoder.end()), ...reader.end()]);
  return { rows, items, invalid };
}

async function child() {
  const [mode, path, enginePath] = process.argv.slice(3);
  const started = performance.now();
  const result =
    mode === "papaparse"
      ? await measurePapaparse(path)
      : await measureEngine(path, enginePath, mode === "engine+transform");
  const seconds = (performance.now() - started) / 1000;
  process.send?.({ ...result, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 });
}

function runChild(mode, path, enginePath) {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ["--child", mode, path, enginePath], {
      stdio: "inherit",
    });
    proc.on("message", resolve);
    proc.on("error", reject);
    proc.on("exit", (code) => code !== 0 && reject(new Error(`${mode} exited ${code}`)));
  });
}

async function main() {
  const enginePath = `${DATA}/engine.mjs`;
  mkdirSync(DATA, { recursive: true });
  await build({
    entryPoints: [`${ROOT}packages/core/src/index.ts`],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: enginePath,
    logLevel: "error",
  });
  const sizes = (process.env.BENCH_ROWS ?? "250000,1000000").split(",").map(Number);
  console.log(`Node ${process.version}, ${execFileSync("nproc").toString().trim()} cores`);
  for (const rows of sizes) {
    const path = await generate(rows);
    const mb = statSync(path).size / 1e6;
    console.log(`\n${rows.toLocaleString("en")} rows, ${mb.toFixed(0)} MB`);
    const peer = await runChild("papaparse", path, enginePath);
    const line = (name, r) =>
      console.log(
        `  ${name.padEnd(34)} ${(r.rows / r.seconds / 1000).toFixed(0).padStart(6)}k rows/s ${(mb / r.seconds).toFixed(1).padStart(7)} MB/s  peak RSS ${r.peakRssMb.toFixed(0).padStart(4)} MB  ${r === peer ? "" : `${(r.rows / r.seconds / (peer.rows / peer.seconds)).toFixed(2)}× papaparse`}`,
      );
    line("papaparse parse-only (header:true)", peer);
    for (const mode of ["engine", "engine+transform"]) {
      const r = await runChild(mode, path, enginePath);
      if (r.rows !== peer.rows) throw new Error(`${mode} read ${r.rows} rows, papaparse ${peer.rows}`);
      line(mode === "engine" ? "engine: read+validate+hash+group" : "engine with transformations", r);
    }
  }
}

// Only as the program itself: the import benchmark imports generate() from here.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "--child") await child();
  else await main();
}
