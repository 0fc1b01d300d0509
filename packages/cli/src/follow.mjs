// @ts-check
import { backoff, sleep } from "./api.mjs";
import { ApiError, CliError, EXIT, messageOf } from "./errors.mjs";
import { formatBytes, formatCount, formatDuration } from "./output.mjs";

/** @typedef {import("./api.mjs").ApiClient} ApiClient */
/** @typedef {import("./output.mjs").Output} Output */
/** @typedef {import("./output.mjs").Progress} Progress */

/** @typedef {import("./types.mjs").RunView} RunView */
/** @typedef {import("./types.mjs").IssueView} IssueView */
/** @typedef {import("./types.mjs").Page<IssueView>} IssuePage */

export const ENDED = new Set(["completed", "failed", "cancelled"]);

/** How often a run is asked for its progress. */
const POLL_MS = 400;

/**
 * How long following goes on without an answer from the API before it gives up; a deploy or an
 * outage of a few minutes should not end it (CDP_FOLLOW_GIVE_UP_MS overrides it).
 */
const GIVE_UP_MS = 10 * 60 * 1000;

/** The longest wait between two tries while the API is out of reach. */
const MAX_RETRY_WAIT_MS = 15_000;

function giveUpMs() {
  const set = Number(process.env.CDP_FOLLOW_GIVE_UP_MS || Number.NaN);
  return Number.isSafeInteger(set) && set >= 0 ? set : GIVE_UP_MS;
}

/** How many issues a run's summary shows. */
export const FIRST_ISSUES = 10;

/**
 * Polls a run until it ends, with a progress bar of bytes processed and items at a terminal
 * and a line per change of status elsewhere. Server errors and a lost connection do not end it:
 * it says that contact was lost, tries again for up to 10 minutes, and says when it is back.
 * @param {ApiClient} api
 * @param {Output} out
 * @param {string} runId
 * @returns {Promise<RunView>}
 */
export async function followRun(api, out, runId) {
  /** @type {Progress | null} */
  let bar = null;
  /** @type {RunView | null} */
  let run = null;
  /** A line that stays: above the bar at a terminal, with the status lines elsewhere. */
  const tell = (/** @type {string} */ text) => {
    if (bar && out.interactive) bar.log(text);
    else if (out.interactive || out.json) out.note(text);
    else out.line(text);
  };
  /** @type {Contact} */
  const contact = {
    lost(reason) {
      tell(`Run ${runId}: lost contact with the API (${reason}), retrying...`);
      if (run) bar?.update(run.progress.bytesRead, { status: "lost contact, retrying..." });
    },
    back(ms) {
      tell(`Run ${runId}: back in contact with the API after ${formatDuration(ms)}.`);
    },
  };
  const giveUpAfterMs = giveUpMs();
  const get = () => getRun(api, runId, contact, giveUpAfterMs);
  run = await get();
  bar = out.progress(
    "Importing {bar} {percentage}% | {done} of {size} | {items} items | {status}",
    Math.max(run.progress.bytesTotal, 1),
    payloadOf(run),
  );
  let status = "";
  try {
    for (;;) {
      if (run.status !== status) {
        status = run.status;
        // The summary tells how it ended; a log only needs the steps before.
        if (!out.interactive && !ENDED.has(status)) out.line(`Run ${run.id}: ${status.replace("_", " ")}`);
      }
      if (run.progress.bytesTotal > 0) bar.setTotal(run.progress.bytesTotal);
      bar.update(run.progress.bytesRead, payloadOf(run));
      if (ENDED.has(run.status)) return run;
      await sleep(POLL_MS);
      run = await get();
    }
  } finally {
    bar.stop();
  }
}

/**
 * @typedef {object} Contact What following says when the API is out of reach, and back.
 * @property {(reason: string) => void} lost
 * @property {(ms: number) => void} back after how long
 */

/**
 * The run, asked for until the API answers. Server errors (and 429) and a lost connection are
 * tried again, each wait longer than the last, up to 15 s; after giveUpAfterMs without an answer it
 * gives up with EXIT.lostContact, saying how to follow the run again. Other errors end it at once.
 * @param {ApiClient} api
 * @param {string} runId
 * @param {Contact} contact
 * @param {number} giveUpAfterMs
 * @returns {Promise<RunView>}
 */
async function getRun(api, runId, contact, giveUpAfterMs) {
  const path = `/v1/runs/${encodeURIComponent(runId)}`;
  /** @type {number | null} */
  let lostSince = null;
  for (let attempt = 1; ; attempt++) {
    try {
      // The waits are this loop's own: the client's few quick tries would hide the outage.
      const run = /** @type {RunView} */ (await api.call("GET", path, { retries: 0 }));
      if (lostSince !== null) contact.back(Date.now() - lostSince);
      return run;
    } catch (err) {
      if (!api.isTransient(err)) throw err;
      const now = Date.now();
      if (lostSince === null) {
        lostSince = now;
        contact.lost(err instanceof ApiError ? `HTTP ${err.status}` : "no answer");
      }
      const left = lostSince + giveUpAfterMs - now;
      if (left <= 0) {
        throw new CliError(
          `Gave up following run ${runId}: the API at ${api.url.origin} has been out of reach for ${formatDuration(now - lostSince)}. The run goes on: follow it again with \`cdp-import status ${runId} --watch\`.`,
          { code: "lost_contact", details: [messageOf(err)], exitCode: EXIT.lostContact },
        );
      }
      const wait =
        err instanceof ApiError && err.retryAfterMs !== null
          ? err.retryAfterMs
          : backoff(attempt, MAX_RETRY_WAIT_MS);
      await sleep(Math.min(wait, left));
    }
  }
}

