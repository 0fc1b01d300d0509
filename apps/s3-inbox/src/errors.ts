import { xmlDocument } from "./xml";

/** The S3 error codes this endpoint answers with, and their HTTP status. */
export const S3_ERRORS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidStorageClass: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/**
 * An S3 error: its code, a sentence for people, and the extra elements S3 puts in the error
 * document (Key, BucketName, StringToSign...). Thrown anywhere; the router answers it.
 */
export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly extra: Record<string, string>;

  constructor(code: S3ErrorCode, message: string, extra: Record<string, string> = {}) {
    super(message);
    this.name = "S3Error";
    this.code = code;
    this.extra = extra;
  }

  get status(): number {
    return S3_ERRORS[this.code];
  }
}

/** A request id, as S3 gives one in `x-amz-request-id` and in error documents. */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
}

/** The error document of `error` (none for HEAD, as S3 answers HEAD errors). */
export function errorResponse(error: S3Error, requestId: string, method: string): Response {
  const headers = new Headers({ "x-amz-request-id": requestId, "x-amz-id-2": requestId });
  if (error.code === "MethodNotAllowed" && error.extra.Allow) headers.set("allow", error.extra.Allow);
  if (method === "HEAD") return new Response(null, { status: error.status, headers });
  headers.set("content-type", "application/xml");
  const fields: Record<string, string> = { Code: error.code, Message: error.message };
  for (const [name, value] of Object.entries(error.extra)) if (name !== "Allow") fields[name] = value;
  fields.RequestId = requestId;
  return new Response(xmlDocument("Error", fields, { namespace: false }), {
    status: error.status,
    headers,
  });
}
