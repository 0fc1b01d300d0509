import type { ReadConfig } from "../config";
import { type CsvNewline, type CsvRecord, CsvTokenizer, newlineAtEnd, structureIssues } from "../csv";
import type { ItemReader, ReaderPosition, ReadLimits, ReadResult } from "../engine";
import { checkUserId, isMissingId, storedIdValue } from "../ids";
import { ImportFileError, issueValue } from "../issue-codes";
import type { Issue } from "../issues";
import type { CustomerRecord } from "../items";
import { infiniteNumberIssues, type JsonLine, JsonLinesParser, numericIdProblem } from "../jsonl";
import { compileTransformations, setField, type TransformContext } from "../transform/index";

/**
 * Customer records from CSV and JSON lines. The user id is the field options.userIdField (after
 * transformations, which run first) with the type options.userIdType; every other field becomes
 * an attribute as it is: text from CSV (an empty cell is the empty string), JSON types from JSON
 * lines (nested objects kept whole). The item key is the user id as written.
 */

interface CustomerOptions {
  userIdField: string;
  userIdType: string;
}

function customerOptions(config: ReadConfig): CustomerOptions {
  const { userIdField, userIdType } = config.options;
  if (!userIdField || !userIdType) {
    throw new ImportFileError(
      "invalid_config",
      "Customer imports from files need options.userIdField and options.userIdType.",
    );
  }
  return { userIdField, userIdType };
}

/** Longest shown value of a broken line in an issue. */
const MAX_ISSUE_TEXT = 200;

