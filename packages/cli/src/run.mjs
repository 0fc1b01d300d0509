// @ts-check
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { CliError, messageOf } from "./errors.mjs";
import { exitCodeOf, firstIssues, followRun, printRun } from "./follow.mjs";
import { fileFormatProblem, isServiceFormat } from "./formats.mjs";
import { formatBytes, formatDuration } from "./output.mjs";

/** @typedef {import("./main.mjs").Context} Context */
/** @typedef {import("./types.mjs").ImportView} ImportView */
/** @typedef {import("./types.mjs").RunView} RunView */
/** @typedef {import("./types.mjs").UploadGrant} UploadGrant */

/**
 * @typedef {object} RunOptions
 * @property {string} [type]
 * @property {string} [format]
 * @property {boolean} [dryRun]
 * @property {boolean} [hashUserIds]
 * @property {string} [transform]
 * @property {string} [import]
 * @property {string} [name]
 * @property {string[]} [option]
 * @property {boolean} [new]
 */

/**
 * `cdp-import run <file>`: upload, create or reuse the import, run it and follow it to the end.
 * Without --import, the import with the same name, type and format is reused (the newest, when
 * several are), unless --new is given: run after run of one file makes one import, not many.
 * @param {Context} ctx
 * @param {string} file
 * @param {RunOptions} opts
 * @returns {Promise<number>} the exit code
 */
export async function runFile(ctx, file, opts) {
  const { api, out } = ctx;
  const size = await fileSize(file);
  const filename = basename(file);

  // Everything that can be checked is checked before the upload: the file may be GBs.
  /** @type {Record<string, unknown> | null} */
  let config = null;
  /** @type {ImportView | null} */
  let existing = null;
  if (opts.import && opts.new) {
    throw new CliError(
      "--new and --import contradict each other: --new creates an import, --import runs one.",
      {
        code: "bad_arguments",
      },
    );
  }
  if (opts.import) {
    const configFlags = [
      opts.transform !== undefined && "--transform",
      (opts.option?.length ?? 0) > 0 && "--option",
      opts.hashUserIds && "--hash-user-ids",
      opts.name !== undefined && "--name",
    ].filter(Boolean);
    if (configFlags.length > 0) {
      throw new CliError(
        `${configFlags.join(", ")} cannot be used with --import: a run of an existing import uses its own configuration (change it with PATCH /v1/imports/${opts.import}).`,
        { code: "bad_arguments" },
      );
    }
    existing = /** @type {ImportView} */ (
      await api.call("GET", `/v1/imports/${encodeURIComponent(opts.import)}`)
    );
    // Said before any byte is sent: an E-goi import reads its contact list, never a file.
    if (isServiceFormat(existing.format)) {
      throw new CliError(
        `Import ${existing.id} reads an E-goi contact list, not a file: start its runs from the dashboard or with POST /v1/imports/${existing.id}/runs.`,
        { code: "bad_arguments" },
      );
    }
    for (const [flag, given, actual] of [
      ["--type", opts.type, existing.type],
      ["--format", opts.format, existing.format],
    ]) {
      if (given !== undefined && given !== actual) {
        throw new CliError(`Import ${existing.id} reads ${actual}, not ${given} (${flag}).`, {
          code: "bad_arguments",
        });
      }
    }
  } else {
    if (!opts.type || !opts.format) {
      throw new CliError(
        "Give the file's --type and --format (or --import <id> to run an existing import).",
        {
          code: "bad_arguments",
        },
      );
    }
    const problem = fileFormatProblem(opts.type, opts.format);
    if (problem) throw new CliError(problem, { code: "unknown_format" });
    const wanted = {
      name: opts.name ?? filename,
      type: opts.type,
      format: opts.format,
      options: { ...parseOptions(opts.option ?? []), ...(opts.hashUserIds ? { hashUserIds: true } : {}) },
      transformations: opts.transform ? await readTransformations(opts.transform) : [],
    };
    config = wanted;
    if (!opts.new) existing = await reusableImport(ctx, wanted);
  }

  const upload = /** @type {UploadGrant} */ (await api.call("POST", "/v1/uploads", { body: { filename } }));
  const source = { type: "upload", key: upload.key };

  /** @type {ImportView} */
  let target;
  let created = false;
  if (existing) {
    target = existing;
    if (!opts.import) {
      out.line(
        `Reusing import ${existing.id} "${existing.name}" (${existing.type}, ${existing.format}): the newest with this name, type and format. --new creates another.`,
      );
    }
  } else {
    // The import is created before the bytes are sent, so that a bad configuration is refused
    // at once rather than after a long upload; the key is the tenant's from POST /v1/uploads on.
    target = /** @type {ImportView} */ (
      await api.call("POST", "/v1/imports", { body: { ...config, source } })
    );
    created = true;
    out.line(`Created import ${target.id} "${target.name}".`);
  }

  ctx.interrupt = {
    note: "Upload stopped; nothing was imported.",
    cleanup: created ? () => deleteQuietly(ctx, target.id) : undefined,
  };
  try {
    await uploadWithProgress(ctx, upload.uploadUrl, file, size);
  } catch (err) {
    // After Ctrl-C the interrupt's cleanup removes the import.
    if (created && !ctx.signal.aborted) await deleteQuietly(ctx, target.id);
    throw err;
  }

  const started = /** @type {RunView} */ (
    await api.call("POST", `/v1/imports/${encodeURIComponent(target.id)}/runs`, {
      body: { dryRun: opts.dryRun ?? false, ...(created ? {} : { source }) },
    })
  );
  ctx.interrupt = {
    note: `Stopped following. Run ${started.id} goes on: follow it with \`cdp-import status ${started.id} --watch\`, or stop it with \`cdp-import runs cancel ${started.id}\`.`,
  };
  out.line(`Started ${opts.dryRun ? "a dry run" : "run"} ${started.id} of import ${target.id}.`);

  const run = await followRun(api, out, started.id);
  ctx.interrupt = null;
  const issues = await firstIssues(api, run);
  out.data({ import: target, run, issues });
  printRun(out, run, issues);
  if (created) out.line(`\nRun it again on another file: cdp-import run <file> --import ${target.id}`);
  return exitCodeOf(run);
}

