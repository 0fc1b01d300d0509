// @ts-check

/** The exit codes of every command. */
export const EXIT = Object.freeze({
  ok: 0,
  /** The command failed, or the run failed or was cancelled. */
  failed: 1,
  /** The run completed, but some items were invalid. */
  invalidItems: 2,
  /** Following a run stopped: the API was out of reach for too long. The run goes on. */
  lostContact: 3,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
});

/** A failure the user can act on: its message is printed as it is, without a stack trace. */
export class CliError extends Error {
  /**
   * @param {string} message
   * @param {{ code?: string, details?: string[], exitCode?: number }} [more]
   */
  constructor(message, more = {}) {
    super(message);
    this.name = "CliError";
    /** A snake_case code for --json output. */
    this.code = more.code ?? "cli_error";
    /** Lines that explain the message, e.g. each bad field of a config. */
    this.details = more.details ?? [];
    this.exitCode = more.exitCode ?? EXIT.failed;
  }
}

/** An error answer of the API: `{ error: { code, message, details? } }` with its HTTP status. */
export class ApiError extends CliError {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {string[]} [details]
   */
  constructor(status, code, message, details = []) {
    super(message, { code, details });
    this.name = "ApiError";
    this.status = status;
    /**
     * How long the API asked to wait before another try (Retry-After), when it said.
     * @type {number | null}
     */
    this.retryAfterMs = null;
  }
}

/**
 * The message of anything thrown, never "[object Object]".
 * @param {unknown} err
 * @returns {string}
 */
export function messageOf(err) {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
