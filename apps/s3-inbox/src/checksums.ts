import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { S3Error } from "./errors";

/**
 * The checksums S3 clients send with a body (`x-amz-checksum-<algorithm>`, as a header or a
 * trailer), computed as the bytes pass. Each answers its value as S3 writes it: the big-endian
 * bytes in base64.
 */
export const CHECKSUM_ALGORITHMS = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface Checksum {
  update(bytes: Uint8Array): void;
  /** The value in base64. */
  digest(): string;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** Slicing-by-8 tables of a reflected 32-bit CRC. */
function crc32Tables(polynomial: number): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const [first] = tables;
  if (!first) throw new Error("no table");
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    first[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = first[n] ?? 0;
    for (let t = 1; t < 8; t++) {
      c = (first[c & 0xff] ?? 0) ^ (c >>> 8);
      (tables[t] as Uint32Array)[n] = c >>> 0;
    }
  }
  return tables;
}

let crc32cTables: Uint32Array[] | undefined;
let crc32JsTables: Uint32Array[] | undefined;

function crc32Update(tables: Uint32Array[], crc: number, bytes: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = ~crc >>> 0;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  while (i < end8) {
    const a =
      (c ^
        ((bytes[i] as number) |
          ((bytes[i + 1] as number) << 8) |
          ((bytes[i + 2] as number) << 16) |
          ((bytes[i + 3] as number) << 24))) >>>
      0;
    c =
      (t7[a & 0xff] as number) ^
      (t6[(a >>> 8) & 0xff] as number) ^
      (t5[(a >>> 16) & 0xff] as number) ^
      (t4[a >>> 24] as number) ^
      (t3[bytes[i + 4] as number] as number) ^
      (t2[bytes[i + 5] as number] as number) ^
      (t1[bytes[i + 6] as number] as number) ^
      (t0[bytes[i + 7] as number] as number);
    i += 8;
  }
  while (i < bytes.length) c = (t0[(c ^ (bytes[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function crc32Checksum(
  tables: () => Uint32Array[],
  native: ((data: Uint8Array, value?: number) => number) | null,
): Checksum {
  let crc = 0;
  return {
    update(bytes) {
      crc = native ? native(bytes, crc) : crc32Update(tables(), crc, bytes);
    },
    digest() {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, crc >>> 0);
      return toBase64(out);
    },
  };
}

/** CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), as two 32-bit halves. */
let crc64Tables: { hi: Uint32Array; lo: Uint32Array } | undefined;

function crc64NvmeTables(): { hi: Uint32Array; lo: Uint32Array } {
  if (crc64Tables) return crc64Tables;
  const polyHi = 0x9a6c9329;
  const polyLo = 0xac4bc9b5;
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let h = 0;
    let l = n;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (carry) {
        h = (h ^ polyHi) >>> 0;
        l = (l ^ polyLo) >>> 0;
      }
    }
    hi[n] = h;
    lo[n] = l;
  }
  crc64Tables = { hi, lo };
  return crc64Tables;
}

function crc64NvmeChecksum(): Checksum {
  const { hi: th, lo: tl } = crc64NvmeTables();
  let h = 0xffffffff;
  let l = 0xffffffff;
  return {
    update(bytes) {
      for (let i = 0; i < bytes.length; i++) {
        const index = (l ^ (bytes[i] as number)) & 0xff;
        l = (((l >>> 8) | (h << 24)) ^ (tl[index] as number)) >>> 0;
        h = ((h >>> 8) ^ (th[index] as number)) >>> 0;
      }
    },
    digest() {
      const out = new Uint8Array(8);
      const view = new DataView(out.buffer);
      view.setUint32(0, ~h >>> 0);
      view.setUint32(4, ~l >>> 0);
      return toBase64(out);
    },
  };
}

function hashChecksum(algorithm: "sha1" | "sha256" | "md5"): Checksum {
  const hash = createHash(algorithm);
  return {
    update: (bytes) => {
      hash.update(bytes);
    },
    digest: () => hash.digest("base64"),
  };
}

const nativeCrc32 =
  typeof zlib.crc32 === "function" ? (data: Uint8Array, value?: number) => zlib.crc32(data, value) : null;

export function newChecksum(algorithm: ChecksumAlgorithm | "md5"): Checksum {
  switch (algorithm) {
    case "crc32":
      return crc32Checksum(() => {
        crc32JsTables ??= crc32Tables(0xedb88320);
        return crc32JsTables;
      }, nativeCrc32);
    case "crc32c":
      return crc32Checksum(() => {
        crc32cTables ??= crc32Tables(0x82f63b78);
        return crc32cTables;
      }, null);
    case "crc64nvme":
      return crc64NvmeChecksum();
    case "sha1":
    case "sha256":
    case "md5":
      return hashChecksum(algorithm);
  }
}

/** The algorithm of a header or trailer name `x-amz-checksum-<algorithm>`, or null for another name. */
export function checksumAlgorithmOf(name: string): ChecksumAlgorithm | null {
  const lower = name.trim().toLowerCase();
  if (!lower.startsWith("x-amz-checksum-")) return null;
  const algorithm = lower.slice("x-amz-checksum-".length);
  if ((CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) return algorithm as ChecksumAlgorithm;
  if (algorithm === "algorithm" || algorithm === "mode" || algorithm === "type") return null;
  throw new S3Error(
    "InvalidRequest",
    `The checksum algorithm '${algorithm}' is not supported: use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.`,
  );
}

/** The S3 name of an algorithm in XML and messages: CRC32, CRC64NVME, SHA256… */
export const checksumName = (algorithm: ChecksumAlgorithm) => algorithm.toUpperCase();

/** The XML element of a checksum: ChecksumCRC32, ChecksumCRC64NVME… */
export const checksumElement = (algorithm: ChecksumAlgorithm) => `Checksum${checksumName(algorithm)}`;
