import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code the API answers with. */
export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  unknown_field: 400,
  unknown_format: 400,
  upload_not_found: 400,
  unsafe_source: 400,
  unsafe_webhook_url: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The one error class of the API: a code, a sentence for people, and optional details. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.details = details;
  }

  get status(): ContentfulStatusCode {
    return ERROR_CODES[this.code];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}
