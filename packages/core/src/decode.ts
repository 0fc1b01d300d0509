import type { Encoding } from "./config";
import { ImportFileError } from "./issue-codes";

/**
 * Bytes → text for the readers, chunk by chunk. UTF-8 is strict: an invalid or truncated
 * sequence is a file error naming the line and the byte, never a U+FFFD. A byte order mark at
 * the start is dropped. Line ends (CRLF, LF, CR) are left as they are, for the readers.
 *
 * UTF-8 and Windows-1252 go through TextDecoder. The WHATWG decoders treat "iso-8859-1" as
 * windows-1252, so ISO-8859-1 text with bytes 0x80–0x9F is decoded by our own table; UTF-16 is
 * decoded here too, to name the line and byte of half a surrogate pair.
 *
 * A NUL byte in UTF-8, ISO-8859-1 or Windows-1252 text is a file error as well: text files do
 * not contain it, and it is the sign of a UTF-16 file read with the wrong encoding.
 */
export interface ImportTextDecoder {
  decode(bytes: Uint8Array): string;
  /** End of input: an unfinished character is an error. */
  end(): string;
}

export interface TextDecoderOptions {
  /** Absolute offset in the file of the first byte given (for messages). */
  byteOffset?: number;
  /** Physical line of the first byte given (for messages). */
  firstLine?: number;
}

const ENCODING_HINT =
  'If the file is Latin-1 or Windows-1252, set options.encoding to "iso-8859-1" or "windows-1252"; if it is UTF-16, to "utf-16le" or "utf-16be".';

export function createTextDecoder(encoding: Encoding, options: TextDecoderOptions = {}): ImportTextDecoder {
  const position = new Position(options.byteOffset ?? 0, options.firstLine ?? 1);
  switch (encoding) {
    case "utf-8":
      return new Utf8Decoder(position);
    case "iso-8859-1":
    case "windows-1252":
      return new SingleByteDecoder(position, encoding);
    case "utf-16le":
    case "utf-16be":
      return new Utf16Decoder(position, encoding);
  }
}

/**
 * Guesses UTF-16 without a byte order mark from the first bytes: ASCII text in UTF-16 has a NUL
 * in every other byte. Returns null when the bytes do not look like UTF-16.
 */
export function detectUtf16WithoutBom(bytes: Uint8Array): "utf-16le" | "utf-16be" | null {
  const length = Math.min(bytes.length, 512) & ~1;
  if (length < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < length; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = length / 2;
  if (oddZeros >= pairs * 0.4 && evenZeros <= pairs * 0.05) return "utf-16le";
  if (evenZeros >= pairs * 0.4 && oddZeros <= pairs * 0.05) return "utf-16be";
  return null;
}

/** Where the decoded text stands in the file: absolute byte offset and line, for messages. */
class Position {
  /** Absolute offset of the first byte not yet turned into text. */
  byte: number;
  line: number;
  private endsWithCR = false;
  /** Still at the file's start, where a byte order mark may be. */
  atStart: boolean;

  constructor(byteOffset: number, firstLine: number) {
    this.byte = byteOffset;
    this.line = firstLine;
    this.atStart = byteOffset === 0;
  }

  /** Advances over emitted text: CRLF, LF and CR each end a line. */
  advance(text: string, byteLength: number): void {
    if (text.length === 0) {
      this.byte += byteLength;
      return;
    }
    this.line += countLineBreaks(text, this.endsWithCR);
    this.endsWithCR = text.charCodeAt(text.length - 1) === 13;
    this.byte += byteLength;
  }

  /** The line a character of `text` (the next text to be emitted) is on. */
  lineAt(text: string, index: number): number {
    return this.line + countLineBreaks(text.slice(0, index), this.endsWithCR);
  }
}

function countLineBreaks(text: string, afterCR: boolean): number {
  let breaks = 0;
  const firstCR = text.indexOf("\r");
  if (firstCR < 0) {
    // The common case (LF files): one scan.
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) breaks++;
    return afterCR && text.charCodeAt(0) === 10 ? breaks - 1 : breaks;
  }
  for (let i = firstCR; i >= 0; i = text.indexOf("\r", i + 1)) breaks++;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    const before = i === 0 ? afterCR : text.charCodeAt(i - 1) === 13;
    if (!before) breaks++;
  }
  return breaks;
}

const hex = (byte: number | undefined) => `0x${(byte ?? 0).toString(16).toUpperCase().padStart(2, "0")}`;

