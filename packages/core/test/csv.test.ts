import { describe, expect, it } from "vitest";
import { type CsvRecord, CsvTokenizer, type CsvTokenizerOptions, detectNewline } from "../src/csv";
import { ImportFileError } from "../src/issues";
import { seededRandom } from "./support/random";

function readAll(text: string, size = text.length, options: CsvTokenizerOptions = {}): CsvRecord[] {
  const tokenizer = new CsvTokenizer(options);
  const out: CsvRecord[] = [];
  const step = Math.max(1, size);
  for (let i = 0; i < text.length; i += step) out.push(...tokenizer.write(text.slice(i, i + step)));
  out.push(...tokenizer.end());
  return out;
}

const rowsAndFields = (records: CsvRecord[]) => records.map((r) => [r.row, r.fields]);
const problemsOf = (records: CsvRecord[]) =>
  records.filter((r) => r.problems.length > 0).map((r) => [r.row, r.problems.map((p) => p.code)]);

describe("CsvTokenizer", () => {
  it("counts physical lines across quoted line ends, CRLF and empty lines", () => {
    const file = 'a,b\r\n1,"x\r\ny"\r\n\r\n2,"open ""q"""\r\n3,z';
    expect(rowsAndFields(readAll(file))).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "x\r\ny"]],
      [5, ["2", 'open "q"']],
      [6, ["3", "z"]],
    ]);
  });

  it("reads CR-only and LF files, and counts a record's every kind of line end", () => {
    expect(rowsAndFields(readAll("h\r1\r2\r"))).toEqual([
      [1, ["h"]],
      [2, ["1"]],
      [3, ["2"]],
    ]);
    expect(rowsAndFields(readAll('h\n"a\nb"\n\nc\n'))).toEqual([
      [1, ["h"]],
      [2, ["a\nb"]],
      [5, ["c"]],
    ]);
    // A quoted field with CR, LF and CRLF inside spans four lines.
    expect(rowsAndFields(readAll('h,x\n"a\rb\nc\r\nd",1\nnext,2\n'))).toEqual([
      [1, ["h", "x"]],
      [2, ["a\rb\nc\r\nd", "1"]],
      [6, ["next", "2"]],
    ]);
  });

  it("drops the CR of CRLF line ends in a file whose first line ends with LF", () => {
    expect(rowsAndFields(readAll("h,x\n1,a\r\n2,b\r\n"))).toEqual([
      [1, ["h", "x"]],
      [2, ["1", "a"]],
      [3, ["2", "b"]],
    ]);
  });

  it("counts a line end papaparse drops after a closing quote", () => {
    // In a file of LF line ends, a CR after a closing quote is whitespace to papaparse.
    expect(rowsAndFields(readAll('h,x\n"a"\r,1\nnext,2\n'))).toEqual([
      [1, ["h", "x"]],
      [2, ["a", "1"]],
      [4, ["next", "2"]],
    ]);
  });

  it("starts counting at firstRow, and takes the line end it is given", () => {
    expect(readAll("x\ny\n", 100, { firstRow: 41 }).map((r) => r.row)).toEqual([41, 42]);
    // A chunk of a CRLF file whose first record has a lone LF inside a quoted field.
    expect(rowsAndFields(readAll('"a\nb",1\r\nc,2\r\n', 3, { firstRow: 7, newline: "\r\n" }))).toEqual([
      [7, ["a\nb", "1"]],
      [9, ["c", "2"]],
    ]);
  });

  it("carries a record cut at the edge of a write, inside a quoted field too", () => {
    const tokenizer = new CsvTokenizer();
    expect(tokenizer.write('h\n"open, still')).toEqual([{ row: 1, fields: ["h"], problems: [] }]);
    // The quote at the end of this write could be the first of a doubled quote: nothing is complete.
    expect(tokenizer.write(' open\nline"')).toEqual([]);
    const rest = [...tokenizer.write('" more"\nnext\n'), ...tokenizer.end()];
    expect(rest).toEqual([
      { row: 2, fields: ['open, still open\nline" more'], problems: [] },
      { row: 4, fields: ["next"], problems: [] },
    ]);
  });

  it("gives the same records whatever the size of the writes", () => {
    const random = seededRandom(7);
    const cells = [
      "plain",
      '"with, comma"',
      '"with ""quote"""',
      '"multi\nline"',
      '"crlf\r\nline"',
      '"cr\ronly"',
      "",
      "ünïcödé",
      'stray"quote',
      '"closed"then',
    ];
    for (const newline of ["\n", "\r\n", "\r"]) {
      const lines = ["id,name,note"];
      for (let i = 0; i < 80; i++) {
        if (random() < 0.05) lines.push("");
        lines.push(
          [
            String(i),
            cells[Math.floor(random() * cells.length)],
            cells[Math.floor(random() * cells.length)],
          ].join(","),
        );
      }
      const file = `${lines.join(newline)}${random() < 0.5 ? newline : ""}`;
      const expected = readAll(file);
      expect(expected.length).toBeGreaterThan(30);
      for (let trial = 0; trial < 40; trial++) {
        const size = 1 + Math.floor(random() * (random() < 0.5 ? 20 : file.length));
        expect(readAll(file, size), `${JSON.stringify(newline)}, writes of ${size}`).toEqual(expected);
      }
    }
  });

  it("reads random text of quotes, delimiters and line ends the same whatever the writes", () => {
    const alphabet = ["a", "b", ",", '"', '"', "\n", "\r", "\r\n", " ", "\t", "é"];
    for (let seed = 1; seed <= 1000; seed++) {
      const random = seededRandom(seed);
      let text = ["h1,h2\n", "h1,h2\r\n", "h1,h2\r", '"h1","h2"\n', ""][seed % 5] ?? "";
      const length = Math.floor(random() * 150);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const size = 1 + Math.floor(random() * 9);
      expect(readAll(text, size), `seed ${seed}, writes of ${size}: ${JSON.stringify(text)}`).toEqual(
        readAll(text),
      );
    }
  });

  it("reports an unterminated quote at the end of the file on the record where it opens", () => {
    const records = readAll('a,b\n1,"never closed\n2,3\n');
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({
      row: 2,
      fields: ["1", "never closed\n2,3\n"],
      problems: [
        { code: "unterminated_quote", message: "A quoted field is never closed: the file ends inside it." },
      ],
    });
  });

  it("reads a quote inside an unquoted field as text, with a stray_quote warning once per record", () => {
    const records = readAll('a,b\n1,5" screen\n2,ok\n3,"fine ""quoted"""\n4,two"stray"quotes\n5, "spaced"\n');
    expect(problemsOf(records)).toEqual([
      [2, ["stray_quote"]],
      [5, ["stray_quote"]],
      [6, ["stray_quote"]],
    ]);
    expect(rowsAndFields(records).slice(1)).toEqual([
      [2, ["1", '5" screen']],
      [3, ["2", "ok"]],
      [4, ["3", 'fine "quoted"']],
      [5, ["4", 'two"stray"quotes']],
      [6, ["5", ' "spaced"']],
    ]);
    expect(records[1]?.problems[0]).toEqual({
      code: "stray_quote",
      severity: "warning",
      message:
        'A quote inside a field that does not start with a quote was read as text (like 12" pizza). If it was meant to quote the field, enclose the whole field in quotes and double each quote inside it ("").',
    });
  });

  it("reads on after a misplaced closing quote as papaparse does: the field goes on to the next closing quote", () => {
    const records = readAll('a,b\n1,"bad"x\n2,ok"\n3,z\n');
    expect(rowsAndFields(records)).toEqual([
      [1, ["a", "b"]],
      [2, ["1", 'bad"x\n2,ok']],
      [4, ["3", "z"]],
    ]);
    expect(problemsOf(records)).toEqual([[2, ["invalid_quote"]]]);
    expect(problemsOf(readAll('a,b\n1,"bad"x\n'))).toEqual([[2, ["invalid_quote", "unterminated_quote"]]]);
  });

  it("finds stray quotes in records of any window, and on the right record", () => {
    const lines = ["id,v"];
    for (let i = 0; i < 3000; i++) lines.push(i % 700 === 699 ? `${i},5"` : `${i},"ok, ""fine"""`);
    const records = readAll(`${lines.join("\n")}\n`, 5000);
    expect(problemsOf(records).map(([row]) => row)).toEqual([701, 1401, 2101, 2801]);
  });

  it("fails the file on a record over the size limit, naming its line", () => {
    const read = () => readAll(`a\nok\n"${"x".repeat(5000)}`, 100, { maxRecordChars: 1000 });
    expect(read).toThrow(ImportFileError);
    expect(read).toThrow(/record starting on line 3 is over 1,000 characters/);
    // A long record that ends before the limit is fine, however it is written.
    expect(readAll(`a\n"${"y".repeat(900)}"\nz\n`, 7, { maxRecordChars: 1000 }).map((r) => r.row)).toEqual([
      1, 2, 3,
    ]);
  });

  it("fails the file on too many columns", () => {
    expect(() =>
      readAll(`${Array.from({ length: 20 }, (_, i) => `c${i}`).join(",")}\n`, 100, { maxColumns: 10 }),
    ).toThrow(/20 fields; at most 10/);
  });

  it("reads tab- and semicolon-separated text", () => {
    expect(readAll("id\ttitle\n1\tA, b\n", 3, { delimiter: "\t" }).map((r) => r.fields)).toEqual([
      ["id", "title"],
      ["1", "A, b"],
    ]);
    expect(readAll('id;note\n1;"a;b"\n', 4, { delimiter: ";" }).map((r) => r.fields)).toEqual([
      ["id", "note"],
      ["1", "a;b"],
    ]);
  });

  it("reads a long file written in large pieces with rows numbered in order", () => {
    const lines = ["id,name"];
    for (let i = 0; i < 20_000; i++) lines.push(i % 10 === 0 ? `${i},"two\nlines"` : `${i},x`);
    const records = readAll(`${lines.join("\n")}\n`, 1 << 20);
    expect(records).toHaveLength(20_001);
    expect(records.at(-1)?.row).toBe(1 + 20_000 + 2_000);
  });
});

