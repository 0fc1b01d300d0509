// @ts-check
import { sleep } from "./api.mjs";
import { EXIT } from "./errors.mjs";
import { formatBytes, formatCount, formatDuration } from "./output.mjs";

/** @typedef {import("./api.mjs").ApiClient} ApiClient */
/** @typedef {import("./output.mjs").Output} Output */

/** @typedef {import("./types.mjs").RunView} RunView */
/** @typedef {import("./types.mjs").IssueView} IssueView */
/** @typedef {import("./types.mjs").Page<IssueView>} IssuePage */

export const ENDED = new Set(["completed", "failed", "cancelled"]);

/** How often a run is asked for its progress. */
const POLL_MS = 400;

/** How many issues a run's summary shows. */
export const FIRST_ISSUES = 10;

/**
 * Polls a run until it ends, with a progress bar of bytes processed and items at a terminal
 * and a line per change of status elsewhere.
 * @param {ApiClient} api
 * @param {Output} out
 * @param {string} runId
 * @returns {Promise<RunView>}
 */
export async function followRun(api, out, runId) {
  const get = async () =>
    /** @type {RunView} */ (await api.call("GET", `/v1/runs/${encodeURIComponent(runId)}`));
  let run = await get();
  const bar = out.progress(
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
