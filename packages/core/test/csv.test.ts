import { describe, expect, it } from "vitest";
import { type CsvRecord, CsvTokenizer } from "../src/csv";
import { ImportFileError } from "../src/issues";

function readAll(text: string, size = text.length, options = {}): CsvRecord[] {
  const tokenizer = new CsvTokenizer(options);
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += Math.max(1, size))
    out.push(...tokenizer.write(text.slice(i, i + size)));
  out.push(...tokenizer.end());
  return out;
}

/** A seeded PRNG (mulberry32), so that failures repeat. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("CsvTokenizer", () => {
  it("counts physical lines across quoted line ends, CRLF and empty lines", () => {
    const file = 'a,b\r\n1,"x\r\ny"\r\n\r\n2,"open ""q"""\r\n3,z';
    expect(readAll(file).map((r) => [r.row, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "x\r\ny"]],
      [5, ["2", 'open "q"']],
      [6, ["3", "z"]],
    ]);
  });

  it("reads CR-only and LF files", () => {
    expect(readAll("h\r1\r2\r").map((r) => [r.row, r.fields[0]])).toEqual([
      [1, "h"],
      [2, "1"],
      [3, "2"],
    ]);
    expect(readAll('h\n"a\nb"\n\nc\n').map((r) => [r.row, r.fields[0]])).toEqual([
      [1, "h"],
      [2, "a\nb"],
      [5, "c"],
    ]);
  });

  it("starts counting at firstRow", () => {
    expect(readAll("x\ny\n", 100, { firstRow: 41 }).map((r) => r.row)).toEqual([41, 42]);
  });

  it("gives the same records whatever the size of the writes", () => {
    const random = prng(7);
    const cells = [
      "plain",
      '"with, comma"',
      '"with ""quote"""',
      '"multi\nline"',
      '"crlf\r\nline"',
      "",
      "ünïcödé",
    ];
    const lines = ["id,name,note"];
    for (let i = 0; i < 60; i++) {
      lines.push(
        [
          String(i),
          cells[Math.floor(random() * cells.length)],
          cells[Math.floor(random() * cells.length)],
        ].join(","),
      );
    }
    const file = `${lines.join(random() > 0.5 ? "\n" : "\r\n")}\n`;
    const expected = readAll(file);
    expect(expected).toHaveLength(61);
    for (let trial = 0; trial < 80; trial++) {
      const size = 1 + Math.floor(random() * file.length);
      expect(readAll(file, size), `writes of ${size}`).toEqual(expected);
    }
  });

  it("reports an unterminated quote at the end of the file on its record", () => {
    const records = readAll('a,b\n1,"never closed\n2,3\n');
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ row: 2, problems: [{ code: "unterminated_quote" }] });
  });

  it("reports a quote inside an unquoted field", () => {
    const records = readAll('a,b\n1,"bad"x\n2,ok\n');
    expect(records[1]?.problems.map((p) => p.code)).toContain("invalid_quote");
  });

  it("fails the file on a record over the size limit, naming its line", () => {
    expect(() => readAll(`a\nok\n"${"x".repeat(5000)}`, 100, { maxRecordChars: 1000 })).toThrow(
      ImportFileError,
    );
    expect(() => readAll(`a\nok\n"${"x".repeat(5000)}`, 100, { maxRecordChars: 1000 })).toThrow(/line 3/);
  });

  it("fails the file on too many columns", () => {
    expect(() =>
      readAll(`${Array.from({ length: 20 }, (_, i) => `c${i}`).join(",")}\n`, 100, { maxColumns: 10 }),
    ).toThrow(/20 fields; at most 10/);
  });

  it("reads tab-separated text", () => {
    expect(readAll("id\ttitle\n1\tA, b\n", 3, { delimiter: "\t" }).map((r) => r.fields)).toEqual([
      ["id", "title"],
      ["1", "A, b"],
    ]);
  });
});