describe("records of empty fields", () => {
  it("skips a record of only delimiters, spaces or empty quoted fields like an empty line, rows staying physical", () => {
    for (const newline of ["\n", "\r\n", "\r"]) {
      const file = ["a,b,c", "1,x,y", ",,", "   ", '"", ,""', "\t,\u00a0,", "", "2,z,w", ",,"].join(newline);
      expect(rowsAndFields(readAll(file)), JSON.stringify(newline)).toEqual([
        [1, ["a", "b", "c"]],
        [2, ["1", "x", "y"]],
        [8, ["2", "z", "w"]],
      ]);
      for (const size of [1, 2, 5]) expect(readAll(file, size)).toEqual(readAll(file));
    }
    // A quoted line end is no data either; a row with one character of data is kept.
    expect(rowsAndFields(readAll('a,b\n"\n",\n,.\n,,\n'))).toEqual([
      [1, ["a", "b"]],
      [4, ["", "."]],
    ]);
  });

  it("keeps a record of empty fields that has a quoting problem, to report it", () => {
    expect(problemsOf(readAll('a,b\n1,2\n,"  '))).toEqual([[3, ["unterminated_quote"]]]);
  });

  it("skips them in tab-separated text with Google's quoting too", () => {
    const file = 'id\ttitle\n1\tA\n\t\n  \t""\n2\tB\n\t';
    expect(rowsAndFields(readAll(file, file.length, { delimiter: "\t", wholeFieldQuotes: true }))).toEqual([
      [1, ["id", "title"]],
      [2, ["1", "A"]],
      [5, ["2", "B"]],
    ]);
  });
});