export function clipText(text: string): string {
  return text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT)}…` : text;
}

/**
 * A customer record from a transformed record; `issues` are the ones found so far
 * (transformations). `line` is the JSON line the record was read from, to show a number as written.
 */
export function customerResult(
  record: Record<string, unknown>,
  row: number,
  issues: Issue[],
  options: CustomerOptions,
  line?: string,
): ReadResult<CustomerRecord> {
  const { userIdField, userIdType } = options;
  const raw = record[userIdField];
  let key: string | null = null;
  const issue = (code: Issue["code"], message: string, value: string | null) =>
    issues.push({ row, item: null, field: userIdField, code, severity: "error", message, value });

  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    issue(
      "missing_field",
      `"${userIdField}" is ${raw === undefined ? "missing" : "empty"}: every customer record needs a user id.`,
      null,
    );
  } else if (isMissingId(raw)) {
    issue(
      "missing_field",
      `"${userIdField}" is "${String(raw).trim()}", which is not a user id: every customer record needs one.`,
      issueValue(raw),
    );
  } else if (typeof raw === "number" && !Number.isSafeInteger(raw)) {
    // A user id JSON cannot keep exactly would be another user's: the issue shows it as written.
    const problem = numericIdProblem(userIdField, raw, line);
    key = problem.written;
    issue("invalid_id", problem.message, problem.written);
  } else if (typeof raw === "string" || typeof raw === "number") {
    key = String(raw);
    const problem = checkUserId(userIdType, key);
    if (problem) issue(problem.code, problem.message, key);
  } else {
    issue(
      "invalid_id",
      `"${userIdField}" must be text or a number to be a user id; got ${issueValue(raw)}.`,
      issueValue(raw),
    );
  }

  for (const found of issues) found.item = key;
  const valid = key !== null && !issues.some((found) => found.severity === "error");
  let item: CustomerRecord | null = null;
  if (valid && key !== null) {
    const attributes: Record<string, unknown> = {};
    for (const name in record) if (name !== userIdField) setField(attributes, name, record[name]);
    item = { ids: [{ type: userIdType, value: storedIdValue(userIdType, key) }], attributes };
  }
  return { item, row, key, issues, records: 1 };
}

/** The result of a JSON line that is no object: one issue, no item. */
export function brokenLineResult<T>(line: Extract<JsonLine, { ok: false }>): ReadResult<T> {
  return {
    item: null,
    row: line.row,
    key: null,
    issues: [
      {
        row: line.row,
        item: null,
        field: null,
        code: line.code,
        severity: "error",
        message: line.message,
        value: clipText(line.text),
      },
    ],
    records: 1,
  };
}

export function createCustomerJsonlReader(
  config: ReadConfig,
  position?: ReaderPosition,
  limits: ReadLimits = {},
): ItemReader<CustomerRecord> {
  const options = customerOptions(config);
  const transformer = compileTransformations(config.transformations);
  const firstRow = position?.firstRow ?? 1;
  const parser = new JsonLinesParser({
    firstRow,
    detectWrongFormat: firstRow <= 1,
    maxLineChars: limits.maxRecordChars,
  });
  const columns = new Set<string>();

  const read = (lines: JsonLine[]) =>
    lines.map((line): ReadResult<CustomerRecord> => {
      if (!line.ok) return brokenLineResult(line);
      for (const name in line.value) columns.add(name);
      const ctx: TransformContext = {
        row: line.row,
        issues: infiniteNumberIssues(line.value, line.text, line.row, options.userIdField),
      };
      const record = transformer.isEmpty ? line.value : transformer.apply(line.value, ctx);
      return customerResult(record, line.row, ctx.issues, options, line.text);
    });

  return {
    write: (text) => read(parser.write(text)),
    end: () => read(parser.end()),
    get columns() {
      return [...columns];
    },
  };
}

export function createCustomerCsvReader(
  config: ReadConfig,
  position?: ReaderPosition,
  limits: ReadLimits = {},
): ItemReader<CustomerRecord> {
  const options = customerOptions(config);
  const transformer = compileTransformations(config.transformations);
  const delimiter = config.options.delimiter ?? ",";
  let header: string[] | null = null;
  let plan: ReturnType<typeof transformer.forHeader> | null = null;

  const useHeader = (fields: string[]) => {
    header = fields;
    const first = (fields[0] ?? "").trimStart();
    if (first.startsWith("{") || first.startsWith("[")) {
      throw new ImportFileError(
        "wrong_format",
        `The file looks like JSON, not CSV: its first line starts with "${first.slice(0, 1)}". For one JSON object per line, set the import's format to jsonl.`,
      );
    }
    if (first.startsWith("<")) {
      throw new ImportFileError(
        "wrong_format",
        'The file looks like XML, not CSV: its first line starts with "<".',
      );
    }
    plan = transformer.forHeader(fields);
    if (!plan.header.includes(options.userIdField)) {
      throw new ImportFileError(
        "missing_columns",
        missingColumnMessage(options.userIdField, fields, delimiter),
      );
    }
  };

  let newline: CsvNewline | undefined;
  if (position && position.prologue !== "") {
    // The header line is read for its columns and its line end, which every chunk shares.
    const prologue = new CsvTokenizer({ delimiter });
    const records = [...prologue.write(position.prologue), ...prologue.end()];
    // The file's line end is the prologue's first: empty lines may come before the header.
    newline = prologue.newline ?? newlineAtEnd(position.prologue);
    const first = records[0];
    if (first) useHeader(first.fields);
  }
  const tokenizer = new CsvTokenizer({ ...limits, delimiter, firstRow: position?.firstRow ?? 1, newline });

  const read = (records: CsvRecord[]) => {
    const out: ReadResult<CustomerRecord>[] = [];
    for (const record of records) {
      if (!header || !plan) {
        useHeader(record.fields);
        continue;
      }
      // A blank line is no record.
      if (record.fields.length === 1 && record.fields[0] === "" && record.problems.length === 0) continue;
      out.push(readRecord(record, header, plan));
    }
    return out;
  };

  const readRecord = (
    record: CsvRecord,
    columns: string[],
    columnPlan: NonNullable<typeof plan>,
  ): ReadResult<CustomerRecord> => {
    const ctx: TransformContext = { row: record.row, issues: structureIssues(record, columns.length) };
    // The record is this row's own: the plan may change its fields in place.
    const values = columnPlan.applyOwned(record.fields, ctx);
    const object: Record<string, unknown> = {};
    columnPlan.header.forEach((name, i) => {
      const value = values[i];
      if (value !== undefined) setField(object, name, value);
    });
    return customerResult(object, record.row, ctx.issues, options);
  };

  return {
    write: (text) => read(tokenizer.write(text)),
    end: () => {
      const results = read(tokenizer.end());
      if (!header && !position)
        throw new ImportFileError("empty_file", "The file is empty: it has no header line.");
      return results;
    },
    get columns() {
      return header ?? [];
    },
  };
}

/** "The file has no column "email" ...", with a near miss (case, spaces) or a delimiter hint. */
export function missingColumnMessage(column: string, header: readonly string[], delimiter: string): string {
  const wanted = comparable(column);
  const nearMiss = header.find((name) => comparable(name) === wanted);
  let message = `The file has no column "${column}" (options.userIdField).`;
  if (nearMiss !== undefined) {
    message += ` Did you mean "${nearMiss}"? Column names are case-sensitive.`;
  } else if (header.length === 1) {
    const other = [";", "\t", "|", ","].find((d) => d !== delimiter && (header[0] ?? "").includes(d));
    if (other) {
      message += ` The header has a single column; is the delimiter ${other === "\t" ? "a tab" : `"${other}"`}? Set options.delimiter.`;
    }
  }
  return message;
}

function comparable(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "");
}
