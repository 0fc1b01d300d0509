// @ts-check
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { ApiClient } from "./api.mjs";
import { CliError, EXIT } from "./errors.mjs";
import {
  cancelRun,
  createImport,
  deleteImport,
  getImport,
  listImports,
  listIssues,
  listRuns,
  showStatus,
} from "./manage.mjs";
import { Output } from "./output.mjs";
import { runFile } from "./run.mjs";
import { DEFAULT_API_URL, resolveSettings } from "./settings.mjs";

/**
 * What every command works with.
 * @typedef {object} Context
 * @property {ApiClient} api
 * @property {Output} out
 * @property {AbortSignal} signal Aborted by Ctrl-C.
 * @property {{ note: string, cleanup?: (() => Promise<void>) | undefined } | null} interrupt
 *   What Ctrl-C says, and undoes, at this point of the command.
 */

/**
 * @typedef {object} GlobalOptions
 * @property {string} [url]
 * @property {string} [key]
 * @property {string} [configFile]
 * @property {boolean} [json]
 * @property {boolean} [debug]
 */

/**
 * @typedef {object} Io
 * @property {NodeJS.WriteStream} stdout
 * @property {NodeJS.WriteStream} stderr
 * @property {NodeJS.ProcessEnv} env
 */

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

const EXAMPLES = `
Examples:
  $ cdp-import run orders.csv --type orders --format velocidi_csv
  $ cdp-import run orders.csv --type orders --format velocidi_csv --dry-run --hash-user-ids
  $ cdp-import run customers.csv --type customers --format csv --option userIdField=email --option userIdType=email
  $ cdp-import run more-orders.csv --import imp_123
  $ cdp-import run orders.csv --type orders --format velocidi_csv --new
  $ cdp-import issues run_123 --csv > issues.csv
  $ cdp-import imports list --json

Exit codes: 0 completed with every item valid, 2 completed with invalid items, 1 failed,
3 lost contact with the API for 10 minutes while following (the run goes on), 130 Ctrl-C.
The URL and key come from --url/--key, else CDP_API_URL/CDP_API_KEY, else the config file
(~/.config/cdp-import/config.json: {"url": "...", "key": "..."}); the URL defaults to ${DEFAULT_API_URL}.`;

/**
 * Runs the CLI on process-style arguments; resolves to the exit code.
 * @param {string[]} argv
 * @param {Io} io
 * @returns {Promise<number>}
 */
