import { describe, expect, it } from "vitest";
import { sha256Hex, sha256HexSync } from "../src/hash";

describe("sha256HexSync", () => {
  it("gives the same answer as WebCrypto, across block edges and non-ASCII text", async () => {
    const inputs = [
      "",
      "abc",
      "customer@example.com",
      "ünïcödé ✓ 🎉",
      "x".repeat(55),
      "x".repeat(56),
      "x".repeat(64),
      "y".repeat(1000),
    ];
    for (let i = 0; i < 200; i++) inputs.push(`user${i}@shop-${i % 7}.com${"z".repeat(i % 70)}`);
    for (const input of inputs) expect(sha256HexSync(input), input).toBe(await sha256Hex(input));
    expect(sha256HexSync("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
