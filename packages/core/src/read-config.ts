// The part of an import's configuration that decides how a file is read, checked by hand and
// without zod, so that reading a file loads none of it: zod's code and the API's schemas were
// half of what a reading isolate held (bench:core). `ReadConfig` in ./config (zod, for the API
// and its OpenAPI) is built from the same lists, and a test shows both accept the same values
// and give the same result.
import type { ReadConfig, Transformation, ValueTransform } from "./config";
import { ImportFileError } from "./issue-codes";
import { closestName } from "./names";

/** The formats each import type accepts (API.md). */
export const FORMATS_BY_TYPE = {
  orders: ["velocidi_csv", "shopify_csv"],
  customers: ["csv", "jsonl", "egoi_contacts"],
  products: ["google_rss", "google_atom", "google_tsv", "jsonl"],
} as const;

export const IMPORT_TYPES = ["orders", "customers", "products"] as const;
export const IMPORT_FORMATS = [
  "velocidi_csv",
  "shopify_csv",
  "csv",
  "jsonl",
  "egoi_contacts",
  "google_rss",
  "google_atom",
  "google_tsv",
] as const;
export const ENCODINGS = ["utf-8", "iso-8859-1", "windows-1252", "utf-16le", "utf-16be"] as const;
export const ORDER_ID_COLUMNS = ["Name", "Id"] as const;
export const MERGE_STRATEGIES = ["merge", "replace"] as const;
export const CAST_TYPES = ["string", "integer", "float", "bool"] as const;
export const MAX_TRANSFORMATIONS = 200;
export const MAX_FIELD_NAME_LENGTH = 256;

/**
 * A value that is not a valid read configuration: names where, and what is wrong. A run whose
 * configuration is refused fails at once with `invalid_config` (nothing is retried or written).
 */
export class ReadConfigError extends ImportFileError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(
      "invalid_config",
      `The import's configuration is not valid: ${path || "the configuration"} ${problem}.`,
    );
    this.name = "ReadConfigError";
    this.path = path;
  }
}

type Path = string;
const at = (path: Path, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function object(value: unknown, path: Path): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ReadConfigError(path, "must be an object");
  return value as Record<string, unknown>;
}

function array(value: unknown, path: Path, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw new ReadConfigError(path, "must be a list");
  if (value.length < min) throw new ReadConfigError(path, `must have at least ${min} entries`);
  if (value.length > max) throw new ReadConfigError(path, `must have at most ${max} entries`);
  return value;
}

function string(value: unknown, path: Path, min: number, max = Number.POSITIVE_INFINITY): string {
  if (typeof value !== "string") throw new ReadConfigError(path, "must be text");
  // Characters, as zod counts them: code points, so an emoji is one.
  const length = /[\ud800-\udfff]/.test(value) ? [...value].length : value.length;
  if (length < min || length > max) {
    const chars = (n: number) => `${n} character${n === 1 ? "" : "s"}`;
    throw new ReadConfigError(
      path,
      min === max
        ? `must be exactly ${chars(min)} long`
        : length < min
          ? `must be at least ${chars(min)} long`
          : `must be at most ${chars(max)} long`,
    );
  }
  return value;
}

function oneOf<const T extends readonly string[]>(value: unknown, path: Path, options: T): T[number] {
  if (typeof value !== "string" || !options.includes(value))
    throw new ReadConfigError(path, `must be one of ${options.join(", ")}`);
  return value as T[number];
}

/** A key whose value may be anything, but which must be there (JSON has no undefined). */
function present(input: Record<string, unknown>, key: string, path: Path): unknown {
  if (!Object.hasOwn(input, key)) throw new ReadConfigError(at(path, key), "is required");
  return input[key];
}

/** Refuses a key the object does not have (a typo would otherwise do nothing, without a word). */
function onlyKnown(input: Record<string, unknown>, known: readonly string[], path: Path): void {
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    throw new ReadConfigError(at(path, key), `is not a known field${near ? ` (did you mean ${near}?)` : ""}`);
  }
}

const OPTION_KEYS = [
  "hashUserIds",
  "orderIdColumn",
  "userIdField",
  "userIdType",
  "mergeStrategy",
  "encoding",
  "delimiter",
  "entry",
] as const;