function nulError(position: Position, text: string, index: number, byte: number, encodingName: string) {
  return new ImportFileError(
    "invalid_encoding",
    `The file is not ${encodingName} text: it contains a NUL byte at line ${position.lineAt(text, index)}, byte offset ${byte}. Is it UTF-16? Then set options.encoding to "utf-16le" or "utf-16be".`,
  );
}

class Utf8Decoder implements ImportTextDecoder {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private readonly lenient = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  /** Bytes of an unfinished character that TextDecoder holds until the next call. */
  private pending: Uint8Array = new Uint8Array(0);
  private readonly encoder = new TextEncoder();

  constructor(private readonly position: Position) {}

  decode(bytes: Uint8Array): string {
    // Bytes of a character cut at the end wait for the next call; the rest decodes whole.
    const all = concat(this.pending, bytes);
    const complete = all.length - incompleteTailLength(all);
    const body = all.subarray(0, complete);
    this.pending = all.slice(complete);
    return this.emit(this.strictly(body), body.length);
  }

  end(): string {
    if (this.pending.length > 0) {
      throw new ImportFileError(
        "invalid_encoding",
        `The file is not valid UTF-8: it ends in the middle of a character (line ${this.position.line}, byte offset ${this.position.byte}). ${ENCODING_HINT}`,
      );
    }
    return "";
  }

  /**
   * Decodes whole characters, refusing invalid bytes. The lenient decoder is about twice as fast
   * in Node; a replacement character in its output means invalid bytes or a real U+FFFD in the
   * file, which the strict decoder then tells apart.
   */
  private strictly(bytes: Uint8Array): string {
    const text = this.lenient.decode(bytes);
    if (!text.includes("\uFFFD")) return text;
    try {
      return this.decoder.decode(bytes);
    } catch {
      throw this.invalidAt(bytes);
    }
  }

  private emit(decoded: string, byteLength: number): string {
    let text = decoded;
    if (this.position.atStart && text.length > 0) {
      this.position.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        this.position.advance("", 3);
        byteLength -= 3;
      }
    }
    const nul = text.indexOf("\0");
    if (nul >= 0) {
      const byte = this.position.byte + this.encoder.encode(text.slice(0, nul)).length;
      throw nulError(this.position, text, nul, byte, "UTF-8");
    }
    this.position.advance(text, byteLength);
    return text;
  }

  /** The error for the first invalid byte of `bytes`, which start at the current position. */
  private invalidAt(bytes: Uint8Array): ImportFileError {
    const index = Math.max(firstInvalidUtf8(bytes), 0);
    const valid = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(
      bytes.subarray(0, index),
    );
    const line = this.position.lineAt(valid, valid.length);
    const byte = this.position.byte + index;
    const utf16 = byte === 0 ? bomEncoding(bytes) : null;
    const guess = utf16
      ? ` It starts with a ${utf16.toUpperCase()} byte order mark: set options.encoding to "${utf16}".`
      : ` ${ENCODING_HINT}`;
    return new ImportFileError(
      "invalid_encoding",
      `The file is not valid UTF-8: line ${line}, byte offset ${byte} (${hex(bytes[index])}).${guess}`,
    );
  }
}

function bomEncoding(bytes: Uint8Array): "utf-16le" | "utf-16be" | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Length of a valid-so-far UTF-8 sequence cut at the end of `bytes` (0 when none). */
function incompleteTailLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    // Only a valid lead byte can start a character that the next bytes finish.
    if (byte < 0xc2 || byte > 0xf4) return 0;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

/** Where the first invalid UTF-8 sequence of `bytes` starts (a sequence cut at the end is fine), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let needed: number;
    let min = 0x80;
    let max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead === 0xe0) min = 0xa0;
      if (lead === 0xed) max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead === 0xf0) min = 0x90;
      if (lead === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k <= needed; k++) {
      if (i + k >= bytes.length) return -1;
      const next = bytes[i + k] ?? 0;
      const low = k === 1 ? min : 0x80;
      const high = k === 1 ? max : 0xbf;
      if (next < low || next > high) return i;
    }
    i += needed + 1;
  }
  return -1;
}

/** Windows-1252 differs from ISO-8859-1 in 0x80–0x9F; the five unassigned bytes keep their C1 code. */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/** String.fromCharCode takes its arguments on the stack: convert in slices this long. */
const SLICE = 8192;

