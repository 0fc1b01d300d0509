import { createHash, type Hash } from "node:crypto";
import { readBlocks } from "@cdp/core";
import {
  type Checksum,
  type ChecksumAlgorithm,
  checksumAlgorithmOf,
  checksumName,
  newChecksum,
} from "./checksums";
import { S3Error } from "./errors";
import {
  chunkSignature,
  EMPTY_SHA256,
  sameSignature,
  sha256Hex,
  trailerSignature,
  UNSIGNED_PAYLOAD,
  type VerifiedSignature,
} from "./sigv4";

/**
 * The body of a request, checked as it passes: against the signed SHA-256 of the payload, the
 * chunk signatures of an aws-chunked body and its trailing checksum, and any Content-MD5 or
 * x-amz-checksum-* header. The checks that can only end with the body (a hash, the last chunk,
 * the trailer) fail the stream before it closes, so whatever was writing it (an R2 put, an upload
 * part) stores nothing.
 */
export interface CheckedBody {
  /** The length of the content (for an aws-chunked body, `x-amz-decoded-content-length`). */
  length: number;
  /** The checksum the client sent (header or trailer), once the content has been checked. */
  checksum(): { algorithm: ChecksumAlgorithm; value: string } | null;
  /**
   * Writes the content into `writable` as it arrives, and closes it only once every check has
   * passed; a failed check aborts it and is thrown. It holds back the last bytes it has read
   * until then, so a writer that knows the length (an R2 put, an upload part) cannot have stored
   * the whole body before its hash, last chunk signature or trailer was checked.
   */
  pipeTo(writable: WritableStream<Uint8Array>): Promise<void>;
  /** The whole content as text, checked (request documents, which are small). */
  text(): Promise<string>;
}

type Framing = "plain" | "chunked-signed" | "chunked-unsigned";

const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** The longest line of chunk framing we read (a size, its signature, a trailer). */
const MAX_LINE = 4096;

function framingOf(payloadHash: string): { framing: Framing; sha256: string | null; trailer: boolean } {
  if (/^[0-9a-f]{64}$/.test(payloadHash)) return { framing: "plain", sha256: payloadHash, trailer: false };
  switch (payloadHash) {
    case UNSIGNED_PAYLOAD:
      return { framing: "plain", sha256: null, trailer: false };
    case STREAMING_SIGNED:
      return { framing: "chunked-signed", sha256: null, trailer: false };
    case STREAMING_SIGNED_TRAILER:
      return { framing: "chunked-signed", sha256: null, trailer: true };
    case STREAMING_UNSIGNED_TRAILER:
      return { framing: "chunked-unsigned", sha256: null, trailer: true };
    default:
      throw new S3Error(
        "InvalidArgument",
        `x-amz-content-sha256 must be the payload's SHA-256 in hex, UNSIGNED-PAYLOAD, ${STREAMING_SIGNED}, ${STREAMING_SIGNED_TRAILER} or ${STREAMING_UNSIGNED_TRAILER}; it is '${payloadHash}'.`,
      );
  }
}

