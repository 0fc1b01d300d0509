/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import { CsvTokenizer } from "../src/csv";
import { createTextDecoder } from "../src/decode";
import type { ReadResult } from "../src/engine";
import type { Issue } from "../src/issues";
import { type AnyItem, createReader, createSplitter } from "../src/pipeline";

// csv-spectrum (npm), a corpus of CSV cases with the records each must give, read whole: by the
// tokenizer, by an import's reader, and by the splitter and the readers of its chunks.
const CSVS = import.meta.glob<string>("../../../node_modules/csv-spectrum/csvs/*.csv", {
  query: "?raw",
  import: "default",
  eager: true,
});
const JSONS = import.meta.glob<Record<string, string>[] | Record<string, string>>(
  "../../../node_modules/csv-spectrum/json/*.json",
  {
    import: "default",
    eager: true,
  },
);

const nameOf = (path: string) => path.replace(/^.*\/([^/]+)\.\w+$/, "$1");
const CASES = Object.entries(CSVS).map(([path, text]) => {
  const name = nameOf(path);
  const found = Object.entries(JSONS).find(([p]) => nameOf(p) === name)?.[1];
  if (!found) throw new Error(`csv-spectrum has no JSON for ${name}`);
  // One case's JSON is its one record rather than a list of one.
  const json = Array.isArray(found) ? found : [found];
  // The corpus's JSON for location_coordinates gives another phone number than its CSV holds
  // (1234567890 for 2095257564): an erratum of the corpus, which the CSV decides.
  const expected: Record<string, string>[] =
    name === "location_coordinates"
      ? json.map((record) => ({ ...record, "Contact Phone Number": "2095257564" }))
      : json;
  return { name, text, expected };
});

/** The cases whose quotes inside unquoted fields are read as text, with a stray_quote warning. */
const STRAY_QUOTES = new Set(["location_coordinates"]);

function records(text: string): { rows: Record<string, string>[]; problems: string[] } {
  const tokenizer = new CsvTokenizer();
  const [header, ...rest] = [...tokenizer.write(text), ...tokenizer.end()];
  const columns = header?.fields ?? [];
  return {
    rows: rest.map((r) => Object.fromEntries(columns.map((column, i) => [column, r.fields[i] ?? ""]))),
    problems: [...(header?.problems ?? []), ...rest.flatMap((r) => r.problems)].map((p) => p.code),
  };
}

const customersOf = (text: string) =>
  ReadConfig.parse({
    type: "customers",
    format: "csv",
    options: { userIdField: text.slice(0, text.search(/[,\r\n]/)), userIdType: "customer_id" },
  });

function readWhole(config: ReadConfig, text: string): ReadResult<AnyItem>[] {
  const reader = createReader(config);
  return [...reader.write(text), ...reader.end()];
}

/** The file cut by the splitter into chunks of `target` bytes, each read as the transform Worker does. */
function readInChunks(config: ReadConfig, text: string, target: number): ReadResult<AnyItem>[] {
  const bytes = new TextEncoder().encode(text);
  const splitter = createSplitter(config, target);
  splitter.write(bytes);
  const { prologueEnd, chunks } = splitter.end();
  const prologue = new TextDecoder().decode(bytes.subarray(0, prologueEnd));
  return chunks.flatMap((chunk) => {
    const decoder = createTextDecoder("utf-8", { byteOffset: chunk.start, firstLine: chunk.firstRow });
    const part = decoder.decode(bytes.subarray(chunk.start, chunk.end)) + decoder.end();
    const reader = createReader(config, { prologue, firstRow: chunk.firstRow });
    return [...reader.write(part), ...reader.end()];
  });
}

describe("csv-spectrum's corpus", () => {
  it("has its 12 cases", () => {
    expect(CASES.map((c) => c.name).sort()).toHaveLength(12);
  });

  it.each(CASES)("$name: the tokenizer gives the corpus's records", ({ name, text, expected }) => {
    const { rows, problems } = records(text);
    expect(rows).toEqual(expected);
    expect(problems).toEqual(STRAY_QUOTES.has(name) ? ["stray_quote"] : []);
  });

  it.each(CASES)("$name: a customers import reads every record, valid", ({ name, text, expected }) => {
    const config = customersOf(text);
    const idField = config.options.userIdField ?? "";
    const results = readWhole(config, text);
    expect(results.map((r) => r.item)).toEqual(
      expected.map((record) => {
        const { [idField]: id, ...attributes } = record;
        return { ids: [{ type: "customer_id", value: id }], attributes };
      }),
    );
    const issues: Issue[] = results.flatMap((r) => r.issues);
    expect(issues.map((i) => [i.row, i.code, i.severity])).toEqual(
      STRAY_QUOTES.has(name) ? [[2, "stray_quote", "warning"]] : [],
    );
  });

  it.each(CASES)("$name: cut by the splitter at any size, the chunks read as the whole file", ({ text }) => {
    const config = customersOf(text);
    const whole = readWhole(config, text);
    for (const target of [1, 2, 5, 16, 1 << 20]) expect(readInChunks(config, text, target)).toEqual(whole);
  });
});
