import {
  ImportFileError,
  loadKeyring,
  PREVIEW_SIGNATURE_HEADER,
  PreviewRequest,
  verifyPreviewRequest,
} from "@cdp/core";
import { detectCompression, gunzip, peek } from "./decompress";
import { errorResponse } from "./http";
import { maxDecompressedBytes, openRaw, r2Archive } from "./sources";
import { globMatcher, isImportable, openEntry, readZipDirectory, selectEntries, type ZipEntry } from "./zip";

/** How far into a remote zip archive a preview looks for the file it shows. */
const MAX_SKIPPED_BYTES = 64 * 1024 * 1024;
const LOCAL_HEADER = 0x04034b50;

/**
 * `POST /internal/preview` from config-api (signed, see PreviewRequest): the first
 * `maxBytes` of the source as a run would read them, unpacked. It opens the source exactly as
 * a run does (same SSRF guard, same errors) and stops reading as soon as it has enough: the
 * stream is cancelled, which closes the HTTP, S3 or SFTP transfer, so a preview of a large
 * file costs only its beginning. A file that cannot be read answers 422 with the run's error.
 */
export async function servePreview(request: Request, env: Env): Promise<Response> {
  const body = await request.text();
  const signature = request.headers.get(PREVIEW_SIGNATURE_HEADER) ?? "";
  if (!(await verifyPreviewRequest(body, signature, env.UPLOAD_SIGNING_SECRET))) {
    return errorResponse(
      403,
      "forbidden",
      "Previews are asked for through the API: POST /v1/imports/preview.",
    );
  }
  const parsed = PreviewRequest.safeParse(JSON.parse(body));
  if (!parsed.success) return errorResponse(400, "bad_request", "The preview request is not valid.");
  const ask = parsed.data;
  if (ask.expires * 1000 < Date.now())
    return errorResponse(403, "forbidden", "The preview request has expired.");
  try {
    const bytes = await previewBytes(env, ask);
    return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
  } catch (err) {
    if (err instanceof ImportFileError) {
      return Response.json({ error: { code: err.code, message: err.message } }, { status: 422 });
    }
    throw err;
  }
}

async function previewBytes(env: Env, ask: PreviewRequest): Promise<Uint8Array> {
  const run = { id: "preview", tenantId: ask.tenantId, importId: "" };
  // S3 and http(s) are read by range: enough for the preview's bytes even once unpacked, usually.
  const ranged = ask.source.type === "s3" || ask.source.type === "url";
  const headBytes = ranged ? ask.maxBytes * 4 : undefined;
  const raw = await openRaw(env, run, ask.source, () => loadKeyring(env.SECRETS_KEYS), { headBytes });
  const cut = { short: false };
  const body = headBytes === undefined ? raw.body : noticeCut(raw.body, headBytes, cut);
  const { head, stream } = await peek(body, 8);
  const limit = maxDecompressedBytes(env);
  let compression: ReturnType<typeof detectCompression>;
  try {
    compression = detectCompression(head);
  } catch (err) {
    await stream.cancel();
    throw err;
  }
  if (compression === "none") return readHead(stream, ask.maxBytes, cut);
  if (compression === "gzip") return readHead(stream.pipeThrough(gunzip(limit)), ask.maxBytes, cut);
  if (raw.objectKey !== null) {
    // In R2 already: the archive's directory says which file a run would read, as it does for runs.
    await stream.cancel();
    const archive = r2Archive(env, raw.objectKey, raw.size ?? 0);
    const [entry] = selectEntries(await readZipDirectory(archive), ask.entry, limit);
    if (!entry) throw new ImportFileError("empty_file", "The zip archive holds no files to import.");
    return readHead(await openEntry(archive, entry, { remaining: limit, limit }), ask.maxBytes);
  }
  return readHead(await firstZipEntry(stream, ask.entry, limit), ask.maxBytes, cut);
}

/** Sets `cut.short` when a ranged read ends at its range: the file goes on past what was read. */
function noticeCut(
  stream: ReadableStream<Uint8Array>,
  range: number,
  cut: { short: boolean },
): ReadableStream<Uint8Array> {
  let seen = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.length;
        controller.enqueue(chunk);
      },
      flush() {
        cut.short = seen >= range;
      },
    }),
  );
}

/**
 * Up to `max` bytes from the start of a stream; the rest is never read (the stream is
 * cancelled). When the source was read only in part (`cut`), an unpacker failing at the end of
 * that part means only that the file goes on: what came before is the preview.
 */
