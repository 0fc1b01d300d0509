// @ts-check
import { createReadStream } from "node:fs";
import http from "node:http";
import https from "node:https";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ApiError, CliError, messageOf } from "./errors.mjs";

/** @typedef {import("./settings.mjs").Settings} Settings */
/** @typedef {import("./output.mjs").Output} Output */

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Files larger than this go up in parts of this size (CDP_UPLOAD_PART_BYTES overrides it). */
const DEFAULT_PART_BYTES = 64 * 1024 * 1024;
/** The smallest part the storage takes (but the last). */
const MIN_PART_BYTES = 5 * 1024 * 1024;

function uploadPartBytes() {
  const set = Number(process.env.CDP_UPLOAD_PART_BYTES);
  return Number.isSafeInteger(set) && set >= MIN_PART_BYTES ? set : DEFAULT_PART_BYTES;
}

/**
 * The signed URL with more query parameters (its signature stays as it is).
 * @param {URL} url
 * @param {Record<string, string>} params
 */
function withParams(url, params) {
  const next = new URL(url);
  for (const [name, value] of Object.entries(params)) next.searchParams.set(name, value);
  return next;
}

/**
 * An empty file range as a stream (createReadStream cannot read zero bytes by range).
 * @param {import("node:fs").ReadStream} file
 */
function emptyStream(file) {
  file.destroy();
  return Readable.from([]);
}

/**
 * The error of an upload request that was answered but refused.
 * @param {{ status: number, text: string }} res
 */
function refusedUpload(res) {
  const envelope = parseEnvelope(res.text);
  return new ApiError(
    res.status,
    envelope?.code ?? "upload_failed",
    `The upload was refused (HTTP ${res.status}): ${envelope?.message ?? (res.text.slice(0, 200) || "no reason given")}`,
  );
}

/** How many times a GET is tried again after a dropped connection, a 429 or a 503. */
const GET_RETRIES = 4;

/** The answers that say "not now" rather than "no": worth asking again a little later. */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * The public API over HTTP, with the key as a bearer token. Every failure becomes a CliError
 * whose message a person can act on.
 */
export class ApiClient {
  /**
   * @param {Settings} settings
   * @param {Output} out
   * @param {{ debug?: boolean }} [options]
   */
  constructor(settings, out, options = {}) {
    this.url = settings.url;
    this.key = settings.key;
    this.keyOrigin = settings.keyOrigin;
    this.out = out;
    this.debug = options.debug ?? false;
    /** Whether the API has answered once; only then is a dropped connection worth another try. */
    this.reached = false;
    out.hide(settings.key);
  }