/**
 * The newest import with the name, type and format of `config`, or null. One whose options or
 * transformations differ from the command's is refused rather than run with settings the command
 * did not give: the command says how to create another (--new) or run that one as it is.
 * @param {Context} ctx
 * @param {{ name: string, type: string, format: string, options: Record<string, unknown>, transformations: unknown[] }} config
 * @returns {Promise<ImportView | null>}
 */
async function reusableImport(ctx, config) {
  /** @type {ImportView[]} */
  const matches = [];
  /** @type {string | null | undefined} */
  let cursor;
  do {
    const query = new URLSearchParams({ limit: "1000", ...(cursor ? { cursor } : {}) });
    const page = /** @type {import("./types.mjs").Page<ImportView>} */ (
      await ctx.api.call("GET", `/v1/imports?${query}`)
    );
    for (const item of page.items) {
      if (item.name === config.name && item.type === config.type && item.format === config.format)
        matches.push(item);
    }
    cursor = page.nextCursor;
  } while (cursor);
  // Newest first, as the API lists them.
  const [newest] = matches;
  if (!newest) return null;
  const differences = [
    canonical(newest.options ?? {}) !== canonical(config.options) &&
      `its options are ${canonical(newest.options ?? {})}, this command's ${canonical(config.options)}`,
    canonical(newest.transformations ?? []) !== canonical(config.transformations) &&
      `its transformations are ${canonical(newest.transformations ?? [])}, this command's ${canonical(config.transformations)}`,
  ].filter(Boolean);
  if (differences.length > 0) {
    throw new CliError(
      `Import ${newest.id} "${newest.name}" (${newest.type}, ${newest.format}) has other settings than this command gives: ${differences.join("; ")}. Run it as it is with --import ${newest.id}, or create another import with --new.`,
      { code: "bad_arguments" },
    );
  }
  return newest;
}

