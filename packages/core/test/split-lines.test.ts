import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import { createTextDecoder } from "../src/decode";
import type { ChunkPlan, ItemReader, ReaderPosition, Splitter } from "../src/engine";
import { createCustomerJsonlReader } from "../src/formats/customers";
import { createProductReader } from "../src/formats/products";
import { createJsonlSplitter, createXmlSplitter } from "../src/split-lines";
import { seededRandom as mulberry32 } from "./support/random";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Feeds the bytes in random slices, as a stream would arrive. */
function plan(splitter: Splitter, bytes: Uint8Array, random: () => number, maxSlice: number) {
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(random() * maxSlice);
    splitter.write(bytes.subarray(i, i + size));
    i += size;
  }
  return splitter.end();
}

function decodeRange(bytes: Uint8Array, start: number, end: number, firstLine: number) {
  const decoder = createTextDecoder("utf-8", { byteOffset: start, firstLine });
  return decoder.decode(bytes.subarray(start, end)) + decoder.end();
}

function checkCover(chunks: ChunkPlan[], prologueEnd: number, length: number) {
  expect(chunks[0]?.start).toBe(prologueEnd);
  chunks.forEach((chunk, i) => {
    expect(chunk.end).toBeGreaterThan(chunk.start);
    if (i > 0) expect(chunk.start).toBe(chunks[i - 1]?.end);
  });
  expect(chunks.at(-1)?.end).toBe(length);
}

function readWith<T>(reader: ItemReader<T>, text: string) {
  return [...reader.write(text), ...reader.end()];
}

const JSONL = Array.from({ length: 60 }, (_, i) => {
  const end = i % 3 === 0 ? "\r\n" : i % 3 === 1 ? "\n" : "\r";
  if (i % 7 === 0) return end;
  return i % 13 === 0
    ? `{broken${end}`
    : `{"email":"user${i}@example.com","name":"Zoë ${"x".repeat(i % 11)}"}${end}`;
}).join("");

const customers = ReadConfig.parse({
  type: "customers",
  format: "jsonl",
  options: { userIdField: "email", userIdType: "email" },
});
const readJsonl = (text: string, position?: ReaderPosition) =>
  readWith(createCustomerJsonlReader(customers, position), text);

describe("createJsonlSplitter", () => {
  const bytes = utf8(JSONL);
  const whole = readJsonl(JSONL);

  it("cuts only between lines: reading each chunk gives the whole file's items, issues and rows", () => {
    expect(whole.filter((r) => r.item !== null)).toHaveLength(47);
    for (let seed = 1; seed <= 25; seed++) {
      const random = mulberry32(seed);
      const target = 1 + Math.floor(random() * 300);
      const { prologueEnd, chunks } = plan(
        createJsonlSplitter({ targetChunkBytes: target }),
        bytes,
        random,
        1 + (seed % 5) * 40,
      );
      expect(prologueEnd).toBe(0);
      checkCover(chunks, 0, bytes.length);
      const results = chunks.flatMap((c) =>
        readJsonl(decodeRange(bytes, c.start, c.end, c.firstRow), { prologue: "", firstRow: c.firstRow }),
      );
      expect(results).toEqual(whole);
    }
  });

  it("makes chunks of about the target size", () => {
    const { chunks } = plan(createJsonlSplitter({ targetChunkBytes: 200 }), bytes, mulberry32(1), 64);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.end - chunk.start).toBeGreaterThanOrEqual(200);
      expect(chunk.end - chunk.start).toBeLessThan(260);
    }
  });

  it("gives an empty file no chunk and a small one a single chunk", () => {
    expect(createJsonlSplitter({ targetChunkBytes: 10 }).end()).toEqual({ prologueEnd: 0, chunks: [] });
    const splitter = createJsonlSplitter({ targetChunkBytes: 1000 });
    splitter.write(utf8('{"a":1}\n'));
    expect(splitter.end()).toEqual({ prologueEnd: 0, chunks: [{ start: 0, end: 8, firstRow: 1 }] });
  });
});

