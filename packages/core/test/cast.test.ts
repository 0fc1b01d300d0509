import { describe, expect, it } from "vitest";
import { castValue } from "../src/transform/cast";

const FAILS = Symbol("fails");
type Cell = unknown | typeof FAILS;

/** Every row of the table in src/transform/cast.ts: value → string, integer, float, bool. */
const TABLE: [unknown, Cell, Cell, Cell, Cell][] = [
  ["12", "12", 12, 12, FAILS],
  ["12.5", "12.5", FAILS, 12.5, FAILS],
  ["12.0", "12.0", 12, 12, FAILS],
  ["1.5e3", "1.5e3", 1500, 1500, FAILS],
  [" -7 ", " -7 ", -7, -7, FAILS],
  ["12,5", "12,5", FAILS, FAILS, FAILS],
  ["abc", "abc", FAILS, FAILS, FAILS],
  ["NaN", "NaN", FAILS, FAILS, FAILS],
  ["Infinity", "Infinity", FAILS, FAILS, FAILS],
  ["0x1", "0x1", FAILS, FAILS, FAILS],
  ["1e999", "1e999", FAILS, FAILS, FAILS],
  ["99999999999999999999", "99999999999999999999", FAILS, 1e20, FAILS],
  ["yes", "yes", FAILS, FAILS, true],
  [" TRUE ", " TRUE ", FAILS, FAILS, true],
  ["1", "1", 1, 1, true],
  ["No", "No", FAILS, FAILS, false],
  ["false", "false", FAILS, FAILS, false],
  ["0", "0", 0, 0, false],
  ["y", "y", FAILS, FAILS, FAILS],
  ["", "", null, null, null],
  ["   ", "   ", null, null, null],
  [12, "12", 12, 12, FAILS],
  [12.5, "12.5", FAILS, 12.5, FAILS],
  [1, "1", 1, 1, true],
  [0, "0", 0, 0, false],
  [true, "true", 1, 1, true],
  [false, "false", 0, 0, false],
  [null, null, null, null, null],
  [{ a: 1 }, '{"a":1}', FAILS, FAILS, FAILS],
  [[1, 2], "[1,2]", FAILS, FAILS, FAILS],
];

const TYPES = ["string", "integer", "float", "bool"] as const;

describe("cast table", () => {
  for (const [value, ...cells] of TABLE) {
    TYPES.forEach((to, i) => {
      const expected = cells[i];
      it(`${JSON.stringify(value)} → ${to}: ${expected === FAILS ? "fails" : JSON.stringify(expected)}`, () => {
        const result = castValue(value, to);
        if (expected === FAILS) expect(result).toEqual({ ok: false });
        else expect(result).toEqual({ ok: true, value: expected });
      });
    });
  }
});
