// @ts-check
// The file's columns: read from the head of the file chosen for upload (or from a preview),
// then offered where a column is named (the user id field, the transformations' fields).
import { el, elementOf, radioValue, selectOf } from "./dom.js";
import { offerColumnsAsUserIdField } from "./options-step.js";
import { CSV_LIKE, state } from "./state.js";

/**
 * The file chosen for upload, read in the browser for its columns.
 * @type {File | null}
 */
let chosenFile = null;

/** @param {File | null} file */
export function setChosenFile(file) {
  chosenFile = file;
}

export const chosenFileName = () => chosenFile?.name ?? null;

/** Reads the columns of the file chosen for upload, by the format chosen (not of gzip or zip files). */
export async function readColumnsOfFile() {
  const file = chosenFile;
  if (!file || /\.(gz|zip)$/i.test(file.name)) return;
  const format = radioValue("format");
  const head = await file.slice(0, 64 * 1024).text();
  /** @type {string[]} */
  let columns = [];
  if (format === "jsonl" || format === "egoi_contacts") {
    /** @type {Set<string>} */
    const keys = new Set();
    for (const line of head.split("\n").slice(0, 20)) {
      try {
        const record = JSON.parse(line);
        if (record && typeof record === "object") for (const key of Object.keys(record)) keys.add(key);
      } catch {
        // A line cut by the 64 KB read, or not JSON: the preview will say which.
      }
    }
    columns = [...keys];
  } else if (format !== undefined && CSV_LIKE.has(format)) {
    const delimiter = format === "google_tsv" ? "\t" : selectOf("delimiter").value || ",";
    columns = csvHeader(head.replace(/^\uFEFF/, ""), delimiter);
  }
  if (columns.length) setColumns(columns);
}

/**
 * The first record of a CSV text, quotes and all.
 * @param {string} head
 * @param {string} delimiter
 */
function csvHeader(head, delimiter) {
  /** @type {string[]} */
  const fields = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (quoted) {
      if (c === '"' && head[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      fields.push(current);
      current = "";
    } else if (c === "\n" || c === "\r") break;
    else current += c;
  }
  fields.push(current);
  return fields.map((f) => f.trim()).filter(Boolean);
}

/**
 * The file's columns are known: offered to the fields that name a column.
 * @param {string[]} columns
 */
export function setColumns(columns) {
  state.columns = columns;
  elementOf("known-columns").replaceChildren(...columns.map((c) => el("option", { value: c })));
  offerColumnsAsUserIdField(columns);
}
