/**
 * Custom timestamp patterns (the `timestamp` value transformation). A pattern is compiled once
 * to a RegExp with one capture group per field; no code is generated, so it runs in workerd.
 *
 * Letters (Java DateTimeFormatter style, the subset API.md names plus the obvious neighbours):
 *   yyyy 4-digit year · yy 2-digit year (2000–2099) · MMMM month name · MMM month abbreviation
 *   MM 2-digit month · M 1–2 digits · dd 2-digit day · d 1–2 digits
 *   HH 2-digit hour 0–23 · H 1–2 digits 0–23 · hh 2-digit hour · h 1–2 digits
 *     (hh/h are 1–12 with `a`; without `a` they accept 0–23, as the product's own example needs)
 *   mm minutes · m 1–2 digits · ss seconds · s 1–2 digits · SSS milliseconds · a AM/PM
 *   Z +0100, +01:00 or Z · XXX +01:00 or Z · X +01, +0100 or Z
 *   '...' literal text ('' is a quote). Any other non-letter stands for itself.
 * A pattern without an offset reads UTC. Month names are English and case-insensitive.
 */

export type TimestampParser = (text: string) => string | null;

export class TimestampPatternError extends Error {}

type Slot =
  | "year4"
  | "year2"
  | "monthName"
  | "monthAbbr"
  | "month"
  | "day"
  | "hour24"
  | "hour12"
  | "minute"
  | "second"
  | "millis"
  | "ampm"
  | "offset";

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

const TWO = "(\\d{2})";
const ONE_OR_TWO = "(\\d{1,2})";
const OFFSET_Z = "(Z|[+-]\\d{2}:?\\d{2})";
const OFFSET_XXX = "(Z|[+-]\\d{2}:\\d{2})";
const OFFSET_X = "(Z|[+-]\\d{2}(?:\\d{2})?)";

/** Pattern letters → (slot, capture group). Longest letter runs first. */
const TOKENS: Record<string, { slot: Slot; group: string }> = {
  yyyy: { slot: "year4", group: "(\\d{4})" },
  yy: { slot: "year2", group: TWO },
  MMMM: { slot: "monthName", group: "([A-Za-z]+)" },
  MMM: { slot: "monthAbbr", group: "([A-Za-z]{3})" },
  MM: { slot: "month", group: TWO },
  M: { slot: "month", group: ONE_OR_TWO },
  dd: { slot: "day", group: TWO },
  d: { slot: "day", group: ONE_OR_TWO },
  HH: { slot: "hour24", group: TWO },
  H: { slot: "hour24", group: ONE_OR_TWO },
  hh: { slot: "hour12", group: TWO },
  h: { slot: "hour12", group: ONE_OR_TWO },
  mm: { slot: "minute", group: TWO },
  m: { slot: "minute", group: ONE_OR_TWO },
  ss: { slot: "second", group: TWO },
  s: { slot: "second", group: ONE_OR_TWO },
  SSS: { slot: "millis", group: "(\\d{3})" },
  a: { slot: "ampm", group: "([AaPp][Mm])" },
  Z: { slot: "offset", group: OFFSET_Z },
  XXX: { slot: "offset", group: OFFSET_XXX },
  X: { slot: "offset", group: OFFSET_X },
};

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

