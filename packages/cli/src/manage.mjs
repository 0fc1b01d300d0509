// @ts-check
import { EXIT } from "./errors.mjs";
import { exitCodeOf, firstIssues, followRun, printRun } from "./follow.mjs";
import { formatCount, table } from "./output.mjs";
import { readJsonFile } from "./run.mjs";

/** @typedef {import("./main.mjs").Context} Context */
/** @typedef {import("./types.mjs").ImportView} ImportView */
/** @typedef {import("./types.mjs").RunView} RunView */
/** @typedef {import("./types.mjs").IssueView} IssueView */

const id = encodeURIComponent;

/** @param {Context} ctx */
export async function listImports({ api, out }) {
  const { items } = /** @type {{ items: ImportView[] }} */ (await api.all("/v1/imports"));
  out.data({ items });
  if (items.length === 0) {
    out.line("No imports yet: start one with `cdp-import run <file> --type orders --format velocidi_csv`.");
    return EXIT.ok;
  }
  out.line(
    table(
      ["ID", "NAME", "TYPE", "FORMAT", "SOURCE", "LAST RUN"],
      items.map((i) => [
        i.id,
        i.name,
        i.type,
        i.format,
        i.source?.type ?? "",
        i.lastRun ? `${i.lastRun.status} ${i.lastRun.createdAt}` : "never",
      ]),
    ),
  );
  return EXIT.ok;
}

/**
 * @param {Context} ctx
 * @param {string} importId
 */
export async function getImport({ api, out }, importId) {
  const record = await api.call("GET", `/v1/imports/${id(importId)}`);
  out.data(record);
  out.line(JSON.stringify(record, null, 2));
  return EXIT.ok;
}

/**
 * @param {Context} ctx
 * @param {string} configFile
 */
export async function createImport({ api, out }, configFile) {
  const config = await readJsonFile(configFile, "import configuration");
  const record = /** @type {ImportView} */ (await api.call("POST", "/v1/imports", { body: config }));
  out.data(record);
  out.line(`Created import ${record.id} "${record.name}" (${record.type}, ${record.format}).`);
  out.line(`Run it: cdp-import run <file> --import ${record.id}`);
  return EXIT.ok;
}

/**
 * @param {Context} ctx
 * @param {string} importId
 */
export async function deleteImport({ api, out }, importId) {
  await api.call("DELETE", `/v1/imports/${id(importId)}`);
  out.data({ deleted: importId });
  out.line(`Deleted import ${importId}.`);
  return EXIT.ok;
}

/**
 * @param {Context} ctx
 * @param {string} importId
 */
export async function listRuns({ api, out }, importId) {
  const { items } = /** @type {{ items: RunView[] }} */ (await api.all(`/v1/imports/${id(importId)}/runs`));
  out.data({ items });
  if (items.length === 0) {
    out.line(`Import ${importId} has not run yet.`);
    return EXIT.ok;
  }
  out.line(
    table(
      ["ID", "STATUS", "TRIGGER", "DRY RUN", "VALID", "INVALID", "CREATED"],
      items.map((r) => [
        r.id,
        r.status,
        r.trigger,
        r.dryRun ? "yes" : "no",
        formatCount(r.stats.itemsValid),
        formatCount(r.stats.itemsInvalid),
        r.createdAt,
      ]),
    ),
  );
  return EXIT.ok;
}

/**
 * @param {Context} ctx
 * @param {string} runId
 */
export async function cancelRun({ api, out }, runId) {
  const run = /** @type {RunView} */ (await api.call("POST", `/v1/runs/${id(runId)}/cancel`));
  out.data(run);
  out.line(`Run ${run.id} is ${run.status}.`);
  return EXIT.ok;
}

/**
 * `status <runId> [--watch]`: the exit code says how an ended run went, as `run`'s does.
 * @param {Context} ctx
 * @param {string} runId
 * @param {{ watch?: boolean }} opts
 */
export async function showStatus(ctx, runId, opts) {
  const { api, out } = ctx;
  if (opts.watch) {
    ctx.interrupt = { note: `Stopped watching. Run ${runId} goes on.` };
  }
  const run = opts.watch
    ? await followRun(api, out, runId)
    : /** @type {RunView} */ (await api.call("GET", `/v1/runs/${id(runId)}`));
  ctx.interrupt = null;
  const issues = await firstIssues(api, run);
  out.data({ run, issues });
  printRun(out, run, issues);
  return exitCodeOf(run);
}

/**
 * `issues <runId> [--csv]`: every issue of a run; the CSV is streamed as the API sends it.
 * @param {Context} ctx
 * @param {string} runId
 * @param {{ csv?: boolean }} opts
 */
export async function listIssues({ api, out }, runId, opts) {
  if (opts.csv) {
    const res = await api.fetch("GET", `/v1/runs/${id(runId)}/issues?format=csv`);
    const decoder = new TextDecoder();
    if (res.body) {
      for await (const chunk of res.body) out.raw(decoder.decode(chunk, { stream: true }));
    }
    out.raw(decoder.decode());
    return EXIT.ok;
  }
  const { items, total } = /** @type {{ items: IssueView[], total: number }} */ (
    await api.all(`/v1/runs/${id(runId)}/issues`)
  );
  out.data({ items, total });
  if (items.length === 0) {
    out.line(`Run ${runId} has no issues.`);
    return EXIT.ok;
  }
  out.line(
    table(
      ["ROW", "ITEM", "FIELD", "CODE", "SEVERITY", "MESSAGE"],
      items.map((i) => [String(i.row), i.item ?? "", i.field ?? "", i.code, i.severity, i.message]),
    ),
  );
  if (total > items.length) {
    out.line(`The run found ${formatCount(total)} issues; the first ${formatCount(items.length)} were kept.`);
  }
  return EXIT.ok;
}
