import type { Issue } from "@cdp/core";

export const ISSUE_CSV_COLUMNS = ["row", "item", "field", "code", "severity", "message", "value"] as const;

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab
 * or a carriage return) is neutralised with a leading apostrophe: issue values come from
 * customers' files.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function issueCsvLine(issue: Issue): string {
  return `${ISSUE_CSV_COLUMNS.map((column) => csvCell(issue[column])).join(",")}\r\n`;
}
