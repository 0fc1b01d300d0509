// @ts-check

/**
 * The formats each import type reads, as the API's FORMATS_BY_TYPE (packages/core/src/config.ts);
 * a test holds the two equal. Kept here so that a typo fails before a large file is uploaded.
 * @type {Readonly<Record<string, readonly string[]>>}
 */
export const FORMATS_BY_TYPE = {
  orders: ["velocidi_csv", "shopify_csv"],
  customers: ["csv", "jsonl", "egoi_contacts"],
  products: ["google_rss", "google_atom", "google_tsv", "jsonl"],
};

/** Formats read from a live service, not from a file. */
const SERVICE_FORMATS = new Set(["egoi_contacts"]);

/**
 * Whether imports of this format read a live service rather than a file.
 * @param {string} format
 */
export const isServiceFormat = (format) => SERVICE_FORMATS.has(format);

/**
 * Why a type and format cannot import a file, or null when they can.
 * @param {string} type
 * @param {string} format
 * @returns {string | null}
 */
export function fileFormatProblem(type, format) {
  const formats = FORMATS_BY_TYPE[type];
  if (!formats) {
    return `'${type}' is not an import type. The types are: ${Object.keys(FORMATS_BY_TYPE).join(", ")}.`;
  }
  if (!formats.includes(format)) {
    return `'${format}' is not a format of ${type} imports. The formats are: ${formats.join(", ")}.`;
  }
  if (isServiceFormat(format)) {
    return `${format} imports read an E-goi contact list, not a file: create one with \`cdp-import imports create --config c.json\`.`;
  }
  return null;
}
