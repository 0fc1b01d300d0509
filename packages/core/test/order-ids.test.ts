import { describe, expect, it } from "vitest";
import { IdSet, TextIdSet } from "../src/formats/order-ids";
import { seededRandom } from "./support/random";

/** Ids of every shape the set treats differently, from a seeded generator. */
function idMaker(random: () => number): () => string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  let next = 1000;
  const shapes: (() => string)[] = [
    // Sequential numbers with and without a prefix: one bit each, in pages.
    () => `${next++}`,
    () => `or${next++}`,
    () => `#${next++}`,
    // Sparse numbers: pages that would hold too few ids, so text once the free pages are used.
    () => `${Math.floor(random() * 1e12)}`,
    () => `${pick(["a", "b", "c", "d", "e"])}${Math.floor(random() * 1e9)}`,
    // Leading zeros, too many digits, digits only in the middle: text, never confused with numbers.
    () => `0${Math.floor(random() * 50)}`,
    () => `or0${Math.floor(random() * 50)}`,
    () => `${Math.floor(random() * 50)}`,
    () => `or${Math.floor(random() * 50)}`,
    () => `9${"1".repeat(15 + Math.floor(random() * 3))}`,
    () => `x${Math.floor(random() * 100)}y`,
    () => pick(["", "0", "00", "o", "or", "OR1", "or1", "ör1", "€", "0or1"]),
    // Non-Latin-1 text (the text pages widen), and long ids past one length unit and past a page.
    () => `€${Math.floor(random() * 100)}`,
    () => `${"é".repeat(1 + Math.floor(random() * 3))}${Math.floor(random() * 20)}`,
    () => `${"k".repeat(250 + Math.floor(random() * 10))}${Math.floor(random() * 5)}`,
  ];
  return () => pick(shapes)();
}

describe("IdSet: the order ids seen by a reader", () => {
  it("answers as a plain Set does, for ids of every shape, in several seeded runs", () => {
    for (const seed of [1, 2, 3, 4]) {
      const random = seededRandom(seed);
      const make = idMaker(random);
      const ids = new IdSet();
      const plain = new Set<string>();
      const added: string[] = [];
      const wrong: string[] = [];
      for (let i = 0; i < 40_000; i++) {
        // Often an id seen before, as a file with non-contiguous orders has.
        const id =
          added.length > 0 && random() < 0.2
            ? (added[Math.floor(random() * added.length)] as string)
            : make();
        const probe = make();
        if (ids.has(probe) !== plain.has(probe)) wrong.push(`has ${probe}`);
        if (ids.add(id) !== !plain.has(id)) wrong.push(`add ${id}`);
        plain.add(id);
        added.push(id);
      }
      expect(wrong, `seed ${seed}`).toEqual([]);
      expect(ids.size).toBe(plain.size);
      for (const id of plain) expect(ids.has(id)).toBe(true);
    }
  });

  it("keeps sequential numbered ids in about a bit each, whatever their number", () => {
    const ids = new IdSet();
    let fresh = 0;
    for (let i = 1; i <= 400_000; i++) if (ids.add(`or${i}`)) fresh++;
    expect(fresh).toBe(400_000);
    for (let i = 1; i <= 400_000; i += 997) if (ids.add(`or${i}`)) fresh++;
    expect(fresh).toBe(400_000);
    expect(ids.size).toBe(400_000);
    expect(ids.pageBytes).toBeLessThanOrEqual(Math.ceil(400_001 / 4096) * 512);
    expect(ids.has("or0")).toBe(false);
    expect(ids.has("or400001")).toBe(false);
    expect(ids.has("or0400000")).toBe(false);
    expect(ids.has("r400000")).toBe(false);
    expect(ids.has("oor400000")).toBe(false);
  });

  it("makes no page for sparse numbers once the free pages are used, and still answers exactly", () => {
    const ids = new IdSet();
    const random = seededRandom(9);
    const plain = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = `${Math.floor(random() * 1e14)}`;
      expect(ids.add(id)).toBe(!plain.has(id));
      plain.add(id);
    }
    // 64 KiB of free pages, plus at most 4 bytes for each id held in pages.
    expect(ids.pageBytes).toBeLessThanOrEqual(64 * 1024 + 4 * 20_000);
    for (const id of plain) expect(ids.add(id)).toBe(false);
    expect(ids.size).toBe(plain.size);
  });

  it("finds a numbered id kept as text after its page was made", () => {
    const ids = new IdSet();
    // Sparse numbers use up the pages allowed, until one is kept as text...
    let sparse = 0;
    for (;;) {
      const before = ids.pageBytes;
      expect(ids.add(`${sparse++ * 4096}`)).toBe(true);
      if (ids.pageBytes === before) break;
    }
    const before = ids.pageBytes;
    expect(ids.add("n5000")).toBe(true);
    expect(ids.pageBytes, "n5000 is kept as text").toBe(before);
    // ...then more numbered ids allow pages again, and n5000's page is made.
    for (let i = 0; i < 4096 * 4; i++) expect(ids.add(`m${i}`)).toBe(true);
    expect(ids.add("n5001")).toBe(true);
    expect(ids.pageBytes).toBeGreaterThan(before);
    expect(ids.add("n5000")).toBe(false);
    expect(ids.has("n5000")).toBe(true);
    expect(ids.has("n5002")).toBe(false);
    for (let i = 0; i < 4096 * 4; i++) expect(ids.has(`m${i}`)).toBe(true);
    expect(ids.size).toBe(sparse + 4096 * 4 + 2);
  });
});

describe("TextIdSet", () => {
  it("answers as a plain Set does across pages, widening and long ids", () => {
    const random = seededRandom(5);
    const ids = new TextIdSet();
    const plain = new Set<string>();
    for (let i = 0; i < 30_000; i++) {
      const length = random() < 0.002 ? 200 + Math.floor(random() * 70_000) : 1 + Math.floor(random() * 12);
      let id = "";
      for (let k = 0; k < length; k++)
        id += String.fromCharCode(97 + Math.floor(random() * (i > 15_000 ? 3 : 26)));
      if (i === 20_000) id = "é€ widened";
      expect(ids.add(id)).toBe(!plain.has(id));
      plain.add(id);
    }
    expect(ids.size).toBe(plain.size);
    for (const id of plain) expect(ids.has(id)).toBe(true);
    expect(ids.has("é€ widened!")).toBe(false);
  });
});
