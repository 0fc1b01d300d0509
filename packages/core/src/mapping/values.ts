import { currency, dateTime, INVALID } from "../formats/values";
import { compileTimestampPattern } from "../transform/timestamp";
import type { ValueKind } from "./fields";

/**
 * What a column's sample values are. Empty cells say nothing; a kind needs every other value to
 * be of it (one e-mail among names is no e-mail column).
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A sum of money: a symbol or code before or after, thousands grouped, cents after a dot or comma. */
const MONEY =
  /^(?:[A-Z]{3}\s?|[€$£¥]\s?)?-?(?:\d{1,3}(?:[ ,.\u00a0]\d{3})+|\d+)(?:[.,]\d{1,2})?(?:\s?[A-Z]{3}|\s?[€$£¥])?$/;
const CENTS = /[.,]\d{2}(?:\s?[A-Z]{3}|\s?[€$£¥])?$/;
const SYMBOL = /[€$£¥]|[A-Z]{3}/;
const URL_VALUE = /^https?:\/\/[^\s/]+\S*$/i;
const IMAGE_PATH = /\.(?:jpe?g|png|gif|webp|avif|svg)$/i;

/** The sample values of a column as text, trimmed, empty ones left out. */
export function filledValues(values: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const text = (typeof value === "string" ? value : typeof value === "object" ? "" : String(value)).trim();
    if (text !== "") out.push(text);
  }
  return out;
}

const every = (values: readonly string[], test: (value: string) => boolean) =>
  values.length > 0 && values.every(test);

function isImageUrl(value: string): boolean {
  if (!URL_VALUE.test(value) || !URL.canParse(value)) return false;
  return IMAGE_PATH.test(new URL(value).pathname);
}

/** The kinds a column's values are. */
export function valueKinds(values: readonly string[]): Set<ValueKind> {
  const kinds = new Set<ValueKind>();
  if (values.length === 0) return kinds;
  if (every(values, (v) => EMAIL.test(v))) kinds.add("email");
  if (every(values, (v) => currency.read(v) !== INVALID)) kinds.add("currency");
  // Whole numbers alone are counts or ids; a sum of money shows its cents or its currency.
  if (every(values, (v) => MONEY.test(v)) && values.some((v) => CENTS.test(v) || SYMBOL.test(v)))
    kinds.add("price");
  // Links to images, or to pages (none of them an image).
  if (every(values, isImageUrl)) kinds.add("image_url");
  else if (every(values, (v) => URL_VALUE.test(v) && URL.canParse(v) && !isImageUrl(v))) kinds.add("url");
  if (dateFormat(values) !== null) kinds.add("date");
  return kinds;
}

/**
 * How a column's dates are written: ISO 8601 (which the formats read as they are), a timestamp
 * pattern that reads every value and that no other order of day and month reads too, or
 * `ambiguous` with the patterns that all read them (01/02/2024 is 1 February or January 2).
 */
export type DateFormat =
  | { kind: "iso" }
  | { kind: "pattern"; pattern: string }
  | { kind: "ambiguous"; patterns: string[] };

const DATES = [
  "dd/MM/yyyy",
  "d/M/yyyy",
  "MM/dd/yyyy",
  "M/d/yyyy",
  "dd-MM-yyyy",
  "d-M-yyyy",
  "MM-dd-yyyy",
  "dd.MM.yyyy",
  "d.M.yyyy",
  "yyyy/MM/dd",
  "yyyy/M/d",
  "yyyy.MM.dd",
  "dd/MM/yy",
  "MM/dd/yy",
  "dd MMM yyyy",
  "d MMM yyyy",
  "MMM d, yyyy",
  "MMMM d, yyyy",
  "d MMMM yyyy",
];
const TIMES = [
  "",
  " HH:mm",
  " HH:mm:ss",
  " H:mm",
  " H:mm:ss",
  " hh:mm a",
  " h:mm a",
  " hh:mm:ss a",
  " h:mm:ss a",
  ", HH:mm",
  ", HH:mm:ss",
  ", h:mm a",
  " 'at' h:mm a",
];

type Candidate = { pattern: string; order: string; parse: (text: string) => string | null };
let candidates: Candidate[] | null = null;

/** Every candidate pattern with its parser, compiled on first use. */
function dateCandidates(): Candidate[] {
  candidates ??= DATES.flatMap((date) =>
    TIMES.map((time) => {
      const pattern = `${date}${time}`;
      return { pattern, order: dayMonthOrder(date), parse: compileTimestampPattern(pattern) };
    }),
  );
  return candidates;
}

/** Which of day and month comes first in a date pattern ("dM" or "Md"). */
function dayMonthOrder(pattern: string): string {
  return pattern.replace(/[^dM]/g, "").replace(/(.)\1+/g, "$1");
}

/** The date format of a column's values, or null when they are not all dates of one format. */
export function dateFormat(values: readonly string[]): DateFormat | null {
  if (values.length === 0) return null;
  if (values.every((v) => dateTime.read(v) !== INVALID)) return { kind: "iso" };
  const fitting = dateCandidates().filter((candidate) => values.every((v) => candidate.parse(v) !== null));
  if (fitting.length === 0) return null;
  // The first of each order of day and month is the most exact (dd before d).
  const byOrder = new Map<string, string>();
  for (const candidate of fitting)
    if (!byOrder.has(candidate.order)) byOrder.set(candidate.order, candidate.pattern);
  const patterns = [...byOrder.values()];
  const [only] = patterns;
  return patterns.length === 1 && only !== undefined
    ? { kind: "pattern", pattern: only }
    : { kind: "ambiguous", patterns };
}
