/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import { CsvTokenizer, newlineAtEnd } from "../src/csv";
import { createTextDecoder } from "../src/decode";
import { createShopifyReader } from "../src/formats/shopify";
import { createVelocidiReader } from "../src/formats/velocidi";
import { createSplitter } from "../src/pipeline";
import { createCsvSplitter, groupSource } from "../src/split-csv";
import SHOPIFY_EXPORT from "./fixtures/orders/shopify-export.csv?raw";
import { csvCell, encode, pick, readBytes, splitAndRead } from "./fixtures/orders/support";
import { seededRandom } from "./support/random";

type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

const VELOCIDI_HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,createdAt,lineItem_id,lineItem_productId,lineItem_name,lineItem_sku,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_status";

/** Names that test the quoting rules: line ends of every kind inside quotes, quotes, stray quotes. */
const NAMES = [
  "plain",
  '"Shirt, ""blue"""',
  '"multi\nline"',
  '"crlf\r\nline"',
  '"cr\ronly"',
  '"quoted, then spaces"  ',
  "café crème",
  '5" screen',
  'a "quoted" word',
  "",
];
/**
 * Rare: a misplaced closing quote, which papaparse reads on to the next closing quote; a quote
 * followed by a line-end character that is not the file's line end, then text or the line end.
 */
const RARE_NAMES = ['"misplaced"quote', '"open on', '"cr after"\rtail', '"lf after"\ntail', '"cr, then"\r'];

/**
 * A generated velocidi_csv: multi-row orders, continuation rows with empty or repeated ids, bad
 * values, empty lines and rows of empty fields.
 */
function velocidiFile(
  random: () => number,
  newline: string,
  orders: number,
  delimiter = ",",
  rareNames = true,
): string {
  const lines = [VELOCIDI_HEADER.replaceAll(",", delimiter)];
  for (let o = 1; o <= orders; o++) {
    const items = 1 + Math.floor(random() * 4);
    for (let i = 0; i < items; i++) {
      const name = rareNames && random() < 0.02 ? pick(random, RARE_NAMES) : pick(random, NAMES);
      const orderId = i === 0 ? `or${o}` : random() < 0.5 ? `or${o}` : "";
      const fields = [
        orderId,
        "email",
        `user${o}@shop.com`,
        random() < 0.05 ? "EURO" : "EUR",
        random() < 0.1 ? "100" : "102.5",
        "85",
        "11.5",
        "6",
        "0",
        "0",
        "2020-09-16T10:38:06+0100",
        `li${i}`,
        `p${o}`,
        delimiter === "\t" ? name.replaceAll(",", ";") : name,
        `sku${o}-${i}`,
        "EUR",
        "102.5",
        "85",
        "11.5",
        "6",
        "0",
        "0",
        random() < 0.05 ? "-1" : "1",
        "fulfilled",
      ];
      if (random() < 0.03) fields.pop();
      lines.push(fields.join(delimiter));
      if (random() < 0.03) lines.push("");
    }
    // Rows of empty fields, which spreadsheets leave: the readers skip them like empty lines.
    // (Not drawn at random, which would change the files the other rows make.)
    if (o % 4 === 0) lines.push([delimiter.repeat(23), "   ", `""${delimiter} `][(o / 4) % 3] ?? "");
  }
  lines.push(delimiter.repeat(23));
  return lines.join(newline) + (random() < 0.7 ? newline : "");
}

const velocidi = (encoding: Encoding, delimiter: string) =>
  ReadConfig.parse({ type: "orders", format: "velocidi_csv", options: { encoding, delimiter } });