function wholeNumber(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

const decoder = new TextDecoder();

/** Reads the body of `request` as `auth` says it was signed. */
export function checkedBody(request: Request, auth: VerifiedSignature): CheckedBody {
  const { framing, sha256, trailer } = framingOf(auth.payloadHash);
  const headers = request.headers;
  const length =
    framing === "plain"
      ? (wholeNumber(headers.get("content-length")) ?? (request.body === null ? 0 : null))
      : wholeNumber(headers.get("x-amz-decoded-content-length"));
  if (length === null) {
    throw new S3Error(
      "MissingContentLength",
      framing === "plain"
        ? "You must provide the Content-Length HTTP header."
        : "An aws-chunked body needs the x-amz-decoded-content-length header.",
    );
  }

  // Checksums the client announced in headers, checked at the end.
  const expected: { name: string; algorithm: ChecksumAlgorithm | "md5"; value: string; code: "BadDigest" }[] =
    [];
  const md5 = headers.get("content-md5");
  if (md5 !== null) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5.trim())) {
      throw new S3Error("InvalidDigest", "The Content-MD5 you specified is not valid.");
    }
    // A payload whose SHA-256 is signed is checked by it, byte for byte and more strongly than by
    // MD5: hashing it twice would only cost CPU (a tenth of an upload's, measured).
    if (sha256 === null) {
      expected.push({ name: "Content-MD5", algorithm: "md5", value: md5.trim(), code: "BadDigest" });
    }
  }
  let announced: { algorithm: ChecksumAlgorithm; value: string } | null = null;
  for (const [name, value] of headers) {
    const algorithm = checksumAlgorithmOf(name);
    if (!algorithm) continue;
    announced = { algorithm, value: value.trim() };
    expected.push({ name: `x-amz-checksum-${algorithm}`, algorithm, value: value.trim(), code: "BadDigest" });
  }
  let trailerAlgorithm: ChecksumAlgorithm | null = null;
  const trailerHeader = headers.get("x-amz-trailer");
  if (trailerHeader !== null) {
    if (framing === "plain") {
      throw new S3Error(
        "InvalidRequest",
        "x-amz-trailer needs an aws-chunked body (a STREAMING-… x-amz-content-sha256).",
      );
    }
    trailerAlgorithm = checksumAlgorithmOf(trailerHeader);
    if (!trailerAlgorithm) {
      throw new S3Error(
        "InvalidRequest",
        `The trailer '${trailerHeader}' is not a checksum this endpoint reads.`,
      );
    }
  }
  if (trailer && trailerAlgorithm === null) {
    throw new S3Error(
      "InvalidRequest",
      "A STREAMING-…-TRAILER body needs the x-amz-trailer header naming its checksum.",
    );
  }

  const checksums = new Map<ChecksumAlgorithm | "md5", Checksum>();
  for (const e of expected)
    if (!checksums.has(e.algorithm)) checksums.set(e.algorithm, newChecksum(e.algorithm));
  if (trailerAlgorithm && !checksums.has(trailerAlgorithm))
    checksums.set(trailerAlgorithm, newChecksum(trailerAlgorithm));
  const payloadHash: Hash | null = sha256 ? createHash("sha256") : null;

  let received = 0;
  /** Content bytes read but not yet written: all of them are written once the next arrive, but the last. */
  let pending: Uint8Array[] = [];
  /** Content bytes: counted, hashed, queued to be written. */
  const take = (bytes: Uint8Array) => {
    if (bytes.byteLength === 0) return;
    received += bytes.byteLength;
    if (received > length) {
      throw new S3Error(
        "IncompleteBody",
        `The body holds more than the ${length} bytes its ${framing === "plain" ? "Content-Length" : "x-amz-decoded-content-length"} announced.`,
      );
    }
    payloadHash?.update(bytes);
    for (const checksum of checksums.values()) checksum.update(bytes);
    pending.push(bytes);
  };

  let trailerValue: { algorithm: ChecksumAlgorithm; value: string } | null = null;
  const finish = (trailers: Map<string, string>) => {
    if (received !== length) {
      throw new S3Error(
        "IncompleteBody",
        `You did not provide the number of bytes specified by the ${framing === "plain" ? "Content-Length" : "x-amz-decoded-content-length"} HTTP header (${received} of ${length}).`,
      );
    }
    if (payloadHash && sha256 !== null && payloadHash.digest("hex") !== sha256) {
      throw new S3Error(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        { ClientComputedContentSHA256: sha256 },
      );
    }
    const digests = new Map<string, string>();
    const digestOf = (algorithm: ChecksumAlgorithm | "md5") => {
      let value = digests.get(algorithm);
      if (value === undefined) {
        value = checksums.get(algorithm)?.digest() ?? "";
        digests.set(algorithm, value);
      }
      return value;
    };
    for (const e of expected) {
      if (digestOf(e.algorithm) !== e.value) {
        throw new S3Error(
          e.code,
          e.algorithm === "md5"
            ? "The Content-MD5 you specified did not match what we received."
            : `The ${checksumName(e.algorithm)} you specified did not match the calculated checksum.`,
        );
      }
    }
    if (trailerAlgorithm) {
      const value = trailers.get(`x-amz-checksum-${trailerAlgorithm}`);
      if (value === undefined) {
        throw new S3Error(
          "IncompleteBody",
          `The body ended without its trailing x-amz-checksum-${trailerAlgorithm}.`,
        );
      }
      if (digestOf(trailerAlgorithm) !== value.trim()) {
        throw new S3Error(
          "BadDigest",
          `The ${checksumName(trailerAlgorithm)} you specified did not match the calculated checksum.`,
        );
      }
      trailerValue = { algorithm: trailerAlgorithm, value: value.trim() };
    }
  };

  const content =
    framing === "plain"
      ? { feed: take, end: () => finish(new Map()) }
      : awsChunkedDecoder(framing === "chunked-signed" ? auth : null, take, finish);

  let used = false;
  const pipeTo = async (writable: WritableStream<Uint8Array>) => {
    if (used) throw new Error("the body was read already");
    used = true;
    const writer = writable.getWriter();
    try {
      for await (const block of request.body ? readBlocks(request.body, BLOCK_BYTES) : []) {
        content.feed(block);
        // All but the last bytes read go out now.
        const last = pending.pop();
        for (const bytes of pending) await writer.write(bytes);
        pending = last ? [last] : [];
      }
      content.end();
      for (const bytes of pending) await writer.write(bytes);
      pending = [];
      await writer.close();
    } catch (err) {
      await writer.abort(err).catch(() => {});
      throw err;
    }
  };
  return {
    length,
    checksum: () => trailerValue ?? announced,
    pipeTo,
    async text() {
      const parts: Uint8Array[] = [];
      await pipeTo(new WritableStream({ write: (bytes) => void parts.push(bytes) }));
      return decoder.decode(concat(parts));
    },
  };
}

