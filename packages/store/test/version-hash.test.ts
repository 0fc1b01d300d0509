import { describe, expect, it } from "vitest";
import { versionHash } from "../src/cdp/common";

describe("versionHash", () => {
  it("is 32 hex characters, the same for the same text", () => {
    const text = JSON.stringify({ orderId: "o1", name: 'Shirt, "model 1" blue', total: 25.81 });
    expect(versionHash(text)).toMatch(/^[0-9a-f]{32}$/);
    expect(versionHash(text)).toBe(versionHash(`${text}`));
  });

  it("tells apart texts that differ in one character, in its place, or in length", () => {
    const base = JSON.stringify({
      orderId: "or1",
      userId: "customer1@example.com",
      total: 25.81,
      lines: [1, 2],
    });
    const seen = new Map<string, string>();
    const add = (text: string) => {
      const hash = versionHash(text);
      const before = seen.get(hash);
      if (before !== undefined && before !== text)
        throw new Error(`${JSON.stringify(before)} and ${JSON.stringify(text)} share ${hash}`);
      seen.set(hash, text);
    };
    add(base);
    for (let i = 0; i < base.length; i++) {
      for (const ch of ["0", "1", "a", "\u00e9", "\u{1f600}", " ", "\u0000"])
        add(base.slice(0, i) + ch + base.slice(i + 1));
      add(base.slice(0, i) + base.slice(i + 1));
      if (i > 0) add(base.slice(0, i - 1) + base[i] + base[i - 1] + base.slice(i + 1));
    }
    for (let n = 0; n < 20_000; n++) add(`{"orderId":"or${n}","total":${n % 97}.${n % 13}}`);
    expect(seen.size).toBeGreaterThan(20_000);
  });

  it("counts UTF-16 code units, so text beyond the Basic Multilingual Plane hashes too", () => {
    expect(versionHash("\u{1f600}")).not.toBe(versionHash("\u{1f601}"));
    expect(versionHash("")).not.toBe(versionHash("\u0000"));
  });
});