const RSS = `<?xml version="1.0"?>
<!-- a feed; <item> in a comment is no item -->
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel><title>Shop</title>
${Array.from(
  { length: 40 },
  (_, i) =>
    `<item>\r\n  <g:id>p${i}</g:id><title>Zoë ${i}</title><description>${i % 5 === 0 ? "<![CDATA[<item> is text here]]>" : "d"}</description>${i % 4 === 0 ? "\n" : ""}${i % 3 === 0 ? "" : `<link>https://x.test/${i}</link><g:image_link>https://x.test/${i}.jpg</g:image_link><g:availability>in_stock</g:availability><g:price>${i}.00 EUR</g:price>`}</item>${i % 2 === 0 ? "\n" : ""}`,
).join("")}
</channel></rss>
`;

const products = ReadConfig.parse({ type: "products", format: "google_rss" });
const readXml = (text: string, position?: ReaderPosition) =>
  readWith(createProductReader(products, position), text);

describe("createXmlSplitter", () => {
  const bytes = utf8(RSS);
  const whole = readXml(RSS);

  it("cuts just before item start tags (not in comments or CDATA): each chunk read after the prologue gives the whole file's items", () => {
    expect(whole).toHaveLength(40);
    expect(whole.filter((r) => r.item !== null)).toHaveLength(26);
    for (let seed = 1; seed <= 25; seed++) {
      const random = mulberry32(seed);
      const target = 1 + Math.floor(random() * 400);
      const { prologueEnd, chunks } = plan(
        createXmlSplitter({ targetChunkBytes: target, itemElement: "item" }),
        bytes,
        random,
        1 + (seed % 5) * 30,
      );
      expect(prologueEnd).toBe(utf8(RSS.slice(0, RSS.indexOf("<item>\r\n"))).length);
      checkCover(chunks, prologueEnd, bytes.length);
      const prologue = decodeRange(bytes, 0, prologueEnd, 1);
      const items = chunks.flatMap((c) =>
        readXml(decodeRange(bytes, c.start, c.end, c.firstRow), { prologue, firstRow: c.firstRow }),
      );
      expect(items).toEqual(whole);
    }
  });

  it("finds Atom entries", () => {
    const atom = utf8(
      '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><id>1</id></entry>\n<entry/>\n<entryx/></feed>',
    );
    const splitter = createXmlSplitter({ targetChunkBytes: 1, itemElement: "entry" });
    splitter.write(atom);
    expect(splitter.end()).toEqual({
      prologueEnd: 43,
      chunks: [
        { start: 43, end: 69, firstRow: 2 },
        { start: 69, end: atom.length, firstRow: 3 },
      ],
    });
  });

  it("finds Atom entries written with a prefix, and reads them in chunks as whole", () => {
    const text = `<atom:feed xmlns:atom="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">\n${Array.from(
      { length: 12 },
      (_, i) =>
        `<atom:entry><g:id>p${i}</g:id><atom:title>Zoë ${i}</atom:title><atom:summary>d</atom:summary><atom:link href="https://x.test/${i}"/><g:image_link>https://x.test/${i}.jpg</g:image_link><g:availability>in_stock</g:availability><g:price>${i}.00 EUR</g:price><g:entry_note>not an entry</g:entry_note></atom:entry>\n`,
    ).join("")}<atom:entryx/></atom:feed>\n`;
    const bytes = utf8(text);
    const atom = ReadConfig.parse({ type: "products", format: "google_atom" });
    const readAtom = (part: string, position?: ReaderPosition) =>
      readWith(createProductReader(atom, position), part);
    const whole = readAtom(text);
    expect(whole.filter((r) => r.item !== null && r.issues.length === 0)).toHaveLength(12);
    const { prologueEnd, chunks } = plan(
      createXmlSplitter({ targetChunkBytes: 1, itemElement: "entry" }),
      bytes,
      mulberry32(7),
      40,
    );
    expect(prologueEnd).toBe(utf8(text.slice(0, text.indexOf("<atom:entry>"))).length);
    expect(chunks).toHaveLength(12);
    checkCover(chunks, prologueEnd, bytes.length);
    const prologue = decodeRange(bytes, 0, prologueEnd, 1);
    const items = chunks.flatMap((c) =>
      readAtom(decodeRange(bytes, c.start, c.end, c.firstRow), { prologue, firstRow: c.firstRow }),
    );
    expect(items).toEqual(whole);
  });

  it("reads a document without items from its start, as one chunk", () => {
    const splitter = createXmlSplitter({ targetChunkBytes: 1, itemElement: "item" });
    splitter.write(utf8("<rss><channel/></rss>"));
    expect(splitter.end()).toEqual({ prologueEnd: 0, chunks: [{ start: 0, end: 21, firstRow: 1 }] });
  });
});