/**
 * Google TSV's quoting, read the simplest way: a field starting with a quote is quoted when the
 * first quote after it that is not doubled is followed by a tab, the line end or the text's end.
 */
function referenceTsv(text: string): [number, string[]][] {
  const out: [number, string[]][] = [];
  let newline: string | undefined;
  const lineEnd = (at: number): number => {
    if (newline !== undefined) return text.startsWith(newline, at) ? newline.length : 0;
    if (text[at] === "\n") return 1;
    if (text[at] === "\r") return text[at + 1] === "\n" ? 2 : 1;
    return 0;
  };
  const lineEnds = (from: number, to: number) => {
    let n = 0;
    for (let k = from; k < to; k++) if (text[k] === "\r" || (text[k] === "\n" && text[k - 1] !== "\r")) n++;
    return n;
  };
  let row = 1;
  let i = 0;
  while (i < text.length) {
    const start = i;
    const fields: string[] = [];
    for (;;) {
      let value: string | null = null;
      if (text[i] === '"') {
        let from = i + 1;
        let inner = "";
        for (;;) {
          const at = text.indexOf('"', from);
          if (at === -1) break;
          if (text[at + 1] === '"') {
            inner += text.slice(from, at + 1);
            from = at + 2;
            continue;
          }
          if (at + 1 === text.length || text[at + 1] === "\t" || lineEnd(at + 1) > 0) {
            value = inner + text.slice(from, at);
            i = at + 1;
          }
          break;
        }
      }
      if (value === null) {
        let end = i;
        while (end < text.length && text[end] !== "\t" && lineEnd(end) === 0) end++;
        value = text.slice(i, end);
        i = end;
      }
      fields.push(value);
      if (text[i] !== "\t") break;
      i++;
    }
    const end = i < text.length ? lineEnd(i) : 0;
    if (newline === undefined && end > 0) newline = text.slice(i, i + end);
    i += end;
    const last = fields.length - 1;
    if (newline === "\n" && fields[last]?.endsWith("\r")) fields[last] = fields[last]?.slice(0, -1) ?? "";
    if (fields.some((field) => field.trim() !== "")) out.push([row, fields]);
    row += lineEnds(start, i) + (end > 0 ? 0 : 1);
  }
  return out;
}