export async function main(argv, io) {
  /** @type {number} */
  let exitCode = EXIT.ok;
  const controller = new AbortController();
  /** @type {Output | null} */
  let output = null;
  /** @type {Context | null} */
  let current = null;

  /**
   * Wraps a command: builds its context from the global options and turns errors into messages.
   * Commander calls an action with the command's arguments, its options, then the command.
   * @param {(ctx: Context, ...args: any[]) => Promise<number>} command
   * @returns {(...args: any[]) => Promise<void>}
   */
  const action =
    (command) =>
    async (...args) => {
      const cmd = /** @type {Command} */ (args.at(-1));
      const globals = /** @type {GlobalOptions} */ (cmd.optsWithGlobals());
      const out = new Output({ json: globals.json ?? false, ...io });
      output = out;
      out.hide(globals.key ?? null);
      try {
        const settings = await resolveSettings(globals, io.env);
        /** @type {Context} */
        const ctx = {
          api: new ApiClient(settings, out, { debug: globals.debug ?? false }),
          out,
          signal: controller.signal,
          interrupt: null,
        };
        current = ctx;
        exitCode = await command(ctx, ...args.slice(0, -1));
      } catch (err) {
        out.stopProgress();
        // After Ctrl-C the interrupt handler speaks; an "operation was aborted" adds nothing.
        if (controller.signal.aborted) return;
        out.error(err);
        exitCode = err instanceof CliError ? err.exitCode : EXIT.failed;
      }
    };

  const program = new Command("cdp-import")
    .description("Start and follow offline imports of the customer-data platform, through its public API.")
    .version(version)
    .option("--url <url>", `the API's base URL (env CDP_API_URL; default ${DEFAULT_API_URL})`)
    .option("--key <key>", "the API key (env CDP_API_KEY); never printed")
    .option("--config-file <path>", "a JSON file with url and key (default ~/.config/cdp-import/config.json)")
    .option("--json", "machine-readable JSON on stdout, for scripts")
    .option("--debug", "print each HTTP call on stderr (the key is shown as ***)")
    .addHelpText("after", EXAMPLES)
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command("run")
    .description("upload a file, run an import on it and follow the run to the end")
    .argument("<file>", "the file to import")
    .option("--type <type>", "orders | customers | products")
    .option("--format <format>", "the file's format, e.g. velocidi_csv")
    .option("--dry-run", "validate and count without writing anything")
    .option("--hash-user-ids", "store e-mail and phone ids as their SHA-256")
    .option("--transform <file>", "a JSON file with the transformations to apply")
    .option("--import <id>", "run this existing import on the file instead of creating one")
    .option("--name <name>", "the import's name (default: the file's name)")
    .option("--new", "create a new import even if one has this name, type and format")
    .option("--option <key=value>", "an import option, e.g. delimiter=';' (repeatable)", collect)
    .action(
      action((ctx, /** @type {string} */ file, /** @type {import("./run.mjs").RunOptions} */ opts) =>
        runFile(ctx, file, opts),
      ),
    );

  const imports = program.command("imports").description("list, show, create and delete imports");
  imports
    .command("list")
    .description("list the imports")
    .action(action((ctx) => listImports(ctx)));
  imports
    .command("get")
    .description("show an import's configuration")
    .argument("<id>")
    .action(action((ctx, /** @type {string} */ importId) => getImport(ctx, importId)));
  imports
    .command("create")
    .description("create an import from a JSON configuration (see /docs)")
    .requiredOption("--config <file>", "the import configuration, as JSON")
    .action(action((ctx, /** @type {{ config: string }} */ opts) => createImport(ctx, opts.config)));
  imports
    .command("delete")
    .description("delete an import")
    .argument("<id>")
    .action(action((ctx, /** @type {string} */ importId) => deleteImport(ctx, importId)));

  const runs = program.command("runs").description("list and cancel runs");
  runs
    .command("list")
    .description("list the runs of an import, newest first")
    .argument("<importId>")
    .action(action((ctx, /** @type {string} */ importId) => listRuns(ctx, importId)));
  runs
    .command("cancel")
    .description("cancel a run; it stops at its next chunk")
    .argument("<runId>")
    .action(action((ctx, /** @type {string} */ runId) => cancelRun(ctx, runId)));

  program
    .command("status")
    .description("show a run's status, stats and first issues")
    .argument("<runId>")
    .option("--watch", "follow the run until it ends")
    .action(
      action((ctx, /** @type {string} */ runId, /** @type {{ watch?: boolean }} */ opts) =>
        showStatus(ctx, runId, opts),
      ),
    );

  program
    .command("issues")
    .description("list every issue of a run")
    .argument("<runId>")
    .option("--csv", "the issues as CSV (row,item,field,code,severity,message,value[,column])")
    .action(
      action((ctx, /** @type {string} */ runId, /** @type {{ csv?: boolean }} */ opts) =>
        listIssues(ctx, runId, opts),
      ),
    );

  const onInterrupt = () => {
    controller.abort();
    output?.stopProgress();
    const interrupt = current?.interrupt ?? null;
    Promise.resolve(interrupt?.cleanup?.())
      .catch(() => {})
      .finally(() => {
        if (interrupt) output?.note(interrupt.note);
        process.exit(EXIT.interrupted);
      });
  };
  process.once("SIGINT", onInterrupt);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  return exitCode;
}

/**
 * @param {string} value
 * @param {string[] | undefined} previous
 */
function collect(value, previous) {
  return [...(previous ?? []), value];
}
