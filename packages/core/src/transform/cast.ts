import type { CAST_TYPES } from "../read-config";

export type CastType = (typeof CAST_TYPES)[number];

/**
 * The `cast` value transformation. The product description's cast table is empty; this is the
 * table we implement (each cell is tested in test/cast.test.ts). Text is trimmed first.
 *
 * | value                       | string          | integer                  | float           | bool                    |
 * |-----------------------------|-----------------|--------------------------|-----------------|-------------------------|
 * | "12"                        | "12"            | 12                       | 12              | fails                   |
 * | "12.5"                      | "12.5"          | fails (never truncated)  | 12.5            | fails                   |
 * | "12.0", "1.5e3"             | as is           | 12, 1500 (exact values)  | 12, 1500        | fails                   |
 * | "12,5", "abc", "NaN", "0x1" | as is           | fails                    | fails           | fails                   |
 * | "yes" "true" "1" (any case) | as is           | fails ("1" → 1)          | fails ("1" → 1) | true                    |
 * | "no" "false" "0" (any case) | as is           | fails ("0" → 0)          | fails ("0" → 0) | false                   |
 * | "" or only spaces           | ""              | null                     | null            | null                    |
 * | JSON number 12 / 12.5       | "12" / "12.5"   | 12 / fails               | 12 / 12.5       | 1 → true, 0 → false, else fails |
 * | JSON true / false           | "true"/"false"  | 1 / 0                    | 1 / 0           | as is                   |
 * | JSON null                   | null            | null                     | null            | null                    |
 * | JSON object or array        | its JSON text   | fails                    | fails           | fails                   |
 *
 * An empty cell is how CSV files say "no value": casting it to a number or a boolean gives null
 * (no value) instead of failing every record with a blank cell. Integers beyond ±2^53 and
 * numbers beyond the float range fail rather than lose digits.
 */
export type CastResult = { ok: true; value: unknown } | { ok: false };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(["yes", "true", "1"]);
const FALSE_WORDS = new Set(["no", "false", "0"]);

/** What castOr answers for a value that cannot be cast. */
export const CAST_FAILED: unique symbol = Symbol("cast failed");

const FAILED: CastResult = { ok: false };

export function castValue(value: unknown, to: CastType): CastResult {
  const cast = castOr(value, to);
  return cast === CAST_FAILED ? FAILED : { ok: true, value: cast };
}

/** castValue without a result object, for the per-row path: the value, or CAST_FAILED. */
export function castOr(value: unknown, to: CastType): unknown {
  if (value === null || value === undefined) return null;
  switch (to) {
    case "string":
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      return JSON.stringify(value);
    case "integer": {
      const number = toNumber(value);
      if (number === undefined) return CAST_FAILED;
      if (number === null) return null;
      return Number.isSafeInteger(number) ? number : CAST_FAILED;
    }
    case "float": {
      const number = toNumber(value);
      return number === undefined ? CAST_FAILED : number;
    }
    case "bool":
      return toBoolean(value);
  }
}

/** A finite number, null for empty text, undefined when it is not a number. */
function toNumber(value: unknown): number | null | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "") return null;
  if (!DECIMAL.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

function toBoolean(value: unknown): boolean | null | typeof CAST_FAILED {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : CAST_FAILED;
  if (typeof value !== "string") return CAST_FAILED;
  const word = value.trim().toLowerCase();
  if (word === "") return null;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return CAST_FAILED;
}

/** How each cast type is named in an issue message, with an example. */
export const CAST_EXPECTATIONS: Record<CastType, string> = {
  string: "text",
  integer: "a whole number, like 12",
  float: "a number, like 12.5",
  bool: "yes, no, true, false, 1 or 0",
};
