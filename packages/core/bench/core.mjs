#!/usr/bin/env node
// `npm run bench:core`: the import engine (read + transform + validate + hash + group) on a
// generated velocidi_csv, next to papaparse parse-only (header: true, rows discarded) on the same
// file in the same run. Each measurement runs in its own process, so that each peak RSS is its
// own. Sizes: 250,000 and 1,000,000 rows (BENCH_ROWS overrides, comma-separated); each
// measurement runs BENCH_REPEAT times (default 3), alternating; the median wall-clock time (the
// ratio to papaparse) and the median CPU time of reading the file are shown, with the highest
// peak RSS of the whole process and, apart, the time to load the module.
//
// Both sides read the file the same way: 1 MiB reads from disk into one reused buffer, decoded
// in 64 KiB slices (BENCH_DECODE_BYTES overrides). A 1 MiB string is a V8 large object: decoding
// 1 MiB at a time measured ~10× slower than 64 KiB slices and doubles the peak RSS of a process
// that does nothing else, for any reader.
import { execFileSync, fork } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DATA = `${ROOT}bench-data`;
const READ_BYTES = 1 << 20;
const DECODE_BYTES = Number(process.env.BENCH_DECODE_BYTES ?? 1 << 16);
const HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,paymentMethod,shippingMethod,shippingCountry,promotions,createdAt,lastUpdated,lineItem_id,lineItem_productId,lineItem_itemGroupId,lineItem_name,lineItem_sku,lineItem_brand,lineItem_category,lineItem_categoryList,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_promotions,lineItem_adult,lineItem_subscriptionDuration,lineItem_size,lineItem_sizeSystem,lineItem_status";

/** A velocidi_csv of `rows` rows: orders of 1–4 line items, orderId on every row, quoted names with commas and quotes. */
export async function generate(rows) {
  mkdirSync(DATA, { recursive: true });
  const path = `${DATA}/velocidi-${rows}.csv`;
  if (existsSync(path)) return path;
  const out = createWriteStream(`${path}.part`);
  out.write(`${HEADER}\n`);
  let written = 0;
  let order = 0;
  let buffer = "";
  while (written < rows) {
    order++;
    const items = 1 + (order % 4);
    // Order-level columns are the same on every row of an order (a row that differs is a
    // conflicting_value issue): those of its first line item.
    const orderPrice = 10 + ((order * 7) % 90);
    const orderTax = Math.round(orderPrice * 23) / 100;
    const orderTotal = Math.round((orderPrice + orderTax + 4.9) * 100) / 100;
    for (let i = 0; i < items && written < rows; i++, written++) {
      const price = 10 + ((order * 7 + i) % 90);
      const tax = Math.round(price * 23) / 100;
      const total = Math.round((price + tax + 4.9) * 100) / 100;
      buffer += `or${order},email,customer${order % 50000}@example.com,EUR,${orderTotal},${orderPrice},${orderTax},4.9,0,0,Visa,UPS,Portugal,WINTERSALE;VIP,2025-0${1 + (order % 9)}-1${order % 10}T10:38:06+0100,2025-09-16T20:13:31+0100,li${i},p${order % 1000},g${order % 100},"Shirt, ""model ${i}"" blue",sku-${order % 1000}-${i},Acme,Men > Shirts,Men;Shirts,EUR,${total},${price},${tax},4.9,0,0,${1 + (i % 3)},,false,,M,EU,fulfilled\n`;
    }
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((r) => out.once("drain", r));
      buffer = "";
    }
  }
  out.write(buffer);
  await new Promise((r) => out.end(r));
  // Renamed when complete, so that an interrupted run never leaves a short file to reuse.
  await rename(`${path}.part`, path);
  return path;
}

/** The file's text: 1 MiB reads into one buffer, decoded by `decode` in DECODE_BYTES slices. */
async function* textOf(path, decode, end) {
  const file = await open(path, "r");
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      for (let at = 0; at < bytesRead; at += DECODE_BYTES)
        yield decode(buffer.subarray(at, Math.min(bytesRead, at + DECODE_BYTES)));
    }
    yield end();
  } finally {
    await file.close();
  }
}