/** @param {RunView} run */
function payloadOf(run) {
  return {
    done: formatBytes(run.progress.bytesRead),
    size: run.progress.bytesTotal > 0 ? formatBytes(run.progress.bytesTotal) : "?",
    items: formatCount(run.stats.itemsRead),
    status: run.status.replace("_", " "),
  };
}

/**
 * 0 for a run that completed with every item valid, 2 when some items were invalid, 1 when it
 * failed or was cancelled; a run still going is no failure.
 * @param {RunView} run
 */
export function exitCodeOf(run) {
  if (run.status === "completed") return run.stats.itemsInvalid > 0 ? EXIT.invalidItems : EXIT.ok;
  if (run.status === "failed" || run.status === "cancelled") return EXIT.failed;
  return EXIT.ok;
}

/**
 * The first issues of a run and how many there are, once it has ended.
 * @param {ApiClient} api
 * @param {RunView} run
 * @returns {Promise<{ items: IssueView[], total: number }>}
 */
export async function firstIssues(api, run) {
  if (!ENDED.has(run.status)) return { items: [], total: 0 };
  const page = /** @type {IssuePage} */ (
    await api.call("GET", `/v1/runs/${encodeURIComponent(run.id)}/issues?limit=${FIRST_ISSUES}`)
  );
  return { items: page.items, total: page.total ?? page.items.length };
}

/**
 * A run's outcome, stats and first issues, for people.
 * @param {Output} out
 * @param {RunView} run
 * @param {{ items: IssueView[], total: number }} issues
 */
export function printRun(out, run, issues) {
  out.line();
  out.line(headline(out, run));
  if (run.error && run.status !== "cancelled") out.line(`  ${run.error.message}`);
  const { stats } = run;
  const rows = [
    ["Rows read", stats.rowsRead],
    ["Items read", stats.itemsRead],
    ["Valid", stats.itemsValid],
    ["Invalid", stats.itemsInvalid],
    [run.dryRun ? "Would add" : "Added", stats.added],
    [run.dryRun ? "Would update" : "Updated", stats.updated],
    ["Unchanged", stats.unchanged],
  ];
  const width = Math.max(...rows.map(([, n]) => formatCount(Number(n)).length));
  for (const [label, n] of rows)
    out.line(`  ${String(label).padEnd(13)}${formatCount(Number(n)).padStart(width)}`);
  if (run.progress.bytesTotal > 0) out.line(`  ${"Bytes".padEnd(13)}${formatBytes(run.progress.bytesTotal)}`);
  if (run.startedAt && run.finishedAt) {
    out.line(
      `  ${"Took".padEnd(13)}${formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))}`,
    );
  }
  printIssues(out, run, issues);
}

/**
 * @param {Output} out
 * @param {RunView} run
 */
function headline(out, run) {
  const dry = run.dryRun ? " (dry run: nothing was written)" : "";
  const name = `Run ${run.id}`;
  switch (run.status) {
    case "completed":
      return run.stats.itemsInvalid > 0
        ? `${name} ${out.style("yellow", `completed with ${formatCount(run.stats.itemsInvalid)} invalid ${plural(run.stats.itemsInvalid, "item")}`)}${dry}.`
        : `${name} ${out.style("green", "completed")}${dry}.`;
    case "failed":
      return `${name} ${out.style("red", "failed")}${dry}.`;
    case "cancelled":
      return `${name} was ${out.style("red", "cancelled")}${dry}.`;
    default:
      return `${name} is ${run.status.replace("_", " ")}${dry}: ${formatBytes(run.progress.bytesRead)} of ${run.progress.bytesTotal > 0 ? formatBytes(run.progress.bytesTotal) : "?"} read.`;
  }
}

/**
 * @param {Output} out
 * @param {RunView} run
 * @param {{ items: IssueView[], total: number }} issues
 */
function printIssues(out, run, issues) {
  if (issues.total === 0) return;
  out.line();
  out.line(
    issues.total > issues.items.length
      ? `${formatCount(issues.total)} issues; the first ${issues.items.length}:`
      : `${formatCount(issues.total)} ${plural(issues.total, "issue")}:`,
  );
  const rowWidth = Math.max(...issues.items.map((i) => String(i.row).length));
  const itemWidth = Math.max(...issues.items.map((i) => (i.item ?? "").length));
  for (const issue of issues.items) {
    const item = itemWidth > 0 ? ` ${(issue.item ?? "").padEnd(itemWidth)}` : "";
    const warning = issue.severity === "error" ? "" : `${issue.severity}: `;
    out.line(
      `  row ${String(issue.row).padEnd(rowWidth)}${item} ${out.style("dim", `[${issue.code}]`)} ${warning}${issue.message}`,
    );
  }
  if (issues.total > issues.items.length) {
    out.line(`All of them as CSV: cdp-import issues ${run.id} --csv > issues.csv`);
  }
}

/**
 * @param {number} n
 * @param {string} word
 */
function plural(n, word) {
  return n === 1 ? word : `${word}s`;
}