/** Copies an optional key the input has, checked (an undefined value stays undefined, as in zod). */
function optional<T>(
  out: Record<string, unknown>,
  input: Record<string, unknown>,
  key: string,
  path: Path,
  check: (value: unknown, path: Path) => T,
): void {
  if (!Object.hasOwn(input, key)) return;
  const value = input[key];
  out[key] = value === undefined ? undefined : check(value, at(path, key));
}

function readOptions(value: unknown, path: Path): ReadConfig["options"] {
  const input = object(value, path);
  onlyKnown(input, OPTION_KEYS, path);
  const out: Record<string, unknown> = {};
  optional(out, input, "hashUserIds", path, (v, p) => {
    if (typeof v !== "boolean") throw new ReadConfigError(p, "must be true or false");
    return v;
  });
  optional(out, input, "orderIdColumn", path, (v, p) => oneOf(v, p, ORDER_ID_COLUMNS));
  optional(out, input, "userIdField", path, (v, p) => string(v, p, 1));
  optional(out, input, "userIdType", path, (v, p) => string(v, p, 1));
  optional(out, input, "mergeStrategy", path, (v, p) => oneOf(v, p, MERGE_STRATEGIES));
  optional(out, input, "encoding", path, (v, p) => oneOf(v, p, ENCODINGS));
  optional(out, input, "delimiter", path, (v, p) => string(v, p, 1, 1));
  optional(out, input, "entry", path, (v, p) => string(v, p, 1));
  return out as ReadConfig["options"];
}

function readValueTransform(value: unknown, path: Path): ValueTransform {
  const input = object(value, path);
  const type = oneOf(input.type, at(path, "type"), ["map", "timestamp", "cast"] as const);
  onlyKnown(input, ["type", type === "map" ? "mappings" : type === "timestamp" ? "pattern" : "to"], path);
  if (type === "map") {
    const mappings = array(input.mappings, at(path, "mappings"), 1, Number.POSITIVE_INFINITY).map(
      (mapping, i) => {
        const where = at(at(path, "mappings"), i);
        const m = object(mapping, where);
        onlyKnown(m, ["from", "to"], where);
        return {
          from: present(m, "from", where),
          to: present(m, "to", where),
        };
      },
    );
    return { type, mappings };
  }
  if (type === "timestamp") return { type, pattern: string(input.pattern, at(path, "pattern"), 1) };
  return { type, to: oneOf(input.to, at(path, "to"), CAST_TYPES) };
}

const fieldName = (value: unknown, path: Path) => string(value, path, 1, MAX_FIELD_NAME_LENGTH);

function readTransformation(value: unknown, path: Path): Transformation {
  const input = object(value, path);
  const op = oneOf(input.op, at(path, "op"), ["rename", "copy", "add", "delete"] as const);
  onlyKnown(
    input,
    op === "rename" || op === "copy"
      ? ["op", "from", "to", "values"]
      : op === "add"
        ? ["op", "field", "value"]
        : ["op", "field"],
    path,
  );
  if (op === "rename" || op === "copy") {
    const out: Record<string, unknown> = {
      op,
      from: fieldName(input.from, at(path, "from")),
      to: fieldName(input.to, at(path, "to")),
    };
    optional(out, input, "values", path, (v, p) =>
      array(v, p, 0, Number.POSITIVE_INFINITY).map((t, i) => readValueTransform(t, at(p, i))),
    );
    return out as Transformation;
  }
  const field = fieldName(input.field, at(path, "field"));
  return op === "add" ? { op, field, value: present(input, "value", path) } : { op, field };
}

/**
 * The read configuration of an import (type, format, options, transformations), checked: the
 * import's other top-level keys (name, source, schedule) are dropped, an unknown key inside
 * options or a transformation is refused, and missing options and transformations are empty.
 * Throws a ReadConfigError naming the first wrong field.
 */
export function parseReadConfig(value: unknown): ReadConfig {
  const input = object(value, "");
  const type = oneOf(input.type, "type", IMPORT_TYPES);
  const format = oneOf(input.format, "format", IMPORT_FORMATS);
  const options = input.options === undefined ? {} : readOptions(input.options, "options");
  const transformations =
    input.transformations === undefined
      ? []
      : array(input.transformations, "transformations", 0, MAX_TRANSFORMATIONS).map((t, i) =>
          readTransformation(t, at("transformations", i)),
        );
  return { type, format, options, transformations };
}
