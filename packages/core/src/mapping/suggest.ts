import type { Transformation } from "../config";
import { MAX_FIELD_NAME_LENGTH } from "../read-config";
import { type FieldSpec, type IdKind, type MappingTarget, mappingTarget } from "./fields";
import { columnKey } from "./names";
import { dateFormat, filledValues, valueKinds } from "./values";

export interface MappingRequest {
  type: string;
  format: string;
  /** The file's columns as it writes them. */
  columns: readonly string[];
  /** A few rows of the file, each value at its column's place. */
  sample?: readonly (readonly unknown[])[];
}

/** How a column was matched to its field. */
export type MatchedBy = "name" | "synonym" | "values";

export interface ColumnMatch {
  column: string;
  field: string;
  by: MatchedBy;
  /** What the sample values told about the column (how its dates are written), in words. */
  note?: string;
}

export interface MappingSuggestion {
  /** Renames of the matched columns onto their fields (and what the format needs besides). */
  transformations: Transformation[];
  matches: ColumnMatch[];
  unmatchedColumns: string[];
  missingRequired: string[];
  /** Customers: the column holding the user id, and its id type when its name or values tell it. */
  options?: { userIdField: string; userIdType?: string };
}

/** A name of a field in a target's index: how it matches, and how good a match it is. */
interface IndexEntry {
  spec: FieldSpec;
  by: "name" | "synonym";
  /** Lower is better: -1 for the field's own name, else the synonym's place in its list. */
  rank: number;
  idKind?: IdKind;
}

const indexes = new WeakMap<MappingTarget, Map<string, IndexEntry>>();

/**
 * Each name a column may have, compared as columnKey does, and the field it names. Where two
 * fields list one name, the first keeps it; the suggestions' tests keep the lists apart.
 */
function indexOf(target: MappingTarget): Map<string, IndexEntry> {
  let index = indexes.get(target);
  if (index) return index;
  index = new Map();
  for (const spec of target.fields) {
    const own = columnKey(spec.field);
    if (!index.has(own)) index.set(own, { spec, by: "name", rank: -1 });
  }
  for (const spec of target.fields) {
    spec.synonyms.forEach((synonym, rank) => {
      const key = columnKey(synonym.name);
      if (!index?.has(key)) index?.set(key, { spec, by: "synonym", rank, idKind: synonym.idKind });
    });
  }
  indexes.set(target, index);
  return index;
}

interface Candidate {
  column: number;
  spec: FieldSpec;
  by: MatchedBy;
  score: number;
  idKind?: IdKind;
}

const XML_FORMATS = new Set(["google_rss", "google_atom"]);

/** Whether a type and format has columns to map (E-goi lists do not: their fields are fixed). */
export function canSuggestMapping(type: string, format: string): boolean {
  return mappingTarget(type, format) !== null;
}

/**
 * Suggests how a file's columns map onto the fields of an import's format: by name (whatever its
 * case, accents, spaces and punctuation), by the names other exports and people give a field
 * (English and Portuguese), and, for a field still unmatched, by the sample values of the only
 * column that holds its kind of value (e-mails, dates, currency codes, prices, links). Two
 * columns never map onto one field, and a column maps only onto a field of the format.
 *
 * The transformations rename each matched column onto its field; a date column the format
 * cannot read as it is (16/09/2020) gets the timestamp pattern that reads every sample value,
 * when only one order of day and month does. For velocidi_csv they also add `userIdType` when
 * the user id column's name or values tell its type, and copy the order's `currency` to
 * `lineItem_currency` when the file has one currency column. For customers, the options name
 * the user id column and its type, and nothing is renamed (every other column is an attribute).
 */
