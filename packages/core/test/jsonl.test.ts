import { describe, expect, it } from "vitest";
import { ImportFileError } from "../src/issues";
import {
  infiniteNumberIssues,
  type JsonLine,
  JsonLinesParser,
  numberAsWritten,
  numericIdProblem,
  WRONG_FORMAT_LINES,
} from "../src/jsonl";
import { seededRandom as mulberry32 } from "./support/random";

function parse(
  text: string,
  options: ConstructorParameters<typeof JsonLinesParser>[0] = {},
  size = text.length,
) {
  const parser = new JsonLinesParser(options);
  const lines: JsonLine[] = [];
  for (let i = 0; i < text.length; i += Math.max(size, 1))
    lines.push(...parser.write(text.slice(i, i + size)));
  lines.push(...parser.end());
  return lines;
}

function fileError(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("expected an ImportFileError");
}

const FILE = '{"id":1}\r\n\r\n{"id":"é\\n2"}\n  \n{broken\r[1,2]\n42\n{"last":true}';

describe("JsonLinesParser", () => {
  it("reads one object per line with physical line numbers, skipping blank lines (LF, CRLF, CR)", () => {
    expect(parse(FILE)).toEqual([
      { row: 1, ok: true, value: { id: 1 }, text: '{"id":1}' },
      { row: 3, ok: true, value: { id: "é\n2" }, text: '{"id":"é\\n2"}' },
      {
        row: 5,
        ok: false,
        code: "invalid_json",
        message: 'Line 5 is not valid JSON: each line must be one JSON object, like {"id": "1"}.',
        text: "{broken",
      },
      {
        row: 6,
        ok: false,
        code: "not_an_object",
        message: 'Line 6 is an array, not a JSON object like {"id": "1"}.',
        text: "[1,2]",
      },
      {
        row: 7,
        ok: false,
        code: "not_an_object",
        message: 'Line 7 is a number, not a JSON object like {"id": "1"}.',
        text: "42",
      },
      { row: 8, ok: true, value: { last: true }, text: '{"last":true}' },
    ]);
  });

  it("gives the same lines for any chunk sizes (seeded random)", () => {
    const whole = parse(FILE);
    for (let seed = 1; seed <= 30; seed++) {
      const random = mulberry32(seed);
      const parser = new JsonLinesParser();
      const lines: JsonLine[] = [];
      for (let i = 0; i < FILE.length; ) {
        const size = 1 + Math.floor(random() * (seed % 3 === 0 ? FILE.length : 6));
        lines.push(...parser.write(FILE.slice(i, i + size)));
        i += size;
      }
      lines.push(...parser.end());
      expect(lines).toEqual(whole);
    }
  });

  it("numbers lines from firstRow for a chunk of a file", () => {
    expect(parse('{"a":1}\n{"a":2}', { firstRow: 41 }).map((l) => l.row)).toEqual([41, 42]);
  });

  it("refuses a file that is clearly not JSON lines (a CSV)", () => {
    const error = fileError(() => parse("email,name\nann@x.test,Ann\n", { detectWrongFormat: true }, 3));
    expect(error.code).toBe("wrong_format");
    expect(error.message).toBe(
      'The file is not JSON lines: it starts with "email,name" and none of its first lines is a JSON object. It looks like CSV. Check the import\'s format.',
    );
  });

  it(`refuses it after ${WRONG_FORMAT_LINES} failing lines without waiting for the end`, () => {
    const parser = new JsonLinesParser({ detectWrongFormat: true });
    expect(() => parser.write("<rss>\n".repeat(WRONG_FORMAT_LINES))).toThrow(/It looks like XML/);
  });

  it("reports a broken first line as an issue when a later line parses", () => {
    const lines = parse('oops\n{"id":1}', { detectWrongFormat: true });
    expect(lines.map((l) => [l.row, l.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it("refuses a line longer than the limit", () => {
    const error = fileError(() => parse(`{"a":"${"x".repeat(100)}"}`, { maxLineChars: 50 }, 10));
    expect(error.code).toBe("record_too_large");
  });
});

describe("numbers JSON cannot keep", () => {
  // What JSON.parse reads 12345678901234567890 as (12345678901234567000).
  const big = Number("12345678901234567890");

  it("finds a number as written, preferring the top-level field that holds it", () => {
    const line = '{"n":{"id":12345678901234567891},"id":12345678901234567890,"x":1e400}';
    expect(numberAsWritten(line, big, "id")).toBe("12345678901234567890");
    expect(numberAsWritten(line, big)).toBe("12345678901234567891");
    expect(numberAsWritten(line, Number.POSITIVE_INFINITY, "x")).toBe("1e400");
    // A number the line does not hold (a transformation made it) is shown as parsed.
    expect(numberAsWritten(line, 2 ** 60, "id")).toBe(String(2 ** 60));
  });

  it("words an id that is no safe whole number, telling to quote it", () => {
    const line = '{"id":12345678901234567890}';
    expect(numericIdProblem("id", big, line)).toEqual({
      written: "12345678901234567890",
      message:
        '"id" is the number 12345678901234567890, larger than 9007199254740991, the largest whole number JSON keeps exactly, so its digits would change: write the id in quotes, as "12345678901234567890".',
    });
    expect(numericIdProblem("id", Number.NEGATIVE_INFINITY, '{"id":-1e999}').message).toBe(
      '"id" is the number -1e999, beyond the numbers JSON can hold: write the id in quotes, as "-1e999".',
    );
    expect(numericIdProblem("sku", 1.1, '{"sku":1.10}').message).toBe(
      '"sku" is the number 1.10, not a whole number: write the id in quotes, as "1.10".',
    );
  });

  it("reports each number read as Infinity, at any depth, as written; never silently", () => {
    const line = '{"id":1e400,"a":-1e400,"ok":1.5,"b":{"c":[1,2e308]},"s":"1e400"}';
    const issues = infiniteNumberIssues(JSON.parse(line), line, 3, "id");
    expect(issues.map((i) => [i.row, i.field, i.code, i.value])).toEqual([
      [3, "a", "invalid_number", "-1e400"],
      [3, "b.c[1]", "invalid_number", "2e308"],
    ]);
    expect(issues[0]?.message).toBe(
      '"a" is -1e400, beyond the numbers JSON can hold (about ±1.8e308), and would be stored as null: write it in quotes to keep it as text.',
    );
    expect(infiniteNumberIssues({ a: 1, b: [{ c: 2 }] }, "", 1)).toEqual([]);
  });
});
