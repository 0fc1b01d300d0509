import { ImportFileError } from "@cdp/core";
import { Crc32, formatBytes, tooLarge } from "./decompress";

/** A file in a zip archive, from its central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Random access to the archive (it is in R2). */
export interface ArchiveReader {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  stream(offset: number, length: number): Promise<ReadableStream<Uint8Array>>;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const MAX_EOCD_SEARCH = 22 + 0xffff;
/** A central directory bigger than this is not a data export. */
const MAX_DIRECTORY_BYTES = 32 * 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;
const METHOD_NAMES: Record<number, string> = {
  9: "Deflate64",
  12: "bzip2",
  14: "LZMA",
  93: "Zstandard",
  95: "XZ",
  99: "AES encryption",
};

const damaged = (why: string) =>
  new ImportFileError("corrupt_archive", `The zip archive is damaged and cannot be unpacked: ${why}.`);

const u16 = (view: DataView, at: number) => view.getUint16(at, true);
const u32 = (view: DataView, at: number) => view.getUint32(at, true);
const u64 = (view: DataView, at: number) => Number(view.getBigUint64(at, true));
const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The files of an archive, read from its central directory (zip64 included). */
export async function readZipDirectory(archive: ArchiveReader): Promise<ZipEntry[]> {
  const tailLength = Math.min(archive.size, MAX_EOCD_SEARCH);
  const tail = await archive.read(archive.size - tailLength, tailLength);
  const tailView = viewOf(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tailView, i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw damaged("its directory at the end of the file is missing (is the file cut short?)");
  let count = u16(tailView, eocd + 10);
  let directorySize = u32(tailView, eocd + 12);
  let directoryOffset = u32(tailView, eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(tailView, locator) !== ZIP64_LOCATOR)
      throw damaged("its zip64 directory is missing");
    const recordOffset = u64(tailView, locator + 8);
    const record = viewOf(await archive.read(recordOffset, 56));
    if (u32(record, 0) !== ZIP64_EOCD) throw damaged("its zip64 directory is missing");
    count = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
  }
  if (directorySize > MAX_DIRECTORY_BYTES) throw damaged("its directory is implausibly large");
  if (directoryOffset + directorySize > archive.size)
    throw damaged("its directory points past the end of the file");
  const directory = await archive.read(directoryOffset, directorySize);
  const view = viewOf(directory);
  const names = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > directory.length || u32(view, at) !== CENTRAL_HEADER)
      throw damaged("its directory is cut short");
    const nameLength = u16(view, at + 28);
    const extraLength = u16(view, at + 30);
    const commentLength = u16(view, at + 32);
    const entry: ZipEntry = {
      name: names.decode(directory.subarray(at + 46, at + 46 + nameLength)),
      flags: u16(view, at + 8),
      method: u16(view, at + 10),
      crc32: u32(view, at + 16),
      compressedSize: u32(view, at + 20),
      size: u32(view, at + 24),
      localHeaderOffset: u32(view, at + 42),
    };
    // Sizes and offsets too big for 32 bits are in the zip64 extra field, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(view, extra);
      const length = u16(view, extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        for (const key of ["size", "compressedSize", "localHeaderOffset"] as const) {
          if (entry[key] === 0xffffffff && field + 8 <= extra + 4 + length) {
            entry[key] = u64(view, field);
            field += 8;
          }
        }
      }
      extra += 4 + length;
    }
    entries.push(entry);
    at = extraEnd + commentLength;
  }
  return entries;
}

/** Folders and the metadata macOS adds to archives are not files to import. */
export function isImportable(entry: ZipEntry): boolean {
  const base = entry.name.split("/").pop() ?? "";
  return (
    !entry.name.endsWith("/") &&
    !entry.name.startsWith("__MACOSX/") &&
    !base.startsWith("._") &&
    base !== ".DS_Store"
  );
}

/**
 * A glob over entry names: `*` and `?` stay within a folder, `**` crosses folders. A pattern
 * without a `/` is matched against the file name alone (`*.csv` matches `exports/a.csv`).
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*" && pattern[i + 1] === "*") {
      source += ".*";
      i++;
      if (pattern[i + 1] === "/") i++;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const regex = new RegExp(`^${source}$`);
  return pattern.includes("/")
    ? (name) => regex.test(name)
    : (name) => regex.test(name.split("/").pop() ?? "");
}

function listed(entries: ZipEntry[]): string {
  const names = entries.slice(0, 10).map((e) => e.name);
  return names.join(", ") + (entries.length > 10 ? `, and ${entries.length - 10} more` : "");
}

/**
 * The entries a run imports: the only file of the archive, or those matching `pattern` (the
 * import's options.entry). Anything else fails with the entries named, so users can fix it.
 */
