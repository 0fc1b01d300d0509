import { describe, expect, it } from "vitest";
import { wholeNumberVar } from "../src/vars";

describe("wholeNumberVar", () => {
  it("takes a whole number of at least min, and the fallback for anything else", () => {
    expect(wholeNumberVar("1024", 7)).toBe(1024);
    expect(wholeNumberVar(" 12 ", 7)).toBe(12);
    for (const text of [undefined, "", " ", "0", "-1", "1.5", "ten", "1e400"]) {
      expect(wholeNumberVar(text, 7)).toBe(7);
    }
    expect(wholeNumberVar("0", 7, 0)).toBe(0);
  });
});
