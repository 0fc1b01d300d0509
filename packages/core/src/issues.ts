import * as z from "zod";
import { ISSUE_CODES } from "./issue-codes";

export * from "./issue-codes";

export const IssueSeverity = z.enum(["error", "warning"]);
export type IssueSeverity = z.infer<typeof IssueSeverity>;

export const Issue = z.object({
  /** 1-based physical line where the item's record starts (the header is row 1). */
  row: z.number().int().nullable(),
  /** Order id, the customer's user id as written in the file, or the product id. */
  item: z.string().nullable(),
  field: z.string().nullable(),
  /**
   * The column as the file writes it, when a transformation (rename or copy) mapped it onto
   * `field` (`field: "userId", column: "Customer Email"`); absent when the field is the file's own.
   */
  column: z
    .string()
    .optional()
    .describe(
      "The column as the file writes it, when a transformation (rename or copy) mapped it onto `field`; absent when the field is the file's own.",
    ),
  code: z.enum(ISSUE_CODES),
  severity: IssueSeverity,
  /** A sentence a business user understands. */
  message: z.string(),
  /** The offending value as text; null for a missing field. */
  value: z.string().nullable(),
});
export type Issue = z.infer<typeof Issue>;
