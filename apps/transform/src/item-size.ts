import type { Issue } from "@cdp/core";

/**
 * The most text one stored item may hold, in characters: an order's own fields, one line item
 * (the store pages the line items of a long order), a profile's attributes, a product. A
 * Durable Object's SQLite refuses a string or row over 2 MB, and UTF-8 takes up to 3 bytes a
 * character; a larger item would fail its chunk's write on every retry.
 */
export const MAX_STORED_ROW_CHARS = 512 * 1024;

/** The longest string of a value and where it is. */
interface Longest {
  field: string;
  size: number;
}

/**
 * The text of a value in characters (strings and keys; 8 for any other scalar), stopping early
 * past `limit`: the check every item goes through, so it builds no paths and no entry arrays.
 * What counts is decided here alone; findLongest only names the field of an item over it.
 */
function textSize(value: unknown, limit: number, skip?: string): number {
  if (typeof value === "string") return value.length;
  if (value === null || typeof value !== "object") return 8;
  let size = 0;
  if (Array.isArray(value)) {
    for (const element of value) {
      size += textSize(element, limit);
      if (size > limit) break;
    }
    return size;
  }
  for (const key in value) {
    if (key === skip) continue;
    size += key.length + textSize((value as Record<string, unknown>)[key], limit);
    if (size > limit) break;
  }
  return size;
}

/** Finds the longest string of a value, for the issue of one over the limit (textSize). */
function findLongest(value: unknown, path: string, into: Longest, skip?: string): void {
  if (typeof value === "string") {
    if (value.length > into.size) {
      into.field = path;
      into.size = value.length;
    }
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const element of value) findLongest(element, path, into);
    return;
  }
  for (const [key, inner] of Object.entries(value))
    if (key !== skip) findLongest(inner, path === "" ? key : `${path}.${key}`, into);
}

/**
 * The issue of an item too large to store (value_too_long on its longest field), or null. An
 * order is measured as it is stored: its own fields, then each line item on its own.
 */
export function oversizeIssue(
  item: object,
  kind: "order" | "customer" | "product",
  row: number,
  key: string | null,
  limit = MAX_STORED_ROW_CHARS,
): Issue | null {
  // Every item is measured; only one over the limit is described (no paths or labels otherwise).
  if (textSize(item, limit, "lineItems") > limit)
    return tooLarge(item, `The ${kind}`, "", row, key, limit, "lineItems");
  if (kind !== "order") return null;
  const lineItems = (item as { lineItems?: unknown[] }).lineItems ?? [];
  for (let i = 0; i < lineItems.length; i++) {
    if (textSize(lineItems[i], limit) <= limit) continue;
    return tooLarge(lineItems[i], `Line item ${i + 1} of the order`, `lineItems[${i}]`, row, key, limit);
  }
  return null;
}

/** The value_too_long issue of a part of an item over the limit, on its longest field. */
function tooLarge(
  value: unknown,
  what: string,
  path: string,
  row: number,
  key: string | null,
  limit: number,
  skip?: string,
): Issue {
  const longest: Longest = { field: path, size: 0 };
  findLongest(value, path, longest, skip);
  return {
    row,
    item: key,
    field: longest.field || null,
    code: "value_too_long",
    severity: "error",
    message: `${what} is too large to store: its text is over ${limit.toLocaleString("en")} characters, "${longest.field}" alone has ${longest.size.toLocaleString("en")}. Shorten that field.`,
    value: null,
  };
}
