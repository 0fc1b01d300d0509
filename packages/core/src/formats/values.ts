import type { IssueCode } from "../issues";

/**
 * The value types of the order formats' columns, built once and applied to every value. On the
 * hot path a type answers the value or INVALID, allocating nothing else; only for an invalid
 * value does `problem` say why, for the issue.
 */
export const INVALID: unique symbol = Symbol("invalid");
export type Invalid = typeof INVALID;

export interface ValueType<T> {
  /** The value of a non-empty raw value (text as read, or a value a cast made), or INVALID. */
  read(raw: unknown): T | Invalid;
  /** Why `raw` is invalid: the issue's code and the end of its sentence ("must be ..."). */
  problem(raw: unknown): { code: IssueCode; expected: string };
}

const trimmed = (raw: unknown) => (typeof raw === "string" ? raw.trim() : "");

/** `[+-]digits[.digits]` or `.digits`, with an optional exponent: no thousands separators, no comma. */
function isDecimal(text: string): boolean {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 43 || c === 45) c = text.charCodeAt(++i);
  let digits = 0;
  while (c >= 48 && c <= 57) {
    digits++;
    c = text.charCodeAt(++i);
  }
  if (c === 46) {
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      digits++;
      c = text.charCodeAt(++i);
    }
  }
  if (digits === 0) return false;
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++i);
    if (c === 43 || c === 45) c = text.charCodeAt(++i);
    let exponent = 0;
    while (c >= 48 && c <= 57) {
      exponent++;
      c = text.charCodeAt(++i);
    }
    if (exponent === 0) return false;
  }
  return i === n;
}

function isInteger(text: string): boolean {
  const n = text.length;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 43 || first === 45) i = 1;
  if (i === n) return false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Values from a file are trimmed; most need no trimming, so look before making a new string. */
const clean = (text: string) =>
  text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32 ? text.trim() : text;

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The number a decimal text reads as, or INVALID: `[+-]digits[.digits]` or `.digits`, with an
 * optional exponent; no thousands separators, no comma. Up to 15 digits without an exponent it
 * is computed here (digits ÷ a power of ten is correctly rounded, so it equals Number(text));
 * anything longer goes through Number.
 */
function readDecimal(text: string): number | Invalid {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  let negative = false;
  if (c === 45 || c === 43) {
    negative = c === 45;
    c = text.charCodeAt(++i);
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = text.charCodeAt(++i);
  }
  if (c === 46) {
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      scale++;
      c = text.charCodeAt(++i);
    }
  }
  if (digits === 0) return INVALID;
  let exponent = false;
  if (c === 101 || c === 69) {
    exponent = true;
    c = text.charCodeAt(++i);
    if (c === 43 || c === 45) c = text.charCodeAt(++i);
    let exponentDigits = 0;
    while (c >= 48 && c <= 57) {
      exponentDigits++;
      c = text.charCodeAt(++i);
    }
    if (exponentDigits === 0) return INVALID;
  }
  if (i !== n) return INVALID;
  if (!exponent && digits <= 15) {
    const value = scale === 0 ? mantissa : mantissa / (POWERS_OF_TEN[scale] ?? 1);
    return negative ? -value : value;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : INVALID;
}

/** Double: `102.5`, `-3`, `1e3`. `12,5`, NaN and Infinity are not numbers here. */
export const double: ValueType<number> = {
  read(raw) {
    if (typeof raw === "number") return Number.isFinite(raw) ? raw : INVALID;
    if (typeof raw !== "string") return INVALID;
    return readDecimal(clean(raw));
  },
  problem(raw) {
    return typeof raw === "string" && isDecimal(raw.trim())
      ? { code: "invalid_number", expected: "a number of a sensible size" }
      : { code: "invalid_number", expected: "a number, like 102.5 (with a dot for decimals)" };
  },
};

/** Int: a whole number, within the safe integer range. */
export const integer: ValueType<number> = {
  read(raw) {
    if (typeof raw === "number") return Number.isSafeInteger(raw) ? raw : INVALID;
    if (typeof raw !== "string") return INVALID;
    const text = clean(raw);
    if (!isInteger(text)) return INVALID;
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : INVALID;
  },
  problem(raw) {
    return typeof raw === "string" && isInteger(raw.trim())
      ? { code: "invalid_integer", expected: "a whole number of a sensible size" }
      : { code: "invalid_integer", expected: "a whole number, like 2" };
  },
};

