// @ts-check
// The wizard's calls to the dashboard, which answers each with the API's own words. Each call
// resolves to { ok: true, data } or { ok: false, status, message, details }: never throws.
import { csrf } from "./state.js";

/**
 * @template T
 * @typedef {{ ok: true, data: T }
 *   | { ok: false, status: number, message: string, details?: unknown }} CallResult
 */

/**
 * @template T
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<CallResult<T>>}
 */
export async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, message: "The dashboard could not be reached: check your connection." };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data?.error ?? {};
    return {
      ok: false,
      status: response.status,
      message: error.message ?? `The dashboard answered ${response.status}.`,
      details: error.details,
    };
  }
  return { ok: true, data };
}

/**
 * The problems of a draft, each at its field, as the API will find them on save.
 * @param {unknown} config
 * @returns {Promise<CallResult<{ errors: import("./state.js").FieldError[] }>>}
 */
export const checkDraft = (config) => post("/imports/check", { config });

/**
 * A signed URL to upload one file to, on this origin.
 * @param {string} filename
 * @returns {Promise<CallResult<{ key: string, uploadUrl: string, expiresAt: string }>>}
 */
export const uploadUrl = (filename) => post("/imports/upload-url", { filename });

/**
 * The first items of the source as they would be imported, and their issues.
 * @typedef {{ columns?: string[], items?: Record<string, unknown>[], issues?: PreviewIssue[] }} Preview
 * @typedef {{ row: number, item: string | null, field: string | null, column?: string,
 *   message: string, value: unknown }} PreviewIssue
 * @param {unknown} config
 * @param {string | null} importId the import being edited: the API reads its stored secrets
 * @returns {Promise<CallResult<Preview>>}
 */
export const previewImport = (config, importId) =>
  post("/imports/preview", { config, ...(importId ? { importId } : {}) });

/**
 * Saves a new import (no id) or the import being edited.
 * @param {string | null} id
 * @param {unknown} config
 * @returns {Promise<CallResult<{ id: string, name: string }>>}
 */
export const saveImport = (id, config) => post("/imports/save", { id, config });

/**
 * How the file's columns map onto the format's fields, with the file's columns and first rows,
 * read from the source as a preview reads it.
 * @typedef {object} MappingSuggestion
 * @property {import("./state.js").StoredTransformation[]} transformations
 * @property {{ column: string, field: string, by: "name" | "synonym" | "values", note?: string }[]} matches
 * @property {string[]} unmatchedColumns
 * @property {string[]} missingRequired
 * @property {{ userIdField: string, userIdType?: string }} [options]
 * @property {string[]} [columns]
 * @property {unknown[][]} [sample]
 * @param {{ type: string, format: string, source: unknown, options?: Record<string, unknown> }} file
 * @param {string | null} importId the import being edited: the API reads its stored secrets
 * @returns {Promise<CallResult<MappingSuggestion>>}
 */
export const suggestMapping = (file, importId) =>
  post("/imports/suggest-mapping", { ...file, ...(importId ? { importId } : {}) });