describe("createCsvSplitter", () => {
  it("splits velocidi files so that the chunks read exactly as the whole file", () => {
    const random = seededRandom(2024);
    const encodings: Encoding[] = ["utf-8", "utf-16le", "utf-16be", "windows-1252"];
    let files = 0;
    let multiChunk = 0;
    for (const newline of ["\n", "\r\n", "\r"]) {
      for (const encoding of encodings) {
        const delimiter = random() < 0.2 ? "\t" : ",";
        const text = velocidiFile(random, newline, 25, delimiter);
        const bom = random() < 0.5 && encoding !== "windows-1252" ? "\uFEFF" : "";
        const bytes = encode(bom + text, encoding);
        const cfg = velocidi(encoding, delimiter);
        const whole = readBytes(createVelocidiReader, cfg, bytes);
        expect(whole.length).toBeGreaterThan(5);
        for (const targetChunkBytes of [1, 97, 600, 1 << 20]) {
          const writeSize = pick(random, [1, 3, 64, 4096]);
          const { chunks, results } = splitAndRead(createVelocidiReader, cfg, bytes, {
            targetChunkBytes,
            groupColumn: "orderId",
            writeSize,
          });
          const label = `${JSON.stringify(newline)} ${encoding} bom=${bom !== ""} target=${targetChunkBytes} writes=${writeSize}: ${chunks.length} chunks`;
          expect(results, label).toEqual(whole);
          if (chunks.length > 3) multiChunk++;
        }
        files++;
      }
    }
    expect(files).toBe(12);
    expect(multiChunk).toBeGreaterThan(20);
  });

  it("never separates the rows of an order, and cuts close to the target", () => {
    const text = velocidiFile(seededRandom(5), "\n", 300, ",", false);
    const bytes = encode(text, "utf-8");
    const splitter = createCsvSplitter({ targetChunkBytes: 2000, groupColumn: "orderId" });
    splitter.write(bytes);
    const { chunks } = splitter.end();
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks.slice(0, -1)) {
      // The chunk ends where an order starts: its next row has an order id of its own.
      const next = new TextDecoder().decode(bytes.subarray(chunk.end, chunk.end + 40));
      expect(next).toMatch(/^or\d+,/);
      expect(chunk.end - chunk.start).toBeGreaterThanOrEqual(2000);
      expect(chunk.end - chunk.start).toBeLessThan(2000 + 6 * 400);
    }
  });

  it("splits a Shopify export by Name, continuation rows and multi-line notes included", () => {
    const [header, ...rest] = SHOPIFY_EXPORT.split(/\n(?=#|Name)/);
    const lines = [header];
    for (let copy = 0; copy < 12; copy++)
      lines.push(...rest.map((row) => row.replace(/^#(\d+)/, `#${copy}-$1`)));
    const text = `${lines.join("\n").trimEnd()}\n`;
    const cfg = ReadConfig.parse({ type: "orders", format: "shopify_csv" });
    const bytes = encode(text, "utf-8");
    const whole = readBytes(createShopifyReader, cfg, bytes);
    expect(whole).toHaveLength(12 * 7);
    for (const targetChunkBytes of [1, 500, 3000]) {
      const { chunks, results } = splitAndRead(createShopifyReader, cfg, bytes, {
        targetChunkBytes,
        groupColumn: "Name",
        writeSize: 777,
      });
      expect(results, `target ${targetChunkBytes}`).toEqual(whole);
      expect(chunks.length).toBeGreaterThan(targetChunkBytes === 3000 ? 3 : 20);
    }
  });

  it("cuts between any two records without a group column, counting lines for each chunk", () => {
    const random = seededRandom(9);
    const lines = ["id,note"];
    for (let i = 0; i < 200; i++) lines.push(`${i},${csvCell(pick(random, ["a", "b\nc", "d\r\ne", "f,g"]))}`);
    const text = `${lines.join("\r\n")}\r\n`;
    const bytes = encode(text, "utf-8");
    const splitter = createCsvSplitter({ targetChunkBytes: 50 });
    splitter.write(bytes);
    const { prologueEnd, chunks } = splitter.end();
    expect(prologueEnd).toBe("id,note\r\n".length);
    const whole = new CsvTokenizer().write(text).slice(1);
    const pieces = chunks.flatMap((chunk) => {
      const tokenizer = new CsvTokenizer({ firstRow: chunk.firstRow, newline: "\r\n" });
      const part = new TextDecoder().decode(bytes.subarray(chunk.start, chunk.end));
      return [...tokenizer.write(part), ...tokenizer.end()];
    });
    expect(chunks.length).toBeGreaterThan(30);
    expect(pieces).toEqual(whole);
  });

  it("agrees with papaparse on where records end in random text of quotes, delimiters and line ends", () => {
    const alphabet = ["a", "b", ",", '"', '"', "\n", "\r", "\r\n", " ", "\t", "é"];
    const headers = ["h1,h2\n", "h1,h2\r\n", "h1,h2\r", '"h1","h2"\n', '"h\n1",h2\r\n', '"h1" ,h2\r'];
    for (let seed = 1; seed <= 800; seed++) {
      const { text, encoding, expected, pieces } = readRandomTextInChunks(seed, alphabet, headers, {});
      expect(pieces, `seed ${seed}, ${encoding}: ${JSON.stringify(text)}`).toEqual(expected);
    }
  });

  it("agrees with the google_tsv reader on where records end in random text of quotes, tabs and line ends", () => {
    const alphabet = ["a", "b", "\t", '"', '"', '"', "\n", "\r", "\r\n", " ", "é"];
    const headers = ["h1\th2\n", "h1\th2\r\n", "h1\th2\r", '"h1"\t"h2"\n', '"h\n1"\th2\r\n'];
    let cut = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const { text, encoding, expected, pieces, chunks } = readRandomTextInChunks(seed, alphabet, headers, {
        delimiter: "\t",
        wholeFieldQuotes: true,
      });
      expect(pieces, `seed ${seed}, ${encoding}: ${JSON.stringify(text)}`).toEqual(expected);
      if (chunks.length > 1) cut++;
    }
    expect(cut).toBeGreaterThan(1000);
  });

  it("cuts a Google TSV feed after a field that starts with a quote it does not enclose", () => {
    // papaparse's quoting would read the rest of the file as one field: no cut, and record_too_large.
    const lines = ["id\ttitle\tprice"];
    for (let i = 0; i < 200; i++)
      lines.push(`p${i}\t${i === 3 ? '"Best" pizza' : i === 5 ? '5" screen' : "x"}\t1 USD`);
    const bytes = encode(`${lines.join("\n")}\n`, "utf-8");
    const splitter = createCsvSplitter({
      targetChunkBytes: 100,
      delimiter: "\t",
      wholeFieldQuotes: true,
      failRecordBytes: 500,
    });
    splitter.write(bytes);
    const { chunks } = splitter.end();
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.every((chunk) => chunk.end - chunk.start < 200)).toBe(true);
  });

  it("stops reading a record for its group past maxRecordBytes, and does not cut after it", () => {
    const long = "x".repeat(5000);
    const rows = ["a", "b", "c"].map(
      (id) => `${id},email,u@x.y,EUR,1,1,0,0,0,0,2020-01-01,1,p,"${long}",s,EUR,1,1,0,0,0,0,1,fulfilled`,
    );
    const bytes = encode(`${VELOCIDI_HEADER}\n${rows.join("\n")}\n`, "utf-8");
    const cfg = velocidi("utf-8", ",");
    const { chunks, results } = splitAndRead(createVelocidiReader, cfg, bytes, {
      targetChunkBytes: 10,
      groupColumn: "orderId",
      writeSize: 1000,
    });
    expect(results).toEqual(readBytes(createVelocidiReader, cfg, bytes));
    expect(chunks.length).toBeGreaterThan(1);
    const capped = createCsvSplitter({ targetChunkBytes: 10, groupColumn: "orderId", maxRecordBytes: 1000 });
    capped.write(bytes);
    // No record can be read for its group: no cut is safe, so the file is one chunk.
    expect(capped.end().chunks).toHaveLength(1);
  });

  it("has no chunks for a file of only a header, with or without its line end", () => {
    for (const text of [`${VELOCIDI_HEADER}\n`, VELOCIDI_HEADER, `${VELOCIDI_HEADER}\r`]) {
      const splitter = createCsvSplitter({ targetChunkBytes: 10, groupColumn: "orderId" });
      splitter.write(encode(text, "utf-8"));
      expect(splitter.end()).toEqual({ prologueEnd: text.length, chunks: [] });
    }
  });
});

/** The usual value of each velocidi column, for order `o` and its line item `i`. */
const STANDARD_CELLS: Record<string, (o: number, i: number) => string> = {
  orderId: (o) => `or${o}`,
  userIdType: () => "email",
  userId: (o) => `user${o}@shop.com`,
  currency: () => "EUR",
  total: () => "102.5",
  subtotal: () => "85",
  tax: () => "11.5",
  shipping: () => "6",
  discount: () => "0",
  refund: () => "0",
  createdAt: () => "2020-09-16T10:38:06+0100",
  lineItem_id: (_, i) => `li${i}`,
  lineItem_productId: (o) => `p${o}`,
  lineItem_name: () => "Shirt",
  lineItem_sku: (o, i) => `sku${o}-${i}`,
  lineItem_currency: () => "EUR",
  lineItem_total: () => "102.5",
  lineItem_subtotal: () => "85",
  lineItem_tax: () => "11.5",
  lineItem_shipping: () => "6",
  lineItem_discount: () => "0",
  lineItem_refund: () => "0",
  lineItem_quantity: () => "1",
  lineItem_status: () => "fulfilled",
};

/**
 * A velocidi_csv of 60 orders of 1 to 4 rows (no quotes: one line a record) under `header`,
 * whose columns read `cells` (given the row's number), else their usual value.
 */
function ordersFile(header: string[], cells: Record<string, (o: number, row: number) => string>): string {
  const lines = [header.join(",")];
  let row = 0;
  for (let o = 1; o <= 60; o++) {
    for (let i = 1; i <= 1 + (o % 4); i++) {
      row++;
      lines.push(header.map((name) => cells[name]?.(o, row) ?? STANDARD_CELLS[name]?.(o, i) ?? "").join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

/** VELOCIDI_HEADER with its orderId column renamed. */
const headerWithId = (name: string) => VELOCIDI_HEADER.replace(/^orderId/, name).split(",");

/** The value of `column` on each side of every cut: the last record of a chunk, the first of the next. */
function aroundCuts(text: string, chunks: { end: number }[], column: number): [string, string][] {
  return chunks.slice(0, -1).map((chunk) => {
    const before =
      text
        .slice(0, chunk.end - 1)
        .split("\n")
        .at(-1) ?? "";
    const after = text.slice(chunk.end).split("\n")[0] ?? "";
    return [before.split(",")[column] ?? "", after.split(",")[column] ?? ""];
  });
}

describe("the group column after the import's transformations", () => {
  const orders = (transformations: unknown[]) =>
    ReadConfig.parse({ type: "orders", format: "velocidi_csv", transformations });

  /** Splits with a target well below an order's size, reads the chunks, checks they read as the whole. */
  const splitOrders = (text: string, cfg: ReadConfig) => {
    const bytes = encode(text, "utf-8");
    const whole = readBytes(createVelocidiReader, cfg, bytes);
    const { chunks, results } = splitAndRead(createVelocidiReader, cfg, bytes, {
      targetChunkBytes: 300,
      groupColumn: "orderId",
      writeSize: 512,
    });
    expect(whole.map((r) => [r.key, r.item?.lineItems.length])).toEqual(
      Array.from({ length: 60 }, (_, o) => [`or${o + 1}`, 1 + ((o + 1) % 4)]),
    );
    expect(results).toEqual(whole);
    return chunks;
  };

  it("cuts a file whose order_id is renamed to orderId only between orders", () => {
    const text = ordersFile(headerWithId("order_id"), { order_id: (o) => `or${o}` });
    const cfg = orders([{ op: "rename", from: "order_id", to: "orderId" }]);
    const chunks = splitOrders(text, cfg);
    expect(chunks.length).toBeGreaterThan(20);
    for (const [before, after] of aroundCuts(text, chunks, 0)) expect(after).not.toBe(before);

    // The ingest Worker's splitter, from the import's config, cuts in the same places.
    const splitter = createSplitter(cfg, 300);
    splitter.write(encode(text, "utf-8"));
    expect(splitter.end().chunks).toEqual(chunks);
  });

  it("follows a chain of renames, and a copy", () => {
    const text = ordersFile(headerWithId("ref"), { ref: (o) => `or${o}` });
    const renamed = orders([
      { op: "rename", from: "ref", to: "tmp" },
      { op: "rename", from: "tmp", to: "orderId" },
    ]);
    for (const [before, after] of aroundCuts(text, splitOrders(text, renamed), 0))
      expect(after).not.toBe(before);
    const copied = orders([{ op: "copy", from: "ref", to: "orderId" }]);
    for (const [before, after] of aroundCuts(text, splitOrders(text, copied), 0))
      expect(after).not.toBe(before);
  });

  it("groups by the column renamed onto orderId, not by the orderId the file has", () => {
    // The file's own orderId changes on every row: cut by it, orders would fall apart.
    const header = ["order_ref", ...VELOCIDI_HEADER.split(",")];
    const text = ordersFile(header, { order_ref: (o) => `or${o}`, orderId: (_, row) => `row${row}` });
    const chunks = splitOrders(text, orders([{ op: "rename", from: "order_ref", to: "orderId" }]));
    expect(chunks.length).toBeGreaterThan(20);
    for (const [before, after] of aroundCuts(text, chunks, 0)) expect(after).not.toBe(before);
  });

  it("groups by the value after the rename's value transformations", () => {
    // Two ids map to one (or3 to or2, ...): one order to the reader, so no cut between them.
    const text = ordersFile(headerWithId("order_id"), { order_id: (o) => `or${o}` });
    const mappings = Array.from({ length: 29 }, (_, k) => ({ from: `or${2 * k + 3}`, to: `or${2 * k + 2}` }));
    const cfg = orders([
      { op: "rename", from: "order_id", to: "orderId", values: [{ type: "map", mappings }] },
    ]);
    const bytes = encode(text, "utf-8");
    const whole = readBytes(createVelocidiReader, cfg, bytes);
    const { chunks, results } = splitAndRead(createVelocidiReader, cfg, bytes, {
      targetChunkBytes: 300,
      groupColumn: "orderId",
      writeSize: 512,
    });
    expect(whole).toHaveLength(31);
    // The rows of or2 and or3 are one order to the reader: one whose rows disagree (their line
    // item ids repeat, their other order columns differ), so it is reported rather than merged.
    expect(whole[1]?.records).toBe(7);
    expect(whole[1]?.item).toBeNull();
    expect(new Set(whole[1]?.issues.map((issue) => issue.code))).toEqual(
      new Set(["conflicting_value", "duplicate_line_item"]),
    );
    expect(chunks.length).toBeGreaterThan(10);
    expect(results).toEqual(whole);
  });

  it("keeps the file in one chunk when orderId is a constant: it is one order", () => {
    const text = ordersFile(headerWithId("order_id"), { order_id: (o) => `or${o}` });
    const cfg = orders([
      { op: "delete", field: "order_id" },
      { op: "add", field: "orderId", value: "all" },
    ]);
    const bytes = encode(text, "utf-8");
    const { chunks, results } = splitAndRead(createVelocidiReader, cfg, bytes, {
      targetChunkBytes: 300,
      groupColumn: "orderId",
      writeSize: 512,
    });
    expect(chunks).toHaveLength(1);
    expect(results).toEqual(readBytes(createVelocidiReader, cfg, bytes));
    expect(results).toHaveLength(1);
  });

  it("finds the source of a field as the readers' column plan does", () => {
    const header = ["a", "b", "orderId"];
    const source = (transformations: unknown[]) =>
      groupSource(header, "orderId", orders(transformations).transformations);
    expect(source([])).toEqual({ column: 2, values: [] });
    // A rename of a column the file lacks does nothing.
    expect(source([{ op: "rename", from: "order_id", to: "orderId" }])).toEqual({ column: 2, values: [] });
    expect(source([{ op: "rename", from: "a", to: "orderId" }])).toEqual({ column: 0, values: [] });
    // Copied before b is renamed onto a: the copy holds a's value as written.
    expect(
      source([
        { op: "copy", from: "a", to: "orderId" },
        { op: "rename", from: "b", to: "a" },
      ]),
    ).toEqual({ column: 0, values: [] });
    const cast = [{ type: "cast", to: "string" }];
    expect(
      source([
        { op: "rename", from: "a", to: "x", values: cast },
        { op: "copy", from: "x", to: "orderId", values: cast },
      ]),
    ).toEqual({ column: 0, values: [cast, cast] });
    expect(source([{ op: "add", field: "orderId", value: 1 }])).toBe("constant");
    expect(
      source([
        { op: "add", field: "x", value: 1 },
        { op: "rename", from: "x", to: "orderId" },
      ]),
    ).toBe("constant");
    expect(
      source([
        { op: "add", field: "orderId", value: 1 },
        { op: "rename", from: "b", to: "orderId" },
      ]),
    ).toEqual({ column: 1, values: [] });
    expect(source([{ op: "delete", field: "orderId" }])).toBe("absent");
    expect(source([{ op: "rename", from: "orderId", to: "id" }])).toBe("absent");
  });
});

/**
 * A random text of `alphabet` after one of `headers` (by seed), in one of four encodings, cut by
 * the splitter at a random target and fed in random slices; each chunk read on its own after the
 * header's line end, next to the records of the whole text read at once.
 */
function readRandomTextInChunks(
  seed: number,
  alphabet: string[],
  headers: string[],
  options: { delimiter?: string; wholeFieldQuotes?: boolean },
) {
  const encodings = ["utf-8", "utf-16le", "utf-16be", "windows-1252"] as const;
  const random = seededRandom(seed);
  let text = headers[seed % headers.length] ?? "";
  const length = Math.floor(random() * 160);
  for (let i = 0; i < length; i++) text += pick(random, alphabet);
  const encoding = encodings[seed % encodings.length] ?? "utf-8";
  const bytes = encode(text, encoding);
  const whole = new CsvTokenizer(options);
  const expected = [...whole.write(text), ...whole.end()].slice(1);
  const splitter = createCsvSplitter({
    targetChunkBytes: 1 + Math.floor(random() * 12),
    encoding,
    ...options,
  });
  const step = 1 + Math.floor(random() * 7);
  for (let i = 0; i < bytes.length; i += step) splitter.write(bytes.subarray(i, i + step));
  const { prologueEnd, chunks } = splitter.end();
  const decode = (part: Uint8Array) => {
    // Not at the file's start: these texts have no byte order mark to look for.
    const decoder = createTextDecoder(encoding, { byteOffset: 1 });
    return decoder.decode(part) + decoder.end();
  };
  const newline = newlineAtEnd(decode(bytes.subarray(0, prologueEnd)));
  const pieces = chunks.flatMap((chunk) => {
    const tokenizer = new CsvTokenizer({ ...options, firstRow: chunk.firstRow, newline });
    return [...tokenizer.write(decode(bytes.subarray(chunk.start, chunk.end))), ...tokenizer.end()];
  });
  return { text, encoding, expected, pieces, chunks };
}
