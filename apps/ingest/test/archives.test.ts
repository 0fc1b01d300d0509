import { describe, expect, it } from "vitest";
import { detectCompression } from "../src/decompress";
import { normaliseFingerprint } from "../src/sftp";
import { globMatcher, selectEntries, type ZipEntry } from "../src/zip";

const entry = (name: string, size = 10): ZipEntry => ({
  name,
  method: 8,
  flags: 0,
  crc32: 0,
  compressedSize: size,
  size,
  localHeaderOffset: 0,
});

describe("options.entry globs", () => {
  it("match file names, folders and deeper paths as users expect", () => {
    expect(globMatcher("*.csv")("exports/2026/orders.csv")).toBe(true);
    expect(globMatcher("orders-??.csv")("orders-01.csv")).toBe(true);
    expect(globMatcher("orders-??.csv")("orders-001.csv")).toBe(false);
    expect(globMatcher("exports/*.csv")("exports/a.csv")).toBe(true);
    expect(globMatcher("exports/*.csv")("exports/2026/a.csv")).toBe(false);
    expect(globMatcher("exports/**/*.csv")("exports/2026/11/a.csv")).toBe(true);
    expect(globMatcher("exports/**/*.csv")("exports/a.csv")).toBe(true);
    expect(globMatcher("a+b.csv")("a+b.csv")).toBe(true);
    expect(globMatcher("a+b.csv")("aab.csv")).toBe(false);
  });
});

describe("selectEntries", () => {
  it("takes the only file, leaving out folders and macOS metadata", () => {
    const entries = [
      entry("data/"),
      entry("data/orders.csv"),
      entry("__MACOSX/data/._orders.csv"),
      entry(".DS_Store"),
    ];
    expect(selectEntries(entries, undefined, 1000).map((e) => e.name)).toEqual(["data/orders.csv"]);
  });

  it("refuses what it cannot read, naming the entry", () => {
    expect(() => selectEntries([{ ...entry("a.csv"), flags: 1 }], undefined, 1000)).toThrow(
      "The zip entry 'a.csv' is encrypted: make the archive without a password.",
    );
    expect(() => selectEntries([{ ...entry("a.csv"), method: 12 }], undefined, 1000)).toThrow(
      "The zip entry 'a.csv' is compressed with bzip2, which this service does not unpack: use ordinary (deflate) zip compression.",
    );
    expect(() => selectEntries([entry("a.csv", 600), entry("b.csv", 600)], "*.csv", 1000)).toThrow(
      /expands to more than 1000 bytes/,
    );
    expect(() => selectEntries([entry("dir/")], undefined, 1000)).toThrow(
      "The zip archive holds no files to import.",
    );
  });
});

describe("detectCompression", () => {
  it("tells formats by their first bytes", () => {
    expect(detectCompression(new Uint8Array([0x1f, 0x8b, 8, 0]))).toBe("gzip");
    expect(detectCompression(new Uint8Array([0x50, 0x4b, 3, 4]))).toBe("zip");
    expect(detectCompression(new TextEncoder().encode("orderId,userId"))).toBe("none");
    expect(detectCompression(new Uint8Array([]))).toBe("none");
    expect(() => detectCompression(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))).toThrow(/xz archive/);
  });
});

describe("normaliseFingerprint", () => {
  it("reads a host key fingerprint as OpenSSH prints it, without padding, or in hex", () => {
    const openssh = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    expect(normaliseFingerprint(openssh)).toBe(openssh);
    expect(normaliseFingerprint("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")).toBe(openssh);
    expect(normaliseFingerprint("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")).toBe(
      openssh,
    );
  });
});
