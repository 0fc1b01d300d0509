import { compileTransformations, ImportConfigInput, ImportFileError, type ValueTransform } from "@cdp/core";

/** A problem of the wizard's draft, placed by the path of the field it concerns. */
export interface FieldError {
  path: string;
  message: string;
}

interface SchemaIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  origin?: string;
  minimum?: number | bigint;
  values?: unknown[];
}

/** Sentences for the fields whose schema messages would read as jargon. */
const MESSAGES_BY_PATH: Record<string, string> = {
  "source.key": "Choose a file to upload.",
  "source.url": "Enter a full http or https URL, like https://example.com/orders.csv.",
  "source.endpoint": "Enter a full http or https URL, or leave it empty for AWS.",
  "source.listId": "Enter the number of the E-goi list.",
  "schedule.everyDays": "Enter a number of days from 1 to 365.",
  "schedule.startAt": "Pick the date and time of the first run.",
};

/** The cross-field rules' messages name config paths; users see the field's own words. */
const CUSTOM_MESSAGES_BY_PATH: Record<string, string> = {
  "options.userIdField": "Customer imports from files need the field that holds each customer's id.",
  "options.userIdType": "Customer imports from files need the type of that id, like email.",
};

const sentence = (text: string) => {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

function describe(issue: SchemaIssue, path: string): string {
  const missing =
    (issue.code === "invalid_type" && issue.input === undefined) ||
    (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) === 1);
  if (missing) {
    if (path === "source.key") return MESSAGES_BY_PATH[path] ?? "Required.";
    return "Required.";
  }
  if (issue.code === "too_small" && issue.origin === "array") return "Add at least one.";
  if (issue.code === "custom") return CUSTOM_MESSAGES_BY_PATH[path] ?? sentence(issue.message);
  const byPath = MESSAGES_BY_PATH[path];
  if (byPath) return byPath;
  if (issue.code === "invalid_value" && issue.values)
    return `Choose one of: ${issue.values.map(String).join(", ")}.`;
  return sentence(issue.message);
}

/**
 * Checks a draft import as the API will, field by field, so the wizard can show each problem next
 * to its field as it is typed. Timestamp patterns are compiled as a run compiles them.
 */
export function checkDraft(draft: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const parsed = ImportConfigInput.safeParse(draft);
  if (!parsed.success) {
    for (const issue of parsed.error.issues as SchemaIssue[]) {
      const path = issue.path.map(String).join(".");
      errors.push({ path, message: describe(issue, path) });
    }
  }
  errors.push(...checkTimestampPatterns(draft));
  // One message per field: the first problem found is the one to fix first.
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.path) && seen.add(e.path));
}

function checkTimestampPatterns(draft: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const transformations =
    isRecord(draft) && Array.isArray(draft.transformations) ? draft.transformations : [];
  transformations.forEach((transformation: unknown, i) => {
    if (!isRecord(transformation) || !Array.isArray(transformation.values)) return;
    transformation.values.forEach((step: unknown, j) => {
      if (!isRecord(step) || step.type !== "timestamp" || typeof step.pattern !== "string" || !step.pattern)
        return;
      try {
        compileTransformations([
          {
            op: "copy",
            from: "value",
            to: "value",
            values: [{ type: "timestamp", pattern: step.pattern } as ValueTransform],
          },
        ]);
      } catch (error) {
        if (!(error instanceof ImportFileError)) throw error;
        errors.push({
          path: `transformations.${i}.values.${j}.pattern`,
          message: sentence(error.message.replace(/^Invalid timestamp transformation:\s*/, "")),
        });
      }
    });
  });
  return errors;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