/**
 * Bytes read at once from a body. R2 (and locally its simulator) does work per piece it is
 * handed, so large reads keep the work per byte low: with 1 MiB, `aws s3 cp` of 400 MB took
 * 7.4–8.5 s through the local stack where 256 KiB took 8.7–9.1 s. A request holds at most two
 * blocks (the one held back and the one being written), so the ten parts aws sends at once hold
 * about 20 MiB, outside the V8 heap but inside the Worker's 128 MB.
 */
const BLOCK_BYTES = 1024 * 1024;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

type Take = (bytes: Uint8Array) => void;

/**
 * Decodes an aws-chunked body (`<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`…, a last chunk
 * of size 0, then trailing headers and an empty line), checking each chunk's signature (signed
 * framing) as its last byte passes and the trailer's signature at the end.
 */
function awsChunkedDecoder(
  auth: VerifiedSignature | null,
  take: Take,
  finish: (trailers: Map<string, string>) => void,
): { feed(chunk: Uint8Array): void; end(): void } {
  let state: "size" | "data" | "data-end" | "trailer" | "done" = "size";
  let line: number[] = [];
  let remaining = 0;
  let crlfSeen = 0;
  let chunkHash: Hash | null = null;
  let chunkSig = "";
  let previous = auth?.seedSignature ?? "";
  const trailers = new Map<string, string>();
  const trailerLines: string[] = [];
  let trailerSig: string | null = null;

  const malformed = (why: string) =>
    new S3Error("IncompleteBody", `The aws-chunked body is not well formed: ${why}.`);

  const checkChunk = (sha: string) => {
    if (!auth) return;
    const expected = chunkSignature(auth, previous, sha);
    if (!sameSignature(expected, chunkSig)) {
      throw new S3Error(
        "SignatureDoesNotMatch",
        "The chunk signature we calculated does not match the signature you provided. Check your key and signing method.",
      );
    }
    previous = chunkSig;
  };

  const sizeLine = (text: string) => {
    const m = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-fA-F]{64}))?$/.exec(text);
    if (!m?.[1]) throw malformed(`'${text.slice(0, 100)}' is not a chunk header`);
    if (auth && !m[2]) throw malformed("a chunk without its chunk-signature");
    chunkSig = (m[2] ?? "").toLowerCase();
    const size = Number.parseInt(m[1], 16);
    if (size === 0) {
      checkChunk(EMPTY_SHA256);
      state = "trailer";
      return;
    }
    remaining = size;
    chunkHash = auth ? createHash("sha256") : null;
    state = "data";
  };

  const trailerLine = (text: string) => {
    if (text === "") {
      state = "done";
      return;
    }
    const colon = text.indexOf(":");
    if (colon <= 0) throw malformed(`the trailer '${text.slice(0, 100)}' is not 'name:value'`);
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === "x-amz-trailer-signature") trailerSig = value.toLowerCase();
    else {
      trailers.set(name, value);
      trailerLines.push(`${name}:${value}\n`);
    }
  };

  const end = () => {
    if (state === "trailer" && line.length > 0) throw malformed("the body ended inside a trailer");
    if (state !== "done" && state !== "trailer") throw malformed("the body ended before its last chunk");
    if (auth && trailerLines.length > 0) {
      if (trailerSig === null) throw malformed("trailing headers without x-amz-trailer-signature");
      const expected = trailerSignature(auth, previous, sha256Hex(trailerLines.join("")));
      if (!sameSignature(expected, trailerSig)) {
        throw new S3Error(
          "SignatureDoesNotMatch",
          "The trailer signature we calculated does not match the signature you provided.",
        );
      }
    }
    finish(trailers);
  };

  return {
    feed(chunk) {
      let at = 0;
      while (at < chunk.byteLength) {
        if (state === "data") {
          const n = Math.min(remaining, chunk.byteLength - at);
          const part = chunk.subarray(at, at + n);
          chunkHash?.update(part);
          take(part);
          remaining -= n;
          at += n;
          if (remaining === 0) {
            state = "data-end";
            crlfSeen = 0;
          }
        } else if (state === "data-end") {
          const byte = chunk[at++];
          if (byte !== (crlfSeen === 0 ? 13 : 10)) throw malformed("a chunk's data is not followed by CRLF");
          if (++crlfSeen === 2) {
            checkChunk(chunkHash ? chunkHash.digest("hex") : "");
            state = "size";
          }
        } else if (state === "done") {
          // Nothing but line ends may follow the end of the body.
          const byte = chunk[at++];
          if (byte !== 13 && byte !== 10) throw malformed("bytes after the end of the body");
        } else {
          // A line: a chunk's size, or a trailer.
          const newline = chunk.indexOf(10, at);
          const stop = newline === -1 ? chunk.byteLength : newline;
          if (line.length + stop - at > MAX_LINE) throw malformed("a line of framing longer than 4 KiB");
          for (let i = at; i < stop; i++) line.push(chunk[i] as number);
          at = stop;
          if (newline === -1) continue;
          at = newline + 1;
          if (line[line.length - 1] !== 13) throw malformed("a line that does not end with CRLF");
          const text = decoder.decode(new Uint8Array(line.slice(0, -1)));
          line = [];
          if (state === "size") sizeLine(text);
          else trailerLine(text);
        }
      }
    },
    end,
  };
}