/**
 * JSON with the keys of every object sorted: two settings are the same when their texts are.
 * @param {unknown} value
 * @returns {string}
 */
function canonical(value) {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * @param {Context} ctx
 * @param {string} uploadUrl
 * @param {string} file
 * @param {number} size
 */
async function uploadWithProgress(ctx, uploadUrl, file, size) {
  const { api, out } = ctx;
  const started = Date.now();
  const rate = (/** @type {number} */ sent) =>
    `${formatBytes(sent / Math.max((Date.now() - started) / 1000, 0.001))}/s`;
  if (!out.interactive) out.line(`Uploading ${basename(file)} (${formatBytes(size)})...`);
  const bar = out.progress(
    "Uploading {bar} {percentage}% | {done} of {size} | {rate} | ETA {eta_formatted}",
    Math.max(size, 1),
    { done: formatBytes(0), size: formatBytes(size), rate: "-" },
  );
  try {
    await api.upload(uploadUrl, file, size, {
      signal: ctx.signal,
      onProgress: (sent) => bar.update(sent, { done: formatBytes(sent), rate: rate(sent) }),
    });
    bar.update(Math.max(size, 1), { done: formatBytes(size), rate: rate(size) });
  } finally {
    bar.stop();
  }
  out.line(`Uploaded ${basename(file)}: ${formatBytes(size)} in ${formatDuration(Date.now() - started)}.`);
}

/**
 * The size of a file to upload, or a clear error when there is none.
 * @param {string} file
 */
async function fileSize(file) {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CliError(`${file} is not a file.`, { code: "file_not_found" });
    return info.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (code === "ENOENT") throw new CliError(`File not found: ${file}`, { code: "file_not_found" });
    throw new CliError(`Cannot read ${file}: ${messageOf(err)}`, { code: "file_unreadable" });
  }
}

/**
 * `--option key=value`, repeated, as the config's options; true and false are booleans.
 * @param {string[]} pairs
 * @returns {Record<string, string | boolean>}
 */
export function parseOptions(pairs) {
  /** @type {Record<string, string | boolean>} */
  const options = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      throw new CliError(`--option takes key=value, like --option delimiter=';'; got "${pair}".`, {
        code: "bad_arguments",
      });
    }
    const value = pair.slice(at + 1);
    options[pair.slice(0, at)] = value === "true" ? true : value === "false" ? false : value;
  }
  return options;
}

/**
 * A transformations file: a JSON array, or an object with a "transformations" array (a whole
 * import config works too).
 * @param {string} path
 */
async function readTransformations(path) {
  const parsed = await readJsonFile(path, "transformations file");
  const list = Array.isArray(parsed) ? parsed : parsed?.transformations;
  if (!Array.isArray(list)) {
    throw new CliError(
      `The transformations file ${path} must hold a JSON array of transformations, like [{"op": "delete", "field": "notes"}].`,
      { code: "bad_transformations" },
    );
  }
  return list;
}

/**
 * @param {string} path
 * @param {string} what
 * @returns {Promise<any>}
 */
export async function readJsonFile(path, what) {
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    throw new CliError(
      code === "ENOENT" ? `File not found: ${path}` : `Cannot read the ${what} ${path}: ${messageOf(err)}`,
      { code: code === "ENOENT" ? "file_not_found" : "file_unreadable" },
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`The ${what} ${path} is not valid JSON: ${messageOf(err)}`, { code: "bad_json" });
  }
}

/**
 * Removes an import this command created when its upload did not finish.
 * @param {Context} ctx
 * @param {string} importId
 */
async function deleteQuietly(ctx, importId) {
  try {
    await ctx.api.call("DELETE", `/v1/imports/${encodeURIComponent(importId)}`);
  } catch {
    ctx.out.note(
      `The import ${importId} was created but its upload did not finish; delete it or run it with --import.`,
    );
  }
}
