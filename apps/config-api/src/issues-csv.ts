import type { Issue } from "@cdp/core";

/** The issues CSV's columns (API.md). */
export const ISSUE_CSV_COLUMNS = ["row", "item", "field", "code", "severity", "message", "value"] as const;

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab
 * or a carriage return) is neutralised with a leading apostrophe: issue values come from
 * customers' files.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The issues as CSV. When a transformation mapped a file's column onto the field of some issue,
 * an eighth column, `column`, names it as the file writes it; it comes last, so that the seven
 * read by position read as before, and a run without one keeps the seven alone.
 */
export function issuesCsv(issues: readonly Issue[]): string {
  const columns: readonly (keyof Issue)[] = issues.some((issue) => issue.column !== undefined)
    ? [...ISSUE_CSV_COLUMNS, "column"]
    : ISSUE_CSV_COLUMNS;
  const line = (cells: string[]) => `${cells.join(",")}\r\n`;
  return [
    line([...columns]),
    ...issues.map((issue) => line(columns.map((column) => csvCell(issue[column])))),
  ].join("");
}
