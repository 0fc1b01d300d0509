import { createHash, createHmac } from "node:crypto";
import { S3Error } from "./errors";

/**
 * AWS Signature Version 4 as S3 checks it: the Authorization header and presigned query strings.
 * The payload (`x-amz-content-sha256`, chunk signatures, trailers) is checked as the body passes,
 * in payload.ts, with the signing key this module derives.
 */

export const ALGORITHM = "AWS4-HMAC-SHA256";
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/** How far a request's time may be from ours, as S3 allows. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may last: 7 days, as S3 allows. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

export interface SignedRequest {
  accessKeyId: string;
  /** `<yyyymmdd>/<region>/s3/aws4_request`. */
  scope: string;
  date: string;
  region: string;
  /** The request time, `yyyymmddThhmmssZ`. */
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  /** What the payload's line of the canonical request holds (a SHA-256, or a STREAMING-… / UNSIGNED-PAYLOAD). */
  payloadHash: string;
  presigned: boolean;
  /** Presigned URLs: how long after `amzDate` they work. */
  expiresSeconds: number | null;
}

/** What a checked signature gives the payload checks: the key and the seed of chunk signatures. */
export interface VerifiedSignature {
  signingKey: Uint8Array;
  scope: string;
  amzDate: string;
  seedSignature: string;
  payloadHash: string;
}

const AMZ_DATE = /^(\d{8})T\d{6}Z$/;

function credentialParts(
  credential: string,
  where: string,
): Pick<SignedRequest, "accessKeyId" | "date" | "region" | "scope"> {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts.some((p) => p === "")) {
    throw new S3Error(
      where === "header" ? "AuthorizationHeaderMalformed" : "AuthorizationQueryParametersError",
      `The credential '${credential}' is not '<access key id>/<yyyymmdd>/<region>/s3/aws4_request'.`,
    );
  }
  const [accessKeyId = "", date = "", region = "", service, terminator] = parts;
  if (service !== "s3" || terminator !== "aws4_request") {
    throw new S3Error(
      where === "header" ? "AuthorizationHeaderMalformed" : "AuthorizationQueryParametersError",
      `The credential is scoped to the service '${service}' (${terminator}); this endpoint is 's3' (aws4_request).`,
    );
  }
  return { accessKeyId, date, region, scope: `${date}/${region}/s3/aws4_request` };
}

/**
 * The signature a request carries: its Authorization header, or the X-Amz-* parameters of a
 * presigned URL. Null for a request that carries none.
 */
