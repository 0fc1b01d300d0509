import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/client";
import { type FileServer, serveFiles } from "../support/file-server";
import { velocidiFile } from "../support/files";
import { type Stack, startStack } from "../support/stack";
import { multiMemberGzip, splitLines, zipFile } from "./archives";

/** What a compressed file may expand to in this stack (MAX_DECOMPRESSED_BYTES). */
const LIMIT = 2 * 1024 * 1024;

let stack: Stack;
let api: ApiClient;
let files: FileServer;
let filesUrl: string;
const served = new Map<string, Uint8Array>();

beforeAll(async () => {
  stack = await startStack({
    vars: { ingest: { CHUNK_TARGET_BYTES: "2048", MAX_DECOMPRESSED_BYTES: String(LIMIT) } },
  });
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
  files = await serveFiles(served);
  filesUrl = files.url;
});
afterAll(async () => {
  await stack?.close();
  await files?.close();
});

const rowOf = (csv: string, orderId: string) =>
  csv.split("\n").findIndex((line) => line.startsWith(`${orderId},`)) + 1;

async function importUpload(
  filename: string,
  content: Uint8Array<ArrayBuffer>,
  options: Record<string, unknown> = {},
) {
  const key = await api.upload(filename, content);
  const importId = await api.createImport({
    name: filename,
    type: "orders",
    format: "velocidi_csv",
    source: { type: "upload", key },
    options,
  });
  return api.run(importId);
}

describe("gzip", () => {
  it("imports a multi-member .gz upload, cut into chunks, with the rows of the unpacked file", async () => {
    const csv = velocidiFile(200, { bad: new Set([150]) });
    const run = await importUpload("orders.csv.gz", multiMemberGzip(splitLines(csv, 3)));
    expect(run.error).toBeNull();
    expect(run.status).toBe("completed");
    expect(run.stats).toMatchObject({ itemsRead: 200, itemsValid: 199, itemsInvalid: 1 });
    expect(run.progress.bytesTotal).toBe(Buffer.byteLength(csv));
    const issues = await api.issues(run.id);
    expect(issues.map((i) => [i.row, i.item, i.field, i.code])).toEqual([
      [rowOf(csv, "or150"), "or150", "total", "invalid_number"],
    ]);
  });

  it("knows gzip by its first bytes, whatever the file is called", async () => {
    const run = await importUpload("orders.csv", new Uint8Array(gzipSync(velocidiFile(5))));
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 5, itemsValid: 5 });
  });

  it("unpacks a .gz from a URL while landing it", async () => {
    served.set("/exports/orders.gz", multiMemberGzip(splitLines(velocidiFile(30), 2)));
    const importId = await api.createImport({
      name: "gz over http",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "url", url: `${filesUrl}/exports/orders.gz` },
    });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 30, itemsValid: 30 });
  });

  it("fails a run on a damaged .gz, and imports nothing of it", async () => {
    const packed = gzipSync(velocidiFile(40));
    const cut = new Uint8Array(packed.subarray(0, packed.length - 100));
    const run = await importUpload("cut.csv.gz", cut);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("corrupt_archive");
    expect(run.error?.message).toMatch(/^The gzip file is damaged and cannot be unpacked: /);
    expect(run.stats.itemsRead).toBe(0);
  });

  it("stops a gzip bomb at the configured limit", async () => {
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(20 * 1024 * 1024, "a")));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const run = await importUpload("bomb.csv.gz", bomb);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "file_too_large",
      message:
        "The compressed file expands to more than 2 MiB, the most this service unpacks: split it into smaller files.",
    });
  });
});

describe("zip", () => {
  it("imports the only file of a zip archive", async () => {
    const csv = velocidiFile(60, { bad: new Set([7]) });
    const run = await importUpload("orders.zip", zipFile([{ name: "export/orders.csv", content: csv }]));
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 60, itemsValid: 59, itemsInvalid: 1 });
    const issues = await api.issues(run.id);
    expect(issues.map((i) => [i.row, i.item])).toEqual([[rowOf(csv, "or7"), "or7"]]);
  });

  it("imports the entries matching options.entry, each with its own header", async () => {
    const first = velocidiFile(10);
    const second = velocidiFile(25).replaceAll(/^or(\d+),/gm, "or2_$1,");
    const archive = zipFile([
      { name: "readme.txt", content: "not data" },
      { name: "2026/orders-1.csv", content: first },
      { name: "2026/orders-2.csv", content: second, method: "store" },
      { name: "__MACOSX/2026/._orders-1.csv", content: "resource fork" },
    ]);
    const run = await importUpload("orders.zip", archive, { entry: "*.csv" });
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 35, itemsValid: 35, itemsInvalid: 0 });
    expect((await api.call("GET", "/v1/orders/or2_25")).status).toBe(200);
  });

  it("asks which entries to import when there are several", async () => {
    const archive = zipFile([
      { name: "a.csv", content: velocidiFile(1) },
      { name: "b.csv", content: velocidiFile(1) },
    ]);
    const run = await importUpload("two.zip", archive);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "invalid_config",
      message:
        'The zip archive holds 2 files (a.csv, b.csv): set options.entry to a pattern of the ones to import, like "*.csv".',
    });
  });

  it("says so when options.entry matches nothing", async () => {
    const run = await importUpload("one.zip", zipFile([{ name: "a.csv", content: velocidiFile(1) }]), {
      entry: "*.tsv",
    });
    expect(run.error).toEqual({
      code: "invalid_config",
      message: "No file in the zip archive matches options.entry '*.tsv'; it holds: a.csv.",
    });
  });

  it("reads a zip from a URL: the archive lands first, then its file is unpacked", async () => {
    served.set("/exports/orders.zip", zipFile([{ name: "orders.csv", content: velocidiFile(12) }]));
    const importId = await api.createImport({
      name: "zip over http",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "url", url: `${filesUrl}/exports/orders.zip` },
    });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 12, itemsValid: 12 });
  });

  it("fails a run on a damaged zip entry", async () => {
    const archive = zipFile([{ name: "orders.csv", content: velocidiFile(40), method: "store" }]);
    archive[200] = (archive[200] ?? 0) ^ 0xff;
    const run = await importUpload("damaged.zip", archive);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "corrupt_archive",
      message:
        "The zip archive is damaged and cannot be unpacked: the entry 'orders.csv' fails its CRC check.",
    });
    expect(run.stats.itemsRead).toBe(0);
  });

  it("fails a run on a zip cut short", async () => {
    const archive = zipFile([{ name: "orders.csv", content: velocidiFile(40) }]);
    const run = await importUpload("cut.zip", archive.slice(0, archive.length - 30));
    expect(run.error).toEqual({
      code: "corrupt_archive",
      message:
        "The zip archive is damaged and cannot be unpacked: its directory at the end of the file is missing (is the file cut short?).",
    });
  });

  it("refuses a zip bomb before unpacking it", async () => {
    const archive = zipFile([{ name: "huge.csv", content: Buffer.alloc(3 * 1024 * 1024, "a") }]);
    const run = await importUpload("bomb.zip", archive);
    expect(run.error?.code).toBe("file_too_large");
  });
});

describe("other archives", () => {
  it("names a format it does not unpack", async () => {
    const bzip2 = new Uint8Array(Buffer.from("BZh91AY&SY-not-really"));
    const run = await importUpload("orders.csv.bz2", bzip2);
    expect(run.error).toEqual({
      code: "wrong_format",
      message:
        "The file is a bzip2 archive, which this service does not unpack: compress it with gzip (.gz) or zip instead.",
    });
  });
});
