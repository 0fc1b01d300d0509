// @ts-check
import { styleText } from "node:util";
import cliProgress from "cli-progress";
import { ApiError, CliError, messageOf } from "./errors.mjs";

/** @typedef {Parameters<typeof styleText>[0]} Style */

/**
 * @typedef {object} Progress
 * @property {(value: number, payload?: Record<string, unknown>) => void} update
 * @property {(total: number) => void} setTotal
 * @property {(text: string) => void} log A line that stays, above the bar; the bar is drawn
 *   again below it at its next change.
 * @property {() => void} stop
 */

/** What a progress bar does when none is shown. */
const NO_PROGRESS = Object.freeze({ update() {}, setTotal() {}, log() {}, stop() {} });

/** Saves the cursor's place (DEC), where the bar goes back to when it stops. */
const SAVE_CURSOR = "\u001b7";

/** Short enough that a key of one or two letters does not blank out every word it appears in. */
const MIN_REDACTED_LENGTH = 4;

/**
 * Everything the CLI writes goes through here: human text or --json on stdout, errors on stderr,
 * progress bars and colour only for a person at a terminal, and never the API key.
 */
export class Output {
  /**
   * @param {{ json: boolean, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, env: NodeJS.ProcessEnv }} io
   */
  constructor(io) {
    this.json = io.json;
    this.stdout = io.stdout;
    this.stderr = io.stderr;
    const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "";
    /** A person watches a terminal: colour and progress bars are welcome. */
    this.interactive = !io.json && Boolean(io.stdout.isTTY) && Boolean(io.stderr.isTTY) && !noColor;
    /** @type {string[]} */
    this.secrets = [];
    /** @type {Set<Progress>} */
    this.bars = new Set();
  }

  /** Ends every progress bar shown, so that a message after Ctrl-C starts on a clean line. */
  stopProgress() {
    for (const bar of this.bars) bar.stop();
  }

  /**
   * Never prints this text, wherever it turns up (an echoed header, an error from a proxy...).
   * @param {string | null} secret
   */
  hide(secret) {
    if (secret) this.secrets.push(secret);
  }

  /** @param {string} text */
  redact(text) {
    let out = text;
    for (const secret of this.secrets) {
      if (secret.length >= MIN_REDACTED_LENGTH) out = out.replaceAll(secret, "***");
    }
    return out;
  }

  /**
   * A line of human output on stdout; nothing under --json.
   * @param {string} [text]
   */
  line(text = "") {
    if (!this.json) this.stdout.write(`${this.redact(text)}\n`);
  }

  /**
   * Raw text on stdout whatever the mode (a CSV download).
   * @param {string} text
   */
  raw(text) {
    this.stdout.write(this.redact(text));
  }

  /**
   * The result of a command under --json.
   * @param {unknown} value
   */
  data(value) {
    if (this.json) this.stdout.write(`${this.redact(JSON.stringify(value, null, 2))}\n`);
  }

  /**
   * A remark for a person, on stderr so that it never mixes with results (--json included).
   * @param {string} text
   */
  note(text) {
    this.stderr.write(`${this.redact(text)}\n`);
  }

  /**
   * An error: a sentence on stderr, and the error envelope on stdout under --json.
   * @param {unknown} err
   */
  error(err) {
    const message = messageOf(err);
    const code = err instanceof CliError ? err.code : "internal_error";
    const details = err instanceof CliError ? err.details : [];
    const lines = [`${this.style("red", "Error:")} ${message}`, ...details.map((d) => `  - ${d}`)];
    this.stderr.write(`${this.redact(lines.join("\n"))}\n`);
    if (this.json) {
      this.stdout.write(
        `${this.redact(
          JSON.stringify(
            {
              error: {
                code,
                message,
                ...(details.length > 0 ? { details } : {}),
                ...(err instanceof ApiError ? { status: err.status } : {}),
              },
            },
            null,
            2,
          ),
        )}\n`,
      );
    }
  }

  /**
   * Coloured text at a terminal, plain text elsewhere.
   * @param {Style} style
   * @param {string} text
   */
  style(style, text) {
    return this.interactive ? styleText(style, text, { validateStream: false }) : text;
  }

  /**
   * A progress bar on stderr, or nothing when no person watches.
   * @param {string} format cli-progress format: {bar}, {percentage}, {eta_formatted} and payload tokens
   * @param {number} total
   * @param {Record<string, unknown>} payload
   * @returns {Progress}
   */
  progress(format, total, payload) {
    if (!this.interactive) return NO_PROGRESS;
    const bar = new cliProgress.SingleBar(
      {
        format,
        stream: this.stderr,
        hideCursor: true,
        barsize: 30,
        etaBuffer: 50,
        fps: 10,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, payload);
    /** @type {Progress} */
    const progress = {
      update: (value, more) => bar.update(value, more ?? {}),
      setTotal: (value) => bar.setTotal(value),
      // The bar's line becomes the text's; the bar moves a line down, its saved place with it.
      log: (text) => this.stderr.write(`\r\u001b[2K${this.redact(text)}\n${SAVE_CURSOR}`),
      stop: () => {
        if (!this.bars.delete(progress)) return;
        bar.stop();
      },
    };
    this.bars.add(progress);
    return progress;
  }
}

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB"];

/**
 * Bytes for people, in powers of 1000: "12.3 MB".
 * @param {number} bytes
 */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** @param {number} count */
export function formatCount(count) {
  return count.toLocaleString("en-US");
}

/** @param {number} ms */
export function formatDuration(ms) {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * Rows as aligned columns, for lists.
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const format = (/** @type {string[]} */ cells) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)].join("\n");
}
