// Issue codes and file errors without zod: every reader uses them, and reading a file loads no
// zod (the Issue schema, for the API, is in ./issues).

/**
 * Every problem the engine can report about one item. One enum, snake_case, so that users,
 * the dashboard and scripts can rely on the codes.
 */
export const ISSUE_CODES = [
  // A field's presence
  "missing_field",
  "missing_column",
  // A field's value
  "invalid_number",
  "invalid_integer",
  "invalid_long",
  "invalid_boolean",
  "invalid_date",
  "invalid_currency",
  "invalid_status",
  "invalid_enum",
  "invalid_price",
  "invalid_id",
  "invalid_email_sha256",
  "value_too_long",
  "negative_quantity",
  // Consistency of an item
  "total_mismatch",
  "non_contiguous_order",
  "duplicate_item",
  // Record structure
  "too_many_fields",
  "too_few_fields",
  "unterminated_quote",
  "invalid_quote",
  "record_too_large",
  "invalid_json",
  "not_an_object",
  "invalid_xml",
  // Transformations
  "cast_failed",
  "timestamp_failed",
  // User ids (appended)
  "invalid_phone_sha256",
  // A continuation row that disagrees with its order; a line item id repeated in an order
  "conflicting_value",
  "duplicate_line_item",
  // A quote inside an unquoted CSV field, read as text (a warning)
  "stray_quote",
  // A header column the format ignores though it is close to one it reads, or a transformation
  // naming a column the file does not have (warnings)
  "unknown_column",
  // An e-mail address that hashUserIds leaves as written, as its id type is none it hashes (a warning)
  "unhashed_id",
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

/** Text of a value for an issue: strings as they are, everything else as JSON. */
export function issueValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/**
 * A problem with the file as a whole (unreadable source, wrong encoding, missing required
 * column, not the claimed format): the run fails with this code and message.
 */
export const FILE_ERROR_CODES = [
  "empty_file",
  "invalid_encoding",
  "missing_columns",
  "duplicate_columns",
  "wrong_format",
  "record_too_large",
  "too_many_columns",
  "file_too_large",
  "source_unreachable",
  "source_not_found",
  "source_refused",
  "corrupt_archive",
  "invalid_config",
] as const;
export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];

export class ImportFileError extends Error {
  readonly code: FileErrorCode;
  constructor(code: FileErrorCode, message: string) {
    super(message);
    this.name = "ImportFileError";
    this.code = code;
  }
}