  /**
   * A JSON call; resolves to the parsed body (null for 204).
   * @param {string} method
   * @param {string} path
   * @param {{ body?: unknown, signal?: AbortSignal, retries?: number }} [options]
   * @returns {Promise<unknown>}
   */
  async call(method, path, options = {}) {
    const res = await this.fetch(method, path, options);
    if (res.status === 204) return null;
    /** @type {string} */
    let text;
    try {
      text = await res.text();
    } catch (err) {
      if (options.signal?.aborted) throw err;
      this.trace(`← answer broke off: ${causeOf(err)}`);
      throw new CliError(
        `The answer of the API at ${this.url.origin} on ${path} broke off: ${causeOf(err)}.`,
        { code: "connection_lost" },
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(
        res.status,
        "not_json",
        `The API at ${this.url.origin} did not answer JSON on ${path}.`,
      );
    }
  }

  /**
   * Every item of a paged list, following `nextCursor`, and the list's `total` where it gives one.
   * @param {string} path
   * @returns {Promise<{ items: unknown[], total: number }>}
   */
  async all(path) {
    /** @type {unknown[]} */
    const items = [];
    /** @type {number | null} */
    let total = null;
    /** @type {string | null} */
    let cursor = null;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const page = /** @type {import("./types.mjs").Page<unknown>} */ (
        await this.call(
          "GET",
          `${path}${separator}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        )
      );
      items.push(...(page.items ?? []));
      if (typeof page.total === "number") total ??= page.total;
      cursor = page.nextCursor ?? null;
    } while (cursor);
    return { items, total: total ?? items.length };
  }

  /**
   * A call that answered 2xx, or an error. GETs are tried again (`retries` times, 4 unless told)
   * after a dropped connection or an answer of 429/503, so that a single call survives a blip.
   * @param {string} method
   * @param {string} path
   * @param {{ body?: unknown, signal?: AbortSignal, retries?: number }} [options]
   * @returns {Promise<Response>}
   */
  async fetch(method, path, options = {}) {
    if (!this.key) {
      throw new CliError(
        'No API key: pass --key, set CDP_API_KEY, or put {"key": "..."} in ~/.config/cdp-import/config.json.',
        { code: "no_api_key" },
      );
    }
    const target = new URL(
      path.replace(/^\//, ""),
      this.url.href.endsWith("/") ? this.url : `${this.url.href}/`,
    );
    const attempts = method === "GET" ? (options.retries ?? GET_RETRIES) + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      this.trace(`→ ${method} ${target.href} (Authorization: Bearer ***)`);
      /** @type {Response} */
      let res;
      try {
        res = await fetch(target, {
          method,
          headers: {
            authorization: `Bearer ${this.key}`,
            accept: "application/json, text/csv",
            ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: options.signal,
        });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        this.trace(`← no answer: ${causeOf(err)}`);
        // A first call that gets no answer means a stack that is not running: say so at once.
        if (this.reached && attempt < attempts) {
          await sleep(backoff(attempt));
          continue;
        }
        throw this.unreachable(err);
      }
      this.reached = true;
      this.trace(`← ${res.status} (${Date.now() - started} ms)`);
      if ((res.status === 429 || res.status === 503) && attempt < attempts) {
        await res.body?.cancel();
        await sleep(retryAfter(res) ?? backoff(attempt));
        continue;
      }
      if (res.ok) return res;
      const error = await this.errorOf(res);
      error.retryAfterMs = retryAfter(res);
      throw error;
    }
  }

  /**
   * Streams a file from disk to a signed upload URL; the file is never held in memory whole.
   * A file larger than one part (CDP_UPLOAD_PART_BYTES, 64 MiB by default) goes up in parts of
   * that size, one request each, since a single request body is capped by the hosting plan
   * (100 MB on most Cloudflare plans); smaller files go up in one PUT.
   * @param {string} uploadUrl
   * @param {string} filePath
   * @param {number} size
   * @param {{ onProgress?: (bytesSent: number) => void, signal?: AbortSignal, partBytes?: number }} [options]
   */
  async upload(uploadUrl, filePath, size, options = {}) {
    const url = new URL(uploadUrl);
    const { signal } = options;
    const onProgress = options.onProgress ?? (() => {});
    const partBytes = options.partBytes ?? uploadPartBytes();
    if (size <= partBytes) {
      const file = { path: filePath, start: 0, length: size, onSent: onProgress };
      const res = await this.send("PUT", url, { file }, signal);
      if (res.status !== 201 && res.status !== 200) throw refusedUpload(res);
      return;
    }
    const started = await this.send("POST", withParams(url, { uploads: "" }), {}, signal);
    if (started.status !== 201) throw refusedUpload(started);
    const { uploadId } = /** @type {{ uploadId: string }} */ (JSON.parse(started.text));
    /** @type {{ partNumber: number, etag: string }[]} */
    const parts = [];
    try {
      for (let start = 0, partNumber = 1; start < size; start += partBytes, partNumber++) {
        const file = {
          path: filePath,
          start,
          length: Math.min(partBytes, size - start),
          onSent: (/** @type {number} */ sent) => onProgress(start + sent),
        };
        const res = await this.send(
          "PUT",
          withParams(url, { uploadId, partNumber: String(partNumber) }),
          { file },
          signal,
        );
        if (res.status !== 200) throw refusedUpload(res);
        parts.push({ partNumber, etag: /** @type {{ etag: string }} */ (JSON.parse(res.text)).etag });
      }
      const done = await this.send("POST", withParams(url, { uploadId }), { json: { parts } }, signal);
      if (done.status !== 201) throw refusedUpload(done);
    } catch (err) {
      // Parts already sent take space until the upload is given up.
      await this.send("DELETE", withParams(url, { uploadId }), {}).catch(() => {});
      throw err;
    }
  }

  /**
   * One request to a signed upload URL, with a range of a file, a JSON body, or no body.
   * Resolves to the answer's status and text.
   * @param {string} method
   * @param {URL} url
   * @param {{ file?: { path: string, start: number, length: number, onSent: (sent: number) => void }, json?: unknown }} body
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ status: number, text: string }>}
   */
  async send(method, url, body, signal) {
    const { file } = body;
    const json = body.json === undefined ? null : Buffer.from(JSON.stringify(body.json), "utf8");
    // The query string is the URL's signature: a credential for an hour, so it is not printed.
    this.trace(
      `→ ${method} ${url.origin}${url.pathname} (${file ? `${file.length} bytes` : "no file"}; signature hidden)`,
    );
    const begun = Date.now();
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(url, {
      method,
      headers: {
        "content-length": String(file ? file.length : (json?.length ?? 0)),
        "content-type": file ? "application/octet-stream" : "application/json",
      },
      signal,
    });
    const answered = new Promise(
      /** @param {(res: http.IncomingMessage) => void} resolve */ (resolve, reject) => {
        request.once("response", resolve);
        request.once("error", reject);
      },
    );
    let sent = 0;
    /** @type {Promise<unknown>} */
    let sending = Promise.resolve();
    if (file) {
      const counter = new Transform({
        transform(chunk, _encoding, callback) {
          sent += chunk.length;
          file.onSent(sent);
          callback(null, chunk);
        },
      });
      // An early answer (an expired URL) ends the body short; the answer says why, not the pipe.
      const stream = createReadStream(file.path, {
        highWaterMark: 1 << 20,
        start: file.start,
        end: file.length > 0 ? file.start + file.length - 1 : file.start,
      });
      sending = pipeline(file.length > 0 ? stream : emptyStream(stream), counter, request).catch(
        (err) => err,
      );
    } else {
      request.end(json ?? undefined);
    }
    /** @type {http.IncomingMessage} */
    let res;
    try {
      res = await answered;
    } catch (err) {
      if (signal?.aborted) throw err;
      const failure = await sending;
      this.trace(`← no answer: ${causeOf(err)}`);
      if (failure instanceof Error && "path" in failure) {
        throw new CliError(`Could not read ${file?.path}: ${failure.message}`, { code: "file_unreadable" });
      }
      throw new CliError(
        `The upload to ${url.origin} broke off after ${(file?.start ?? 0) + sent} bytes: ${causeOf(err)}.`,
        { code: "upload_failed" },
      );
    }
    const chunks = [];
    for await (const chunk of res) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString("utf8");
    this.trace(`← ${res.statusCode} (${Date.now() - begun} ms)`);
    return { status: res.statusCode ?? 0, text };
  }

  /** @param {string} text */
  trace(text) {
    if (this.debug) this.out.stderr.write(`${this.out.redact(`[debug] ${text}`)}\n`);
  }

  /**
   * Whether a failed call may well work a little later: an API that answered before gave no
   * answer (or broke one off), or it answered 429 or a server error (500/502/503/504). A refused
   * key, a missing run or a bad request are no such thing.
   * @param {unknown} err
   */
  isTransient(err) {
    if (err instanceof ApiError) return TRANSIENT_STATUSES.has(err.status);
    return (
      err instanceof CliError &&
      (err.code === "unreachable" || err.code === "connection_lost") &&
      this.reached
    );
  }

  /** @param {unknown} err */
  unreachable(err) {
    const hint = LOOPBACK_HOSTS.has(this.url.hostname)
      ? "is `npm start` running?"
      : "check the URL (--url or CDP_API_URL) and your network.";
    return new CliError(`Could not reach the API at ${this.url.origin}: ${hint} (${causeOf(err)})`, {
      code: "unreachable",
    });
  }

  /** @param {Response} res */
  async errorOf(res) {
    const envelope = parseEnvelope(await res.text().catch(() => ""));
    if (res.status === 401) {
      return new ApiError(
        401,
        "unauthorized",
        `the API key was refused by ${this.url.origin}: check the key from ${this.keyOrigin}.`,
      );
    }
    if (!envelope) {
      return new ApiError(
        res.status,
        `http_${res.status}`,
        `The API at ${this.url.origin} answered HTTP ${res.status} ${res.statusText}.`,
      );
    }
    return new ApiError(res.status, envelope.code, envelope.message, envelope.details);
  }
}

/**
 * The API's error envelope, or null when the text is something else (a proxy's HTML page).
 * @param {string} text
 * @returns {{ code: string, message: string, details: string[] } | null}
 */
function parseEnvelope(text) {
  try {
    const error = JSON.parse(text)?.error;
    if (typeof error?.message !== "string") return null;
    const details = Array.isArray(error.details)
      ? error.details.map((/** @type {unknown} */ d) =>
          typeof d === "object" && d !== null && "message" in d
            ? `${"path" in d && d.path ? `${d.path}: ` : ""}${String(d.message)}`
            : JSON.stringify(d),
        )
      : [];
    return { code: String(error.code ?? "error"), message: error.message, details };
  } catch {
    return null;
  }
}

/**
 * The low-level reason of a network failure ("ECONNREFUSED"), for the end of a message.
 * @param {unknown} err
 */
function causeOf(err) {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = /** @type {{ code?: unknown } | null | undefined} */ (cause)?.code;
  return typeof code === "string" ? code : messageOf(cause);
}

/** @param {Response} res */
function retryAfter(res) {
  const seconds = Number(res.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : null;
}

/**
 * The wait before another try: 500 ms, then twice as long each time, up to maxMs.
 * @param {number} attempt
 * @param {number} [maxMs]
 */
export function backoff(attempt, maxMs = 4000) {
  return Math.min(250 * 2 ** attempt, maxMs);
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