async function measurePapaparse(path, Papa) {
  const decoder = new TextDecoder();
  const text = textOf(
    path,
    (bytes) => decoder.decode(bytes, { stream: true }),
    () => decoder.decode(),
  );
  let rows = 0;
  await new Promise((resolve, reject) => {
    Papa.parse(Readable.from(text), {
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

/** Three renames, one of them through a value map: columns move, one value changes. */
const RENAMES = [
  { op: "rename", from: "lineItem_brand", to: "brand" },
  { op: "rename", from: "paymentMethod", to: "payment" },
  {
    op: "rename",
    from: "shippingMethod",
    to: "carrier",
    values: [{ type: "map", mappings: [{ from: "UPS", to: "ups" }] }],
  },
];

async function measureEngine(path, engine, transformed) {
  const config = engine.parseReadConfig({
    type: "orders",
    format: "velocidi_csv",
    options: { hashUserIds: true },
    transformations: transformed ? RENAMES : [],
  });
  const reader = engine.createReader(config);
  const decoder = engine.createTextDecoder("utf-8");
  let rows = 0;
  let items = 0;
  let invalid = 0;
  const take = async (results) => {
    // The same hashing as the transform Worker: ids of a batch's valid orders, e-mail → email_sha256.
    await engine.hashUserIdsOf(results, config.options);
    for (const r of results) {
      rows += r.records;
      items++;
      if (!r.item) invalid++;
    }
  };
  for await (const text of textOf(
    path,
    (bytes) => decoder.decode(bytes),
    () => decoder.end(),
  ))
    await take(reader.write(text));
  await take(reader.end());
  return { rows, items, invalid };
}

async function child() {
  const [mode, path, enginePath] = process.argv.slice(3);
  // Loading the module is timed apart: it is paid once per process (a Worker isolate reads many
  // chunks), and on a busy machine it took up to a third of a 250,000-row run. Its memory stays
  // in the peak RSS.
  const loading = performance.now();
  const loaded = mode === "papaparse" ? (await import("papaparse")).default : await import(enginePath);
  const loadMs = performance.now() - loading;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result =
    mode === "papaparse"
      ? await measurePapaparse(path, loaded)
      : await measureEngine(path, loaded, mode === "engine+transform");
  const seconds = (performance.now() - started) / 1000;
  // CPU time of the process (every thread: the collector's and compiler's helpers too): on a
  // shared machine it varies less than the wall clock, which other work stretches.
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // maxRSS is the process's peak resident set: each measurement has its own process.
  process.send?.({
    ...result,
    seconds,
    cpuSeconds,
    loadMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  });
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

const MODES = [
  ["papaparse", "papaparse parse-only (header: true)"],
  ["engine", "engine: read+validate+hash+group"],
  ["engine+transform", "engine with 3 renames (1 value map)"],
];

async function main() {
  const enginePath = `${DATA}/engine.mjs`;
  mkdirSync(DATA, { recursive: true });
  // Imported here, not at the top: the measured processes load only their reader (esbuild's
  // module alone measured ~14 MB of RSS in each of them).
  const { build } = await import("esbuild");
  // What the transform Worker takes from @cdp/core to read a chunk (the config check, the
  // decoder, the reader, the hashing of ids), bundled as wrangler bundles it: the package is free
  // of side effects, so modules the reader does not reach are left out, zod and the API's
  // schemas among them.
  await build({
    stdin: {
      contents: `export { createReader, createTextDecoder, hashUserIdsOf, parseReadConfig } from "@cdp/core";`,
      resolveDir: `${ROOT}apps/transform`,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: enginePath,
    logLevel: "error",
  });
  const sizes = (process.env.BENCH_ROWS ?? "250000,1000000").split(",").map(Number);
  // Runs alternate between the measurements, and each line shows the median run: a busy
  // machine slows single runs by a third either way.
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  console.log(
    `Node ${process.version}, ${execFileSync("nproc").toString().trim()} cores; reads of 1 MiB, decoded in ${(DECODE_BYTES / 1024).toFixed(0)} KiB slices; median of ${repeat} runs, the highest peak RSS`,
  );
  for (const rows of sizes) {
    const path = await generate(rows);
    const mb = statSync(path).size / 1e6;
    const runs = new Map(MODES.map(([mode]) => [mode, []]));
    for (let i = 0; i < repeat; i++) {
      for (const [mode] of MODES) {
        const r = await runChild(mode, path, enginePath);
        if (mode !== "papaparse" && r.invalid !== 0)
          throw new Error(`${mode}: ${r.invalid} of ${r.items} orders invalid`);
        runs.get(mode).push(r);
      }
    }
    const summary = (mode) => {
      const list = [...runs.get(mode)];
      if (list.some((r) => r.rows !== list[0].rows))
        throw new Error(`${mode}: runs read different row counts`);
      const median = (key) => list.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(list.length / 2)];
      return {
        rows: list[0].rows,
        seconds: median("seconds"),
        cpuSeconds: median("cpuSeconds"),
        loadMs: median("loadMs"),
        peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
      };
    };
    const peer = summary("papaparse");
    console.log(`\n${rows.toLocaleString("en")} rows, ${mb.toFixed(0)} MB`);
    for (const [mode, name] of MODES) {
      const r = summary(mode);
      if (r.rows !== peer.rows) throw new Error(`${mode} read ${r.rows} rows, papaparse ${peer.rows}`);
      console.log(
        `  ${name.padEnd(36)} ${(r.rows / r.seconds / 1000).toFixed(0).padStart(5)}k rows/s ${(mb / r.seconds).toFixed(1).padStart(6)} MB/s  peak RSS ${r.peakRssMb.toFixed(0).padStart(4)} MB  CPU ${r.cpuSeconds.toFixed(2).padStart(6)} s  load ${r.loadMs.toFixed(0).padStart(4)} ms${mode === "papaparse" ? "" : `  ${(peer.seconds / r.seconds).toFixed(2)}× papaparse (CPU time: ${(peer.cpuSeconds / r.cpuSeconds).toFixed(2)}×)`}`,
      );
    }
  }
}

// Only as the program itself: the import benchmark imports generate() from here.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "--child") await child();
  else await main();
}
