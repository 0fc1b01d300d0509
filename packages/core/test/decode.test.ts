import { describe, expect, it } from "vitest";
import { createTextDecoder, detectUtf16WithoutBom, firstInvalidUtf8 } from "../src/decode";
import { ImportFileError } from "../src/issues";

const utf8 = (text: string) => new TextEncoder().encode(text);

function decodeInPieces(
  encoding: Parameters<typeof createTextDecoder>[0],
  bytes: Uint8Array,
  size: number,
  options?: Parameters<typeof createTextDecoder>[1],
) {
  const decoder = createTextDecoder(encoding, options);
  let text = "";
  for (let i = 0; i < bytes.length; i += size) text += decoder.decode(bytes.subarray(i, i + size));
  return text + decoder.end();
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

describe("UTF-8", () => {
  const text = "id,name\r\n1,Zoë 😀\n2,日本\r3,ok";

  it("decodes multi-byte characters split across any chunk size, keeping line ends", () => {
    for (const size of [1, 2, 3, 5, 64]) expect(decodeInPieces("utf-8", utf8(text), size)).toBe(text);
  });

  it("drops a byte order mark, even one that arrives a byte at a time", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("a,b")]);
    expect(decodeInPieces("utf-8", bytes, 1)).toBe("a,b");
    expect(decodeInPieces("utf-8", bytes, 100)).toBe("a,b");
  });

  it("refuses a Latin-1 byte, naming the line, the byte offset and the encoding option", () => {
    const bytes = new Uint8Array([...utf8("id,name\n1,ok\r\n2,Jos"), 0xe9, ...utf8("\n")]);
    for (const size of [1, 4, 100]) {
      const error = fileError(() => decodeInPieces("utf-8", bytes, size));
      expect(error.code).toBe("invalid_encoding");
      expect(error.message).toBe(
        'The file is not valid UTF-8: line 3, byte offset 19 (0xE9). If the file is Latin-1 or Windows-1252, set options.encoding to "iso-8859-1" or "windows-1252"; if it is UTF-16, to "utf-16le" or "utf-16be".',
      );
    }
  });

  it("counts lines and bytes from where a chunk of the file starts", () => {
    const error = fileError(() =>
      decodeInPieces("utf-8", new Uint8Array([...utf8("a\nb"), 0xff]), 10, {
        byteOffset: 1000,
        firstLine: 40,
      }),
    );
    expect(error.message).toMatch(/^The file is not valid UTF-8: line 41, byte offset 1003 \(0xFF\)\./);
  });

  it("refuses a file cut in the middle of a character at the end", () => {
    const bytes = utf8("ab😀").subarray(0, 4);
    const error = fileError(() => decodeInPieces("utf-8", bytes, 1));
    expect(error.code).toBe("invalid_encoding");
    expect(error.message).toMatch(/ends in the middle of a character \(line 1, byte offset 2\)/);
  });

  it("refuses overlong forms and surrogates instead of replacing them", () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      const error = fileError(() => decodeInPieces("utf-8", new Uint8Array([0x41, ...bad]), 1));
      expect(error.message).toContain("byte offset 1");
    }
  });

  it("refuses a NUL byte and asks whether the file is UTF-16", () => {
    const error = fileError(() => decodeInPieces("utf-8", utf8("a,b\nc\0d"), 3));
    expect(error.code).toBe("invalid_encoding");
    expect(error.message).toBe(
      'The file is not UTF-8 text: it contains a NUL byte at line 2, byte offset 5. Is it UTF-16? Then set options.encoding to "utf-16le" or "utf-16be".',
    );
  });

  it("names UTF-16 when the file starts with its byte order mark", () => {
    const error = fileError(() => decodeInPieces("utf-8", new Uint8Array([0xff, 0xfe, 0x41, 0x00]), 4));
    expect(error.message).toContain(
      'It starts with a UTF-16LE byte order mark: set options.encoding to "utf-16le".',
    );
  });
});

describe("single-byte encodings", () => {
  const bytes = new Uint8Array([0x4a, 0x6f, 0x73, 0xe9, 0x20, 0x80, 0x93, 0x9f]);

  it("reads ISO-8859-1 byte for byte (0x80–0x9F are control codes)", () => {
    expect(decodeInPieces("iso-8859-1", bytes, 3)).toBe("José \u0080\u0093\u009f");
  });

  it("reads Windows-1252 with its own 0x80–0x9F (euro sign, curly quotes)", () => {
    expect(decodeInPieces("windows-1252", bytes, 3)).toBe("José €“Ÿ");
  });

  it("refuses a NUL byte with its line", () => {
    const error = fileError(() => decodeInPieces("iso-8859-1", new Uint8Array([0x61, 0x0a, 0x00]), 1));
    expect(error.message).toMatch(/not ISO-8859-1 text: it contains a NUL byte at line 2, byte offset 2/);
  });
});

describe("UTF-16", () => {
  const text = "id\tname\r\n1\tZoë 😀";
  const le = (t: string, bom = true) => {
    const out: number[] = bom ? [0xff, 0xfe] : [];
    for (let i = 0; i < t.length; i++) out.push(t.charCodeAt(i) & 0xff, t.charCodeAt(i) >> 8);
    return new Uint8Array(out);
  };
  const be = (t: string) => {
    const out: number[] = [0xfe, 0xff];
    for (let i = 0; i < t.length; i++) out.push(t.charCodeAt(i) >> 8, t.charCodeAt(i) & 0xff);
    return new Uint8Array(out);
  };

  it("decodes little- and big-endian text in any chunk size, dropping the byte order mark", () => {
    for (const size of [1, 3, 4, 1000]) {
      expect(decodeInPieces("utf-16le", le(text), size)).toBe(text);
      expect(decodeInPieces("utf-16be", be(text), size)).toBe(text);
    }
    expect(decodeInPieces("utf-16le", le(text, false), 5)).toBe(text);
  });

  it("refuses a byte order mark of the other byte order", () => {
    const error = fileError(() => decodeInPieces("utf-16le", be(text), 7));
    expect(error.message).toBe(
      'The file starts with a UTF-16BE byte order mark, but options.encoding is "utf-16le": set it to "utf-16be".',
    );
  });

  it("refuses an odd number of bytes and half a surrogate pair", () => {
    expect(fileError(() => decodeInPieces("utf-16le", new Uint8Array([0x41, 0, 0x42]), 1)).message).toMatch(
      /ends in the middle of a character/,
    );
    expect(fileError(() => decodeInPieces("utf-16le", le("a\n\uDC00b", false), 2)).message).toMatch(
      /line 2, byte offset 4 holds half a character/,
    );
  });

  it("detects UTF-16 without a byte order mark from its NUL bytes", () => {
    expect(detectUtf16WithoutBom(le("id,name\n1,Ann", false))).toBe("utf-16le");
    expect(detectUtf16WithoutBom(be("id,name\n1,Ann").subarray(2))).toBe("utf-16be");
    expect(detectUtf16WithoutBom(utf8("id,name\n1,Ann"))).toBeNull();
  });
});

describe("firstInvalidUtf8", () => {
  it("points at the start of the first bad sequence", () => {
    expect(firstInvalidUtf8(utf8("ok 😀"))).toBe(-1);
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe9, 0x42]))).toBe(1);
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(-1);
  });
});