export function readSignature(request: Request, url: URL): SignedRequest | null {
  const header = request.headers.get("authorization");
  const query = url.searchParams;
  if (header !== null) {
    if (!header.startsWith(`${ALGORITHM} `)) {
      throw new S3Error(
        "InvalidRequest",
        "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
      );
    }
    const fields = new Map<string, string>();
    for (const part of header.slice(ALGORITHM.length).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get("Credential");
    const signedHeaders = fields.get("SignedHeaders");
    const signature = fields.get("Signature");
    if (!credential || !signedHeaders || !signature) {
      throw new S3Error(
        "AuthorizationHeaderMalformed",
        "The Authorization header needs Credential, SignedHeaders and Signature.",
      );
    }
    const amzDate = request.headers.get("x-amz-date") ?? "";
    const payloadHash = request.headers.get("x-amz-content-sha256");
    if (!AMZ_DATE.test(amzDate)) {
      throw new S3Error(
        "AccessDenied",
        "AWS authentication requires a valid x-amz-date header (yyyymmddThhmmssZ).",
      );
    }
    if (!payloadHash) {
      throw new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256.");
    }
    const scope = credentialParts(credential, "header");
    return {
      ...scope,
      amzDate,
      signedHeaders: signedHeaders.split(";"),
      signature: signature.toLowerCase(),
      payloadHash,
      presigned: false,
      expiresSeconds: null,
    };
  }
  if (query.has("X-Amz-Signature") || query.has("X-Amz-Credential") || query.has("X-Amz-Algorithm")) {
    const missing = [
      "X-Amz-Algorithm",
      "X-Amz-Credential",
      "X-Amz-Date",
      "X-Amz-Expires",
      "X-Amz-SignedHeaders",
      "X-Amz-Signature",
    ].filter((name) => !query.get(name));
    if (missing.length > 0) {
      throw new S3Error(
        "AuthorizationQueryParametersError",
        `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; missing: ${missing.join(", ")}.`,
      );
    }
    if (query.get("X-Amz-Algorithm") !== ALGORITHM) {
      throw new S3Error("AuthorizationQueryParametersError", `X-Amz-Algorithm only supports "${ALGORITHM}".`);
    }
    const amzDate = query.get("X-Amz-Date") ?? "";
    if (!AMZ_DATE.test(amzDate)) {
      throw new S3Error(
        "AuthorizationQueryParametersError",
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".",
      );
    }
    const expires = Number(query.get("X-Amz-Expires"));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
      throw new S3Error(
        "AuthorizationQueryParametersError",
        `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS} (7 days).`,
      );
    }
    if (query.has("X-Amz-Security-Token")) {
      throw new S3Error(
        "InvalidAccessKeyId",
        "This endpoint takes inbox keys, not temporary credentials with a session token.",
      );
    }
    const scope = credentialParts(query.get("X-Amz-Credential") ?? "", "query");
    return {
      ...scope,
      amzDate,
      signedHeaders: (query.get("X-Amz-SignedHeaders") ?? "").split(";"),
      signature: (query.get("X-Amz-Signature") ?? "").toLowerCase(),
      payloadHash:
        query.get("X-Amz-Content-Sha256") ?? request.headers.get("x-amz-content-sha256") ?? UNSIGNED_PAYLOAD,
      presigned: true,
      expiresSeconds: expires,
    };
  }
  return null;
}

/** `yyyymmddThhmmssZ` as milliseconds since the epoch. */
export function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A time as `yyyymmddThhmmssZ`. */
export function toAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * Refuses a request signed too far from now (header), or a presigned URL that has expired or is
 * not valid yet, as S3 does. Checked before the key is looked up, as S3 does.
 */
export function checkTime(signed: SignedRequest, now: number): void {
  const at = amzDateMs(signed.amzDate);
  if (signed.amzDate.slice(0, 8) !== signed.date) {
    throw new S3Error(
      signed.presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed",
      `The credential's date ${signed.date} is not the date of the request (${signed.amzDate}).`,
    );
  }
  if (signed.presigned) {
    if (at - now > MAX_SKEW_MS) throw new S3Error("AccessDenied", "Request is not valid yet");
    if (now > at + (signed.expiresSeconds ?? 0) * 1000) {
      throw new S3Error("AccessDenied", "Request has expired", {
        "X-Amz-Expires": String(signed.expiresSeconds),
        Expires: new Date(at + (signed.expiresSeconds ?? 0) * 1000).toISOString(),
        ServerTime: new Date(now).toISOString(),
      });
    }
    return;
  }
  if (Math.abs(now - at) > MAX_SKEW_MS) {
    throw new S3Error(
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
      {
        RequestTime: signed.amzDate,
        ServerTime: new Date(now).toISOString(),
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      },
    );
  }
}

const hmac = (key: Uint8Array | string, data: string): Uint8Array =>
  createHmac("sha256", key).update(data).digest();

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash("sha256").update(data).digest("hex");

export function signingKey(secret: string, date: string, region: string): Uint8Array {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), "s3"), "aws4_request");
}

export const hmacHex = (key: Uint8Array, data: string): string =>
  createHmac("sha256", key).update(data).digest("hex");

