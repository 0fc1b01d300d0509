import { describe, expect, it } from "vitest";
import { ImportFileError } from "../src/issues";
import { type JsonLine, JsonLinesParser, WRONG_FORMAT_LINES } from "../src/jsonl";
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
      { row: 1, ok: true, value: { id: 1 } },
      { row: 3, ok: true, value: { id: "é\n2" } },
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
      { row: 8, ok: true, value: { last: true } },
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
