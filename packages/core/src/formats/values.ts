import type { IssueCode } from "../issues";

/**
 * Typed field parsers for the file formats, built once and applied per value. A parser answers
 * the value, or a problem (code and the sentence's tail) for the issue.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; code: IssueCode; expected: string };

const fail = <T>(code: IssueCode, expected: string): Parsed<T> => ({ ok: false, code, expected });

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export function parseDouble(raw: unknown): Parsed<number> {
  if (typeof raw === "number")
    return Number.isFinite(raw) ? { ok: true, value: raw } : fail("invalid_number", "a number, like 102.5");
  const text = typeof raw === "string" ? raw.trim() : "";
  if (!DECIMAL.test(text)) return fail("invalid_number", "a number, like 102.5 (with a dot for decimals)");
  const value = Number(text);
  return Number.isFinite(value) ? { ok: true, value } : fail("invalid_number", "a finite number");
}

export function parseInteger(raw: unknown): Parsed<number> {
  if (typeof raw === "number") {
    return Number.isSafeInteger(raw)
      ? { ok: true, value: raw }
      : fail("invalid_integer", "a whole number, like 2");
  }
  const text = typeof raw === "string" ? raw.trim() : "";
  if (!INTEGER.test(text)) return fail("invalid_integer", "a whole number, like 2");
  const value = Number(text);
  return Number.isSafeInteger(value)
    ? { ok: true, value }
    : fail("invalid_integer", "a whole number of a sensible size");
}

export function parseLong(raw: unknown): Parsed<number> {
  const parsed = parseInteger(raw);
  if (parsed.ok) return parsed;
  const text = typeof raw === "string" ? raw.trim() : String(raw);
  return INTEGER.test(text)
    ? fail("invalid_long", `a whole number up to ${Number.MAX_SAFE_INTEGER}`)
    : fail("invalid_long", "a whole number, like 15552000000");
}

/** true / false in any case; an empty value is false. */
export function parseBoolean(raw: unknown): Parsed<boolean> {
  if (typeof raw === "boolean") return { ok: true, value: raw };
  const text = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (text === "" || text === "false") return { ok: true, value: false };
  if (text === "true") return { ok: true, value: true };
  return fail("invalid_boolean", "true or false");
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Date and time as ISO 8601 (offsets like +0100, +01:00 or Z; none means UTC) → ISO 8601 in UTC. */
export function parseDateTime(raw: unknown): Parsed<string> {
  const text = typeof raw === "string" ? raw.trim() : "";
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return fail("invalid_date", "a date and time in ISO 8601, like 2020-09-16T10:38:06+0100");
  return dateFromParts(m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
}

export function dateFromParts(
  year = "",
  month = "",
  day = "",
  hour = "0",
  minute = "0",
  second = "0",
  fraction = "",
  offset = "",
): Parsed<string> {
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const maxDay = mo === 2 && !leap ? 28 : (DAYS_IN_MONTH[mo - 1] ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > maxDay || h > 23 || mi > 59 || s > 59) {
    return fail("invalid_date", "a date that exists");
  }
  let offsetMinutes = 0;
  if (offset && offset !== "Z" && offset !== "z") {
    const sign = offset[0] === "-" ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || "0");
    if (oh > 18 || om > 59) return fail("invalid_date", "a valid time zone offset, like +0100");
    offsetMinutes = sign * (oh * 60 + om);
  }
  const ms = Number((fraction || "0").padEnd(3, "0").slice(0, 3));
  const time = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000;
  return { ok: true, value: new Date(time).toISOString() };
}

/** `a;b;c` → ["a", "b", "c"]; empty → []. */
export function parseList(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  const text = typeof raw === "string" ? raw : raw === undefined || raw === null ? "" : String(raw);
  if (text.trim() === "") return [];
  return text
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

/** Active ISO 4217 currency codes. */
const ISO_4217 = new Set(
  (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW " +
    "CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG " +
    "HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT " +
    "MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR " +
    "SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED " +
    "VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL"
  ).split(" "),
);

export function parseCurrency(raw: unknown): Parsed<string> {
  const text = typeof raw === "string" ? raw.trim() : "";
  return ISO_4217.has(text)
    ? { ok: true, value: text }
    : fail("invalid_currency", "an ISO 4217 currency code, like EUR or USD");
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
  return header.find((h) => h.toLowerCase() === lower || h.trim() === column);
}

export function missingColumnsMessage(missing: string[], header: readonly string[]): string {
  const parts = missing.map((column) => {
    const near = nearMiss(column, header);
    return near ? `"${column}" (the header has "${near}": column names are case sensitive)` : `"${column}"`;
  });
  return `The file is missing required column${missing.length > 1 ? "s" : ""}: ${parts.join(", ")}.`;
}