async function readHead(
  stream: ReadableStream<Uint8Array>,
  max: number,
  cut: { short: boolean } = { short: false },
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const out = new Uint8Array(max);
  let filled = 0;
  try {
    while (filled < max) {
      const next = await reader.read();
      if (next.done) return out.subarray(0, filled);
      const take = next.value.subarray(0, max - filled);
      out.set(take, filled);
      filled += take.length;
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    if (cut.short && filled > 0) return out.subarray(0, filled);
    throw err;
  }
  await reader.cancel().catch(() => {});
  return out;
}

/** A stream read from its start, with the bytes already seen kept until they are taken. */
class SequentialReader {
  private buffer = new Uint8Array(0);
  private ended = false;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** The next `n` bytes, or fewer at the end of the stream. */
  async take(n: number): Promise<Uint8Array> {
    while (this.buffer.length < n && !this.ended) {
      const next = await this.reader.read();
      if (next.done) this.ended = true;
      else {
        const joined = new Uint8Array(this.buffer.length + next.value.length);
        joined.set(this.buffer);
        joined.set(next.value, this.buffer.length);
        this.buffer = joined;
      }
    }
    const taken = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(taken.length);
    return taken;
  }

  /** Drops `n` bytes without keeping them. */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const taken = await this.take(Math.min(left, 1024 * 1024));
      if (taken.length === 0) return;
      left -= taken.length;
    }
  }

  /** What is left of the stream, `length` bytes of it at most (all of it when null). */
  rest(length: number | null): ReadableStream<Uint8Array> {
    let left = length ?? Number.POSITIVE_INFINITY;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = left > 0 ? await this.take(Math.min(left, 64 * 1024)) : new Uint8Array(0);
          if (chunk.length === 0) controller.close();
          else {
            left -= chunk.length;
            controller.enqueue(chunk.slice());
          }
        },
        cancel: (reason) => this.reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }
}

/**
 * The file of a remote zip archive that a preview shows, read from the archive's start by its
 * local headers (the directory is at the end, which a preview does not read): the first file,
 * or the first matching options.entry.
 */
async function firstZipEntry(
  stream: ReadableStream<Uint8Array>,
  pattern: string | undefined,
  limit: number,
): Promise<ReadableStream<Uint8Array>> {
  const input = new SequentialReader(stream.getReader());
  const matches = pattern ? globMatcher(pattern) : () => true;
  let offset = 0;
  for (;;) {
    const header = await input.take(30);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (header.length < 30 || view.getUint32(0, true) !== LOCAL_HEADER) {
      await input.rest(0).cancel();
      throw new ImportFileError(
        pattern ? "invalid_config" : "empty_file",
        pattern
          ? `No file at the start of the zip archive matches options.entry '${pattern}'.`
          : "The zip archive holds no files to import.",
      );
    }
    const flags = view.getUint16(6, true);
    const names = await input.take(view.getUint16(26, true) + view.getUint16(28, true));
    const entry: ZipEntry = {
      name: new TextDecoder().decode(names.subarray(0, view.getUint16(26, true))),
      method: view.getUint16(8, true),
      flags,
      crc32: view.getUint32(14, true),
      compressedSize: view.getUint32(18, true),
      size: view.getUint32(22, true),
      localHeaderOffset: offset,
    };
    // Bit 3: the sizes follow the data instead (a zip written as a stream); 0xffffffff: zip64.
    const sized = (flags & 8) === 0 && entry.compressedSize !== 0xffffffff;
    if (isImportable(entry) && matches(entry.name)) {
      selectEntries([entry], undefined, sized ? limit : Number.POSITIVE_INFINITY);
      const data = input.rest(sized ? entry.compressedSize : null);
      if (entry.method === 0) return data;
      const inflated = data.pipeThrough(
        new DecompressionStream("deflate-raw") as unknown as TransformStream<Uint8Array, Uint8Array>,
      );
      return sized ? inflated : endAtTrailer(inflated);
    }
    if (!sized || offset > MAX_SKIPPED_BYTES) {
      await input.rest(0).cancel();
      throw new ImportFileError(
        "invalid_config",
        `The preview shows the first file of a zip archive matching options.entry, and '${entry.name}' comes first: set options.entry to the file to show, or run a dry run.`,
      );
    }
    await input.skip(entry.compressedSize);
    offset += 30 + names.length + entry.compressedSize;
  }
}

/**
 * An entry whose size is not in its header is read up to the archive's end: the inflater stops
 * with an error at the bytes after the entry, which then only mean that the file is over.
 */
function endAtTrailer(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let seen = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) controller.close();
          else {
            seen += next.value.length;
            controller.enqueue(next.value);
          }
        } catch (err) {
          if (seen === 0) throw err;
          controller.close();
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