export function selectEntries(entries: ZipEntry[], pattern: string | undefined, limit: number): ZipEntry[] {
  const files = entries.filter(isImportable);
  if (files.length === 0)
    throw new ImportFileError("empty_file", "The zip archive holds no files to import.");
  let selected: ZipEntry[];
  if (pattern) {
    const matches = globMatcher(pattern);
    selected = files.filter((entry) => matches(entry.name));
    if (selected.length === 0) {
      throw new ImportFileError(
        "invalid_config",
        `No file in the zip archive matches options.entry '${pattern}'; it holds: ${listed(files)}.`,
      );
    }
  } else if (files.length > 1) {
    throw new ImportFileError(
      "invalid_config",
      `The zip archive holds ${files.length} files (${listed(files)}): set options.entry to a pattern of the ones to import, like "*.csv".`,
    );
  } else {
    selected = files;
  }
  for (const entry of selected) {
    if (entry.flags & 1) {
      throw new ImportFileError(
        "invalid_config",
        `The zip entry '${entry.name}' is encrypted: make the archive without a password.`,
      );
    }
    if (entry.method !== STORED && entry.method !== DEFLATED) {
      const name = METHOD_NAMES[entry.method] ?? `method ${entry.method}`;
      throw new ImportFileError(
        "wrong_format",
        `The zip entry '${entry.name}' is compressed with ${name}, which this service does not unpack: use ordinary (deflate) zip compression.`,
      );
    }
  }
  const declared = selected.reduce((sum, entry) => sum + entry.size, 0);
  if (declared > limit) throw tooLarge(limit);
  return selected;
}

/**
 * One entry's contents as a stream, inflated, counted against `budget` (what the run may still
 * unpack) and checked against the CRC-32 and size of the directory.
 */
export async function openEntry(
  archive: ArchiveReader,
  entry: ZipEntry,
  budget: { remaining: number; limit: number },
): Promise<ReadableStream<Uint8Array>> {
  const header = viewOf(await archive.read(entry.localHeaderOffset, 30));
  if (u32(header, 0) !== LOCAL_HEADER)
    throw damaged(`the entry '${entry.name}' is not where the directory says`);
  const dataStart = entry.localHeaderOffset + 30 + u16(header, 26) + u16(header, 28);
  if (dataStart + entry.compressedSize > archive.size)
    throw damaged(`the entry '${entry.name}' is cut short`);
  // Errors of reading storage pass as they are (the run is retried); any other is the inflater
  // refusing the data.
  const storageErrors = new WeakSet<object>();
  const raw = (await archive.stream(dataStart, entry.compressedSize)).getReader();
  const tracked = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await raw.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (err) {
          if (typeof err === "object" && err !== null) storageErrors.add(err);
          throw err;
        }
      },
      cancel: (reason) => raw.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  const inflated =
    entry.method === DEFLATED
      ? tracked.pipeThrough(
          new DecompressionStream("deflate-raw") as unknown as TransformStream<Uint8Array, Uint8Array>,
        )
      : tracked;
  const crc = new Crc32();
  let size = 0;
  const check = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > entry.size)
        throw damaged(`the entry '${entry.name}' unpacks to more than its directory gives`);
      budget.remaining -= chunk.byteLength;
      if (budget.remaining < 0) throw tooLarge(budget.limit);
      crc.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      if (size !== entry.size) {
        throw damaged(
          `the entry '${entry.name}' unpacks to ${formatBytes(size)}, not the ${formatBytes(entry.size)} its directory gives`,
        );
      }
      if (crc.digest() !== entry.crc32) throw damaged(`the entry '${entry.name}' fails its CRC check`);
    },
  });
  const reader = inflated.pipeThrough(check).getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (err) {
          if (
            err instanceof ImportFileError ||
            (typeof err === "object" && err !== null && storageErrors.has(err))
          )
            throw err;
          const why = err instanceof Error ? err.message : String(err);
          throw damaged(`the entry '${entry.name}' cannot be inflated (${why})`);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