const isLetter = (ch: string) => (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z");

/** Compiles a pattern; throws TimestampPatternError with a sentence naming the problem. */
export function compileTimestampPattern(pattern: string): TimestampParser {
  const slots: Slot[] = [];
  let source = "^";
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      const close = findQuoteEnd(pattern, i + 1);
      if (close < 0) throw new TimestampPatternError(`the pattern "${pattern}" has an unclosed quote`);
      const literal = close === i + 1 ? "'" : pattern.slice(i + 1, close).replaceAll("''", "'");
      source += escapeRegExp(literal);
      i = close + 1;
      continue;
    }
    if (!isLetter(ch)) {
      source += escapeRegExp(ch);
      i++;
      continue;
    }
    let end = i;
    while (pattern[end] === ch) end++;
    const run = pattern.slice(i, end);
    const token = TOKENS[run];
    if (!token) {
      throw new TimestampPatternError(
        `"${run}" in the pattern "${pattern}" is not a supported pattern letter; use yyyy, yy, MMM, MM, dd, d, HH, H, hh, mm, ss, SSS, a, Z, XXX or X, and quote literal text like 'T'`,
      );
    }
    if (slots.includes(token.slot) || (token.slot.startsWith("month") && slots.some(isMonth))) {
      throw new TimestampPatternError(`the pattern "${pattern}" names "${run}" twice`);
    }
    slots.push(token.slot);
    source += token.group;
    i = end;
  }
  source += "$";
  const hasYear = slots.includes("year4") || slots.includes("year2");
  if (!hasYear || !slots.some(isMonth) || !slots.includes("day")) {
    throw new TimestampPatternError(
      `the pattern "${pattern}" needs a year (yyyy or yy), a month (MM or MMM) and a day (dd or d)`,
    );
  }
  if (slots.includes("hour24") && slots.includes("hour12")) {
    throw new TimestampPatternError(`the pattern "${pattern}" names the hour twice`);
  }
  const twelveHour = slots.includes("ampm");
  const matcher = new RegExp(source);

  return (text: string) => {
    const match = matcher.exec(text.trim());
    if (!match) return null;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let millis = 0;
    let pm: boolean | null = null;
    let offsetMinutes = 0;
    for (let k = 0; k < slots.length; k++) {
      const part = match[k + 1] ?? "";
      switch (slots[k]) {
        case "year4":
          year = Number(part);
          break;
        case "year2":
          year = 2000 + Number(part);
          break;
        case "monthName":
          month = MONTHS.indexOf(part.toLowerCase()) + 1;
          break;
        case "monthAbbr":
          month = MONTHS.findIndex((name) => name.startsWith(part.toLowerCase())) + 1;
          break;
        case "month":
          month = Number(part);
          break;
        case "day":
          day = Number(part);
          break;
        case "hour24":
        case "hour12":
          hour = Number(part);
          break;
        case "minute":
          minute = Number(part);
          break;
        case "second":
          second = Number(part);
          break;
        case "millis":
          millis = Number(part);
          break;
        case "ampm":
          pm = part.toLowerCase() === "pm";
          break;
        case "offset": {
          const offset = parseOffset(part);
          if (offset === null) return null;
          offsetMinutes = offset;
          break;
        }
      }
    }
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    if (minute > 59 || second > 59) return null;
    if (twelveHour) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (pm ? 12 : 0);
    } else if (hour > 23) {
      return null;
    }
    if (offsetMinutes === 0 && year >= 1000) {
      // The common case needs no Date: the fields are already UTC.
      const time = `${pad2(hour)}:${pad2(minute)}:${pad2(second)}${millis ? `.${String(millis).padStart(3, "0")}` : ""}`;
      return `${year}-${pad2(month)}-${pad2(day)}T${time}Z`;
    }
    const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
    return formatIsoUtc(utc, year);
  };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function isMonth(slot: Slot): boolean {
  return slot === "month" || slot === "monthAbbr" || slot === "monthName";
}

function findQuoteEnd(pattern: string, from: number): number {
  let i = from;
  while (i < pattern.length) {
    if (pattern[i] === "'") {
      if (pattern[i + 1] === "'" && i !== from) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  return -1;
}

/**
 * The offset in minutes, or null when it is no offset a clock can have: minutes up to 59, hours
 * up to 18 (as java.time's ZoneOffset; real zones span -12:00 to +14:00).
 */
function parseOffset(text: string): number | null {
  if (text === "Z") return 0;
  const sign = text[0] === "-" ? -1 : 1;
  const digits = text.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (minutes > 59 || hours * 60 + minutes > 18 * 60) return null;
  return sign * (hours * 60 + minutes);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** `2021-01-21T14:25:00Z`; milliseconds only when there are some. */
function formatIsoUtc(epochMillis: number, year: number): string {
  const date = new Date(epochMillis);
  // Date.UTC maps years 0–99 to 1900–1999; set the year explicitly to keep "0050" as 0050.
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  const iso = date.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