export function suggestMapping(request: MappingRequest): MappingSuggestion {
  const target = mappingTarget(request.type, request.format);
  if (!target) throw new Error(`${request.format} imports have no columns to map`);
  const xml = XML_FORMATS.has(request.format);
  const { columns } = request;
  // An XML feed's g: elements are read without their prefix: transformations name them so.
  const readName = (column: string) => (xml && column.startsWith("g:") ? column.slice(2) : column);
  const samples = columns.map((_, i) => filledValues((request.sample ?? []).map((row) => row[i])));
  const index = indexOf(target);

  const candidates: Candidate[] = [];
  columns.forEach((column, i) => {
    const name = readName(column);
    // A transformation cannot name a longer column.
    if (name.length > MAX_FIELD_NAME_LENGTH) return;
    const exact = target.fields.find((spec) => spec.field === name);
    if (exact) {
      candidates.push({ column: i, spec: exact, by: "name", score: 2000 });
      return;
    }
    const entry = index.get(columnKey(name));
    if (!entry) return;
    candidates.push({
      column: i,
      spec: entry.spec,
      by: entry.by,
      score: entry.by === "name" ? 1500 : 1000 - entry.rank,
      idKind: entry.idKind,
    });
  });
  candidates.sort((a, b) => b.score - a.score || a.column - b.column);

  const byColumn = new Map<number, Candidate>();
  const byField = new Map<string, Candidate>();
  const take = (candidate: Candidate) => {
    if (byColumn.has(candidate.column) || byField.has(candidate.spec.field)) return;
    byColumn.set(candidate.column, candidate);
    byField.set(candidate.spec.field, candidate);
  };
  for (const candidate of candidates) take(candidate);

  // A field no name matched: the only column left whose values are of its kind.
  const kinds = samples.map((values) => valueKinds(values));
  for (const spec of target.fields) {
    if (!spec.values || byField.has(spec.field)) continue;
    const kind = spec.values;
    const fitting = columns.flatMap((column, i) =>
      !byColumn.has(i) && readName(column).length <= MAX_FIELD_NAME_LENGTH && kinds[i]?.has(kind) ? [i] : [],
    );
    const [only] = fitting;
    if (fitting.length === 1 && only !== undefined)
      take({ column: only, spec, by: "values", score: 0, ...(kind === "email" ? { idKind: "email" } : {}) });
  }

  const matches: ColumnMatch[] = [];
  const transformations: Transformation[] = [];
  let userId: { column: string; kind: IdKind | undefined } | null = null;
  const customers = request.type === "customers";
  for (const [i, column] of columns.entries()) {
    const match = byColumn.get(i);
    if (!match) continue;
    const { field } = match.spec;
    const values = samples[i] ?? [];
    const entry: ColumnMatch = { column, field, by: match.by };
    let pattern: string | null = null;
    if (match.spec.dateTime && values.length > 0) {
      const format = dateFormat(values);
      if (format?.kind === "pattern") {
        pattern = format.pattern;
        entry.note = `The dates are written ${format.pattern}: the timestamp transformation reads them.`;
      } else if (format?.kind === "ambiguous") {
        entry.note = `The dates could be ${format.patterns.join(" or ")}: add a timestamp transformation with the file's pattern.`;
      } else if (format === null) {
        entry.note =
          "The sample values are not dates in ISO 8601 nor in a pattern the suggestions know: add a timestamp transformation with their pattern.";
      }
    }
    if (field === target.userIdField) {
      // E-mails tell the type whatever the column's name.
      const emails = values.length > 0 && kinds[i]?.has("email");
      userId = { column, kind: emails ? "email" : match.idKind };
    }
    matches.push(entry);
    if (customers) continue;
    const from = readName(column);
    if (from === field && pattern === null) continue;
    transformations.push({
      op: "rename",
      from,
      to: field,
      ...(pattern === null ? {} : { values: [{ type: "timestamp" as const, pattern }] }),
    });
  }

  const filled = new Set(byField.keys());
  const found = userId;
  const idTypeField = target.userIdTypeField;
  if (idTypeField && found?.kind && !filled.has(idTypeField)) {
    transformations.push({ op: "add", field: idTypeField, value: found.kind });
    filled.add(idTypeField);
  }
  if (request.format === "velocidi_csv" && filled.has("currency") && !filled.has("lineItem_currency")) {
    // One currency column: an order's line items are in its currency.
    transformations.push({ op: "copy", from: "currency", to: "lineItem_currency" });
    filled.add("lineItem_currency");
  }

  const missingRequired = target.fields
    .filter((spec) => spec.required && !filled.has(spec.field))
    .map((s) => s.field);
  const suggestion: MappingSuggestion = {
    transformations,
    matches,
    unmatchedColumns: columns.filter((_, i) => !byColumn.has(i)),
    missingRequired,
  };
  if (customers && found) {
    suggestion.options = { userIdField: found.column, ...(found.kind ? { userIdType: found.kind } : {}) };
    if (!found.kind) suggestion.missingRequired.push("userIdType");
  }
  return suggestion;
}