/** S3's URI encoding: every byte but the unreserved characters as %XY (upper case). */
export function awsEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The canonical form of a path: each segment decoded as sent, then encoded as SigV4 says. */
export function canonicalPath(path: string): string {
  if (path === "") return "/";
  return path
    .split("/")
    .map((segment) => awsEncode(decodeSegment(segment)))
    .join("/");
}

/** The canonical query string: every parameter (but the signature) encoded, sorted by name then value. */
export function canonicalQuery(search: string, presigned: boolean): string {
  const pairs: [string, string][] = [];
  for (const part of search.replace(/^\?/, "").split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = awsEncode(decodeSegment(eq === -1 ? part : part.slice(0, eq)));
    const value = eq === -1 ? "" : awsEncode(decodeSegment(part.slice(eq + 1)));
    if (presigned && name === "X-Amz-Signature") continue;
    pairs.push([name, value]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** A way the client may have seen the request: the host and path it signed. */
export interface SignedView {
  host: string;
  path: string;
}

export function canonicalRequest(
  request: Request,
  url: URL,
  signed: SignedRequest,
  view: SignedView,
): string {
  const headers = signed.signedHeaders.map((name) => {
    const value = name === "host" ? view.host : (request.headers.get(name) ?? "");
    return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  });
  return [
    request.method,
    canonicalPath(view.path),
    canonicalQuery(url.search, signed.presigned),
    headers.join(""),
    signed.signedHeaders.join(";"),
    signed.payloadHash,
  ].join("\n");
}

export function stringToSign(signed: SignedRequest, canonical: string): string {
  return [ALGORITHM, signed.amzDate, signed.scope, sha256Hex(canonical)].join("\n");
}

const encoder = new TextEncoder();

/** Equal strings, compared in constant time for their length. */
export function sameSignature(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.byteLength !== y.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < x.byteLength; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Checks the request's signature with the key's secret against each way the client may have
 * seen the request (`views`: the host and path as sent; and the one a path-carrying endpoint
 * makes some clients sign). Answers what the payload checks need, or throws
 * SignatureDoesNotMatch with the string to sign and canonical request of the first view.
 */
export function verifySignature(
  request: Request,
  url: URL,
  signed: SignedRequest,
  secret: string,
  views: SignedView[],
): VerifiedSignature {
  if (!signed.signedHeaders.includes("host")) {
    throw new S3Error(
      signed.presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed",
      "The host header must be among the signed headers.",
    );
  }
  const key = signingKey(secret, signed.date, signed.region);
  let first: { canonical: string; toSign: string } | null = null;
  for (const view of views) {
    const canonical = canonicalRequest(request, url, signed, view);
    const toSign = stringToSign(signed, canonical);
    if (sameSignature(hmacHex(key, toSign), signed.signature)) {
      return {
        signingKey: key,
        scope: signed.scope,
        amzDate: signed.amzDate,
        seedSignature: signed.signature,
        payloadHash: signed.payloadHash,
      };
    }
    first ??= { canonical, toSign };
  }
  throw new S3Error(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    {
      AWSAccessKeyId: signed.accessKeyId,
      StringToSign: first?.toSign ?? "",
      SignatureProvided: signed.signature,
      CanonicalRequest: first?.canonical ?? "",
    },
  );
}

/** The signature of one chunk of an aws-chunked body. */
export function chunkSignature(auth: VerifiedSignature, previous: string, chunkSha256: string): string {
  return hmacHex(
    auth.signingKey,
    ["AWS4-HMAC-SHA256-PAYLOAD", auth.amzDate, auth.scope, previous, EMPTY_SHA256, chunkSha256].join("\n"),
  );
}

/** The signature of the trailing headers of an aws-chunked body. */
export function trailerSignature(auth: VerifiedSignature, previous: string, trailerSha256: string): string {
  return hmacHex(
    auth.signingKey,
    ["AWS4-HMAC-SHA256-TRAILER", auth.amzDate, auth.scope, previous, trailerSha256].join("\n"),
  );
}
