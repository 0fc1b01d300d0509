import { ImportFileError } from "@cdp/core";
import { Gunzip } from "fflate";

export type Compression = "gzip" | "zip" | "none";

/** Formats recognised by their first bytes that the service does not unpack, with a hint. */
const UNSUPPORTED: { name: string; magic: number[] }[] = [
  { name: "bzip2", magic: [0x42, 0x5a, 0x68] },
  { name: "xz", magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: "zstd", magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: "7-Zip", magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: "RAR", magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
];

const startsWith = (head: Uint8Array, magic: number[]) => magic.every((byte, i) => head[i] === byte);

/**
 * What a file is, from its first bytes (not its name): gzip, zip, or plain. Other archive
 * formats fail with a message that says what to do.
 */
export function detectCompression(head: Uint8Array): Compression {
  if (startsWith(head, [0x1f, 0x8b])) return "gzip";
  // A local file header, or the end record of an empty archive.
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return "zip";
  const other = UNSUPPORTED.find((format) => startsWith(head, format.magic));
  if (other) {
    throw new ImportFileError(
      "wrong_format",
      `The file is a ${other.name} archive, which this service does not unpack: compress it with gzip (.gz) or zip instead.`,
    );
  }
  return "none";
}

/** The bytes a stream starts with, and the whole stream still to read. */
export async function peek(
  stream: ReadableStream<Uint8Array>,
  length: number,
): Promise<{ head: Uint8Array; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const seen: Uint8Array[] = [];
  let seenBytes = 0;
  let done = false;
  while (seenBytes < length) {
    const next = await reader.read();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value);
    seenBytes += next.value.byteLength;
  }
  const head = new Uint8Array(Math.min(seenBytes, length));
  let filled = 0;
  for (const chunk of seen) {
    if (filled >= head.length) break;
    const take = chunk.subarray(0, head.length - filled);
    head.set(take, filled);
    filled += take.length;
  }
  const replay = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const buffered = seen.shift();
        if (buffered) {
          controller.enqueue(buffered);
          return;
        }
        if (done) {
          controller.close();
          return;
        }
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { head, stream: replay };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (as gzip and zip use it), fed piece by piece. */
export class Crc32 {
  private crc = 0xffffffff;
  update(bytes: Uint8Array): void {
    let crc = this.crc;
    for (let i = 0; i < bytes.length; i++) {
      crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    }
    this.crc = crc;
  }
  digest(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}

/** The error of a file that expands past the limit (a gzip or zip bomb, or just too big). */
export function tooLarge(limit: number): ImportFileError {
  return new ImportFileError(
    "file_too_large",
    `The compressed file expands to more than ${formatBytes(limit)}, the most this service unpacks: split it into smaller files.`,
  );
}

export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Compressed bytes handed to the inflater at once: bounds what one push can expand to. */
const INFLATE_SLICE = 16 * 1024;

/**
 * Unpacks gzip as it streams, including multi-member files (concatenated .gz, as pigz and
 * log rotation write them, which DecompressionStream rejects). Each member's CRC-32 and length
 * are checked against its trailer, so a damaged file fails instead of importing garbage; the
 * output stops with an error past `limit` bytes.
 */
export function gunzip(limit: number): TransformStream<Uint8Array, Uint8Array> {
  let inflater: Gunzip;
  let total = 0;
  let crc = new Crc32();
  let memberBytes = 0;
  let members = 0;
  // The last two input slices and the absolute offset of the first: a member's trailer lies
  // just before the next member's header, which the inflater reports within a slice or two.
  let previous: Uint8Array = new Uint8Array(0);
  let current: Uint8Array = new Uint8Array(0);
  let previousStart = 0;
  const byteAt = (offset: number): number | undefined => {
    const at = offset - previousStart;
    return at < previous.length ? previous[at] : current[at - previous.length];
  };
  const uint32At = (offset: number): number | undefined => {
    let value = 0;
    for (let i = 3; i >= 0; i--) {
      const byte = byteAt(offset + i);
      if (byte === undefined) return undefined;
      value = value * 256 + byte;
    }
    return value;
  };
  const corrupt = (why: string) =>
    new ImportFileError("corrupt_archive", `The gzip file is damaged and cannot be unpacked: ${why}.`);
  // The 8-byte trailer (CRC-32, length mod 2^32) ending at `end` must match what was unpacked.
  const checkMember = (end: number) => {
    const storedCrc = end - 8 >= previousStart ? uint32At(end - 8) : undefined;
    const storedLength = uint32At(end - 4);
    if (storedCrc === undefined || storedLength === undefined) throw corrupt("a member's trailer is missing");
    if (storedCrc !== crc.digest()) throw corrupt(`member ${members} fails its CRC check`);
    if (storedLength !== memberBytes % 2 ** 32)
      throw corrupt(`member ${members} does not have the length its trailer gives`);
    crc = new Crc32();
    memberBytes = 0;
  };
  let slice = new Uint8Array(INFLATE_SLICE);
  let filled = 0;
  const feed = (input: Uint8Array) => {
    previousStart += previous.length;
    previous = current;
    current = input;
    push(input, false);
  };
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      inflater.push(chunk, final);
    } catch (err) {
      if (err instanceof ImportFileError) throw err;
      throw corrupt(err instanceof Error ? err.message : String(err));
    }
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      inflater = new Gunzip((data) => {
        total += data.length;
        if (total > limit) throw tooLarge(limit);
        crc.update(data);
        memberBytes += data.length;
        if (data.length > 0) controller.enqueue(data);
      });
      members = 1;
      inflater.onmember = (offset) => {
        checkMember(offset);
        members++;
      };
    },
    transform(chunk) {
      // Input is regrouped into whole slices, so a trailer and the header after it always lie
      // within the last two.
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(INFLATE_SLICE - filled, chunk.length - offset);
        slice.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === INFLATE_SLICE) {
          feed(slice);
          slice = new Uint8Array(INFLATE_SLICE);
          filled = 0;
        }
      }
    },
    flush() {
      if (filled > 0) feed(slice.subarray(0, filled));
      push(new Uint8Array(0), true);
      checkMember(previousStart + previous.length + current.length);
    },
  });
}