function fromCodeUnits(units: Uint16Array): string {
  let text = "";
  for (let i = 0; i < units.length; i += SLICE) {
    text += String.fromCharCode(...units.subarray(i, i + SLICE));
  }
  return text;
}

/** Native windows-1252 decoding where the runtime has it (the WHATWG mapping is the same as ours). */
function nativeWindows1252(): TextDecoder | null {
  try {
    return new TextDecoder("windows-1252");
  } catch {
    return null;
  }
}

class SingleByteDecoder implements ImportTextDecoder {
  private readonly windows1252: boolean;
  private readonly name: string;
  private readonly native = nativeWindows1252();

  constructor(
    private readonly position: Position,
    encoding: "iso-8859-1" | "windows-1252",
  ) {
    this.windows1252 = encoding === "windows-1252";
    this.name = encoding === "windows-1252" ? "Windows-1252" : "ISO-8859-1";
  }

  decode(bytes: Uint8Array): string {
    // ISO-8859-1 equals windows-1252 except in 0x80–0x9F, which real Latin-1 text rarely has.
    const text =
      this.native && (this.windows1252 || !hasC1Bytes(bytes))
        ? this.native.decode(bytes)
        : this.decodeByTable(bytes);
    const nul = text.indexOf("\0");
    if (nul >= 0) throw nulError(this.position, text, nul, this.position.byte + nul, this.name);
    this.position.advance(text, bytes.length);
    this.position.atStart = false;
    return text;
  }

  end(): string {
    return "";
  }

  private decodeByTable(bytes: Uint8Array): string {
    const units = new Uint16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] ?? 0;
      units[i] =
        this.windows1252 && byte >= 0x80 && byte <= 0x9f ? (WINDOWS_1252_HIGH[byte - 0x80] ?? byte) : byte;
    }
    return fromCodeUnits(units);
  }
}

function hasC1Bytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (byte >= 0x80 && byte <= 0x9f) return true;
  }
  return false;
}

class Utf16Decoder implements ImportTextDecoder {
  private readonly littleEndian: boolean;
  /** An odd byte, or a high surrogate waiting for its pair, carried to the next call. */
  private pending: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly position: Position,
    private readonly encoding: "utf-16le" | "utf-16be",
  ) {
    this.littleEndian = encoding === "utf-16le";
  }

  decode(chunk: Uint8Array): string {
    let bytes = concat(this.pending, chunk);
    let skipped = 0;
    if (this.position.atStart) {
      if (bytes.length < 2) {
        this.pending = bytes;
        return "";
      }
      this.position.atStart = false;
      const bom = bomEncoding(bytes);
      if (bom === this.encoding) {
        bytes = bytes.subarray(2);
        skipped = 2;
      } else if (bom) {
        throw new ImportFileError(
          "invalid_encoding",
          `The file starts with a ${bom.toUpperCase()} byte order mark, but options.encoding is "${this.encoding}": set it to "${bom}".`,
        );
      }
    }
    let usable = bytes.length & ~1;
    // Keep a high surrogate at the end for its pair in the next call.
    if (usable >= 2 && isHighSurrogate(this.unitAt(bytes, usable - 2))) usable -= 2;
    const units = new Uint16Array(usable / 2);
    for (let i = 0; i < units.length; i++) units[i] = this.unitAt(bytes, i * 2);
    this.pending = bytes.slice(usable);
    const text = fromCodeUnits(units);
    this.check(text);
    this.position.advance("", skipped);
    this.position.advance(text, usable);
    return text;
  }

  end(): string {
    if (this.pending.length === 0) return "";
    throw new ImportFileError(
      "invalid_encoding",
      `The file is not valid ${this.encoding.toUpperCase()}: it ends in the middle of a character (line ${this.position.line}, byte offset ${this.position.byte}).`,
    );
  }

  private unitAt(bytes: Uint8Array, i: number): number {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    return this.littleEndian ? a | (b << 8) : (a << 8) | b;
  }

  private check(text: string): void {
    const lone = LONE_SURROGATE.exec(text);
    if (!lone) return;
    const byte = this.position.byte + lone.index * 2;
    throw new ImportFileError(
      "invalid_encoding",
      `The file is not valid ${this.encoding.toUpperCase()}: line ${this.position.lineAt(text, lone.index)}, byte offset ${byte} holds half a character. Check options.encoding ("utf-16le" or "utf-16be").`,
    );
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