/**
 * Long: a whole number, kept exact. JSON numbers are exact up to 2^53 − 1, so a larger Long
 * (such as 2^63) is an issue rather than a silently rounded number.
 */
export const long: ValueType<number> = {
  read: integer.read,
  problem(raw) {
    const text = typeof raw === "string" ? raw.trim() : String(raw);
    return isInteger(text)
      ? { code: "invalid_long", expected: `a whole number up to ${Number.MAX_SAFE_INTEGER}` }
      : { code: "invalid_long", expected: "a whole number, like 15552000000" };
  },
};

/** Boolean: true or false, in any case. */
export const boolean: ValueType<boolean> = {
  read(raw) {
    if (typeof raw === "boolean") return raw;
    const text = trimmed(raw).toLowerCase();
    if (text === "true") return true;
    if (text === "false") return false;
    return INVALID;
  },
  problem: () => ({ code: "invalid_boolean", expected: "true or false" }),
};

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (any year). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const digit = (text: string, i: number) => {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const two = (text: string, i: number) => digit(text, i) * 10 + digit(text, i + 1);

/**
 * Date and time in ISO 8601: `2020-09-16T10:38:06+0100`, `…+01:00`, `…Z`, a space for the T, a
 * fraction of a second, a space before the offset (Shopify: `2025-12-03 23:59:29 +0000`). No
 * offset reads UTC, as a timestamp pattern without one does. A date alone is its midnight UTC.
 * The answer is ISO 8601 in UTC with milliseconds (`2020-09-16T09:38:06.000Z`).
 */
function readDateTime(text: string): string | Invalid | "impossible" {
  const n = text.length;
  if (n < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return INVALID;
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let offset = 0;
  let i = 10;
  if (i < n) {
    const t = text.charCodeAt(i);
    if ((t !== 84 && t !== 116 && t !== 32) || n < 16 || text.charCodeAt(13) !== 58) return INVALID;
    hour = two(text, 11);
    minute = two(text, 14);
    i = 16;
    if (text.charCodeAt(i) === 58) {
      second = two(text, 17);
      i = 19;
      const dot = text.charCodeAt(i);
      if (dot === 46 || dot === 44) {
        let scale = 100;
        i++;
        const start = i;
        while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
          millis += (text.charCodeAt(i) - 48) * scale;
          scale /= 10;
          i++;
        }
        if (i === start || i - start > 9) return INVALID;
        millis = Math.floor(millis);
      }
    }
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (i < n) {
      const sign = text.charCodeAt(i);
      if ((sign === 90 || sign === 122) && i + 1 === n) {
        i++;
      } else if (sign === 43 || sign === 45) {
        const hours = two(text, i + 1);
        let minutes = 0;
        i += 3;
        if (text.charCodeAt(i) === 58) i++;
        if (i < n) {
          minutes = two(text, i);
          i += 2;
        }
        if (Number.isNaN(hours + minutes)) return INVALID;
        if (hours > 18 || minutes > 59) return "impossible";
        offset = (sign === 45 ? -1 : 1) * (hours * 60 + minutes);
      } else {
        return INVALID;
      }
    }
  }
  if (i !== n || Number.isNaN(year + month + day + hour + minute + second)) return INVALID;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (month < 1 || month > 12 || day < 1 || day > maxDay || hour > 23 || minute > 59 || second > 59)
    return "impossible";
  const time =
    daysFromCivil(year, month, day) * 86_400_000 +
    ((hour * 60 + minute - offset) * 60 + second) * 1000 +
    millis;
  return isoString(time);
}

/**
 * A time as `Date.prototype.toISOString` writes it, for years 0–9999 (others through Date).
 * Written out here because toISOString measured ~0.8 µs a call, the largest cost of a row.
 */
function isoString(time: number): string {
  const days = Math.floor(time / 86_400_000);
  let rest = time - days * 86_400_000;
  // The civil date of a day number (the inverse of daysFromCivil).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(time).toISOString();
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const millis = rest - second * 1000;
  // One flat string from its char codes: a template literal made a tree of a dozen strings,
  // which the item then kept alive.
  return String.fromCharCode(
    digitAt(year, 1000),
    digitAt(year, 100),
    digitAt(year, 10),
    digitAt(year, 1),
    45, // -
    digitAt(month, 10),
    digitAt(month, 1),
    45, // -
    digitAt(day, 10),
    digitAt(day, 1),
    84, // T
    digitAt(hour, 10),
    digitAt(hour, 1),
    58, // :
    digitAt(minute, 10),
    digitAt(minute, 1),
    58, // :
    digitAt(second, 10),
    digitAt(second, 1),
    46, // .
    digitAt(millis, 100),
    digitAt(millis, 10),
    digitAt(millis, 1),
    90, // Z
  );
}

/** The char code of the decimal digit of `n` (0 ≤ n < 10,000) worth `place`. */
const digitAt = (n: number, place: number) => 48 + (Math.floor(n / place) % 10);

export const dateTime: ValueType<string> = {
  read(raw) {
    if (typeof raw !== "string") return INVALID;
    const value = readDateTime(clean(raw));
    return value === "impossible" ? INVALID : value;
  },
  problem(raw) {
    return readDateTime(trimmed(raw)) === "impossible"
      ? { code: "invalid_date", expected: "a date and time that exist" }
      : { code: "invalid_date", expected: "a date and time in ISO 8601, like 2020-09-16T10:38:06+0100" };
  },
};

/**
 * Active ISO 4217 currency codes, each mapped to itself: a valid code is answered as this one
 * string, so that items share it instead of each keeping the text it was read from.
 */
const ISO_4217 = new Map(
  (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW " +
    "CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG " +
    "HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT " +
    "MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR " +
    "SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED " +
    "VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL"
  )
    .split(" ")
    .map((code) => [code, code]),
);

/** An active ISO 4217 code, in capitals as the standard writes them. */
export const currency: ValueType<string> = {
  read(raw) {
    if (typeof raw !== "string") return INVALID;
    return ISO_4217.get(clean(raw)) ?? INVALID;
  },
  problem: () => ({ code: "invalid_currency", expected: "an ISO 4217 currency code, like EUR or USD" }),
};

/** One of a fixed list of words (statuses). `caseSensitive: false` accepts any case and answers lower case. */
export function oneOf<T extends string>(
  values: readonly T[],
  code: IssueCode,
  options: { caseSensitive: boolean },
): ValueType<T> {
  // Each word mapped to itself: items share the one string (see ISO_4217).
  const known = new Map<string, T>(values.map((value) => [value, value]));
  return {
    read(raw) {
      if (typeof raw !== "string") return INVALID;
      return known.get(options.caseSensitive ? clean(raw) : clean(raw).toLowerCase()) ?? INVALID;
    },
    problem: () => ({ code, expected: `one of ${values.join(", ")}` }),
  };
}

/** `a;b;c` → ["a", "b", "c"]; empty → []. */
export function parseList(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (raw === undefined || raw === null) return [];
  const text = typeof raw === "string" ? raw : String(raw);
  if (text === "") return [];
  const parts = text.split(";");
  // Most lists have no blanks or spaces to drop: keep split's array then.
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    if (part.length === 0 || part.charCodeAt(0) <= 32 || part.charCodeAt(part.length - 1) <= 32) {
      return parts.map((p) => p.trim()).filter((p) => p !== "");
    }
  }
  return parts;
}

/** Values are compared to the cent. */
export const cents = (value: number) => Math.round(value * 100);

/** Text for an issue: a value as written, or JSON for other types. */
export function shown(raw: unknown): string {
  return typeof raw === "string" ? raw : JSON.stringify(raw);
}

/** The case-insensitive near-miss of a missing column, for its message. */
export function nearMiss(column: string, header: readonly string[]): string | undefined {
  const lower = column.toLowerCase();
  return header.find((h) => h !== column && (h.toLowerCase() === lower || h.trim() === column));
}

export function missingColumnsMessage(missing: readonly string[], header: readonly string[]): string {
  const names = missing.map((column) => `"${column}"`).join(", ");
  const hints = missing.flatMap((column) => {
    const near = nearMiss(column, header);
    if (!near) return [];
    return near.trim() === column
      ? [` "${column}" is missing; the header has "${near}" — remove the spaces around the name.`]
      : [` "${column}" is missing; the header has "${near}" — column names are case sensitive.`];
  });
  return `The file is missing required column${missing.length > 1 ? "s" : ""}: ${names}.${hints.join("")}`;
}
