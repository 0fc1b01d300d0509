// @ts-check
// The shapes of the API's answers that the CLI reads (API.md); it passes the rest on as it is.

/**
 * @typedef {object} UploadGrant
 * @property {string} key
 * @property {string} uploadUrl
 */

/**
 * @typedef {object} ImportView
 * @property {string} id
 * @property {string} name
 * @property {string} type
 * @property {string} format
 * @property {{ type: string }} source
 * @property {Record<string, unknown>} [options]
 * @property {unknown[]} [transformations]
 * @property {{ id: string, status: string, createdAt: string } | null} lastRun
 */

/**
 * @typedef {object} RunView
 * @property {string} id
 * @property {string} importId
 * @property {string} status
 * @property {string} trigger
 * @property {boolean} dryRun
 * @property {{ bytesRead: number, bytesTotal: number }} progress
 * @property {{ rowsRead: number, itemsRead: number, itemsValid: number, itemsInvalid: number, added: number, updated: number, unchanged: number }} stats
 * @property {{ code: string, message: string } | null} error
 * @property {string} createdAt
 * @property {string | null} [startedAt]
 * @property {string | null} [finishedAt]
 */

/**
 * @typedef {object} IssueView
 * @property {number} row
 * @property {string | null} item
 * @property {string | null} field
 * @property {string} code
 * @property {string} severity
 * @property {string} message
 * @property {string | null} value
 */

/**
 * @template T
 * @typedef {object} Page
 * @property {T[]} items
 * @property {number} [total]
 * @property {string | null} [nextCursor]
 */

export {};