describe("Google TSV quoting (wholeFieldQuotes)", () => {
  const tsv = (text: string, size = text.length, options: CsvTokenizerOptions = {}) =>
    readAll(text, size, { delimiter: "\t", wholeFieldQuotes: true, ...options });

  it("reads a quote as text unless it encloses the whole field, with no problem", () => {
    const file = [
      "id\ttitle\tnote",
      'A1\t12" pizza\tx',
      'A2\t"Best" pizza\ty',
      'A3\t"12"" pan"\t"tab\tand\nline"',
      'A4\ta "quoted" word\t"open',
      'A5\t""\t"q',
      "A6\tlast\tz",
    ].join("\n");
    const records = tsv(file);
    expect(rowsAndFields(records)).toEqual([
      [1, ["id", "title", "note"]],
      [2, ["A1", '12" pizza', "x"]],
      [3, ["A2", '"Best" pizza', "y"]],
      [4, ["A3", '12" pan', "tab\tand\nline"]],
      [6, ["A4", 'a "quoted" word', '"open']],
      [7, ["A5", "", '"q']],
      [8, ["A6", "last", "z"]],
    ]);
    expect(problemsOf(records)).toEqual([]);
    for (let size = 1; size <= 12; size++) expect(tsv(file, size), `writes of ${size}`).toEqual(records);
  });

  it("closes a quoted field only right before a tab or the file's line end", () => {
    expect(rowsAndFields(tsv('h\tx\r\n"a" \tb\r\n"c"\rd\td\r\n"e"\r\n'))).toEqual([
      [1, ["h", "x"]],
      [2, ['"a" ', "b"]],
      [3, ['"c"\rd', "d"]],
      [5, ["e"]],
    ]);
    // A chunk's reader is given the file's line end.
    expect(rowsAndFields(tsv('"a\nb"\t1\r\nc\t2\r\n', 3, { firstRow: 7, newline: "\r\n" }))).toEqual([
      [7, ["a\nb", "1"]],
      [9, ["c", "2"]],
    ]);
  });

  it("reads random text of quotes, tabs and line ends as the rule says, whatever the writes", () => {
    const alphabet = ["a", "b", "\t", '"', '"', '"', "\n", "\r", "\r\n", " ", "é"];
    for (let seed = 1; seed <= 1500; seed++) {
      const random = seededRandom(seed);
      let text = ["h1\th2\n", "h1\th2\r\n", "h1\th2\r", '"h1"\t"h2"\n', ""][seed % 5] ?? "";
      const length = Math.floor(random() * 120);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const expected = referenceTsv(text);
      const label = `seed ${seed}: ${JSON.stringify(text)}`;
      expect(rowsAndFields(tsv(text)), label).toEqual(expected);
      const size = 1 + Math.floor(random() * 9);
      expect(rowsAndFields(tsv(text, size)), `${label}, writes of ${size}`).toEqual(expected);
    }
  });
});

describe("detectNewline", () => {
  it("is the first line end outside quoted fields", () => {
    expect(detectNewline('"a\nb",c\r\n')).toBe("\r\n");
    expect(detectNewline("a,b\rc")).toBe("\r");
    expect(detectNewline("a,b\n")).toBe("\n");
    expect(detectNewline("a,b\r")).toBeUndefined();
    expect(detectNewline("a,b\r", ",", '"', true)).toBe("\r");
    expect(detectNewline('"open\n')).toBeUndefined();
  });
});
