import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { FORMATS_BY_TYPE } from "@cdp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/client";
import { VELOCIDI_HEADER, velocidiFile } from "../support/files";
import { type Stack, startStack } from "../support/stack";
import {
  type CliResult,
  cli,
  closedPort,
  ESC,
  type Fault,
  faultyProxy,
  scratchDir,
  writeScratch,
} from "./support";

const KEY = "key_cli_0123456789";

let stack: Stack;
let api: ApiClient;
let env: Record<string, string>;
let dir: string;
/** 40 orders, orders 7 and 23 with a total of "12,5". */
let badFile: string;
let cleanFile: string;

beforeAll(async () => {
  stack = await startStack();
  await stack.createTenant("cli", KEY);
  api = new ApiClient(stack.url, KEY);
  env = { CDP_API_URL: stack.url.origin, CDP_API_KEY: KEY };
  dir = await scratchDir();
  badFile = await writeScratch(dir, "orders.csv", velocidiFile(40, { bad: new Set([7, 23]) }));
  // Orders of their own, so that the first run adds them.
  cleanFile = await writeScratch(dir, "clean.csv", velocidiFile(5).replaceAll(/^or(\d+),/gm, "clean$1,"));
});
afterAll(() => stack?.close());

/** Nothing a script or a log would choke on: no colour codes, no progress-bar redraws. */
function expectPlain(result: CliResult) {
  expect(result.stdout).not.toContain(ESC);
  expect(result.stderr).not.toContain(ESC);
  expect(result.stderr).not.toContain("\r");
}

/** The physical line of an order's first row in velocidiFile (header = 1; order i has (i % 3) + 1 rows). */
function firstRowOf(order: number): number {
  let row = 2;
  for (let i = 1; i < order; i++) row += (i % 3) + 1;
  return row;
}

describe("cdp-import run", () => {
  it("imports a file with bad rows: exit 2, the stats and the first issues, in plain text", async () => {
    const result = await cli(["run", badFile, "--type", "orders", "--format", "velocidi_csv"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(2);
    expectPlain(result);
    expect(result.stdout).toMatch(/Created import imp_\S+ "orders\.csv"\./);
    expect(result.stdout).toMatch(/Uploading orders\.csv \(\d+(\.\d)? kB\)\.\.\./);
    expect(result.stdout).toMatch(/Run run_\S+ completed with 2 invalid items\./);
    expect(result.stdout).toMatch(/Items read\s+40\n/);
    expect(result.stdout).toMatch(/Valid\s+38\n/);
    expect(result.stdout).toMatch(/Invalid\s+2\n/);
    expect(result.stdout).toMatch(/Added\s+38\n/);
    expect(result.stdout).toContain("2 issues:");
    expect(result.stdout).toMatch(
      new RegExp(`row ${firstRowOf(7)}\\s+or7\\s+\\[invalid_number\\] "total" must be a number`),
    );
    expect(result.stdout).toMatch(new RegExp(`row ${firstRowOf(23)}\\s+or23\\s+\\[invalid_number\\]`));
  });

  it("imports a clean file: exit 0", async () => {
    const result = await cli(["run", cleanFile, "--type", "orders", "--format", "velocidi_csv"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Run run_\S+ completed\./);
    expect(result.stdout).toMatch(/Added\s+5\n/);
    expect(result.stdout).not.toContain("issues");
    expectPlain(result);
  });

  it("uploads a file larger than one part in parts, and imports it whole", async () => {
    // 8 orders whose rows carry a long note (a column the format ignores): about 12 MB.
    const note = "n".repeat(500_000);
    const rows = velocidiFile(8)
      .replaceAll(/^or(\d+),/gm, "parts$1,")
      .trimEnd()
      .split("\n");
    const content = `${rows[0]},note\n${rows
      .slice(1)
      .map((row) => `${row},${note}`)
      .join("\n")}\n`;
    const large = await writeScratch(dir, "large.csv", content);
    const result = await cli(["run", large, "--type", "orders", "--format", "velocidi_csv", "--debug"], {
      ...env,
      CDP_UPLOAD_PART_BYTES: String(5 * 1024 * 1024),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Added\s+8\n/);
    // Three parts of at most 5 MiB, each one request, then the completion.
    const puts = result.stderr.match(/→ PUT \S+\/uploads\/\S+ \((\d+) bytes/g) ?? [];
    expect(puts).toHaveLength(Math.ceil(Buffer.byteLength(content) / (5 * 1024 * 1024)));
    expect(result.stderr).not.toMatch(/sig=/);
    const runId = /Run (run_\S+) completed/.exec(result.stdout)?.[1];
    const run = await api.call<{ progress: { bytesTotal: number } }>("GET", `/v1/runs/${runId}`);
    expect(run.body.progress.bytesTotal).toBe(Buffer.byteLength(content));
    expect((await api.call("GET", "/v1/orders/parts8")).status).toBe(200);
  });

  it("--json prints only the run, its import and issues as JSON; the import is reused with --import and --dry-run", async () => {
    const first = await cli(
      [
        "run",
        badFile,
        "--type",
        "orders",
        "--format",
        "velocidi_csv",
        "--hash-user-ids",
        "--name",
        "Nightly",
        "--json",
      ],
      env,
    );
    expect(first.code).toBe(2);
    expect(first.stderr).toBe("");
    const body = JSON.parse(first.stdout);
    expect(body.import).toMatchObject({ name: "Nightly", type: "orders", options: { hashUserIds: true } });
    expect(body.run).toMatchObject({
      importId: body.import.id,
      status: "completed",
      dryRun: false,
      stats: { itemsRead: 40, itemsValid: 38, itemsInvalid: 2 },
    });
    expect(body.issues.total).toBe(2);
    expect(body.issues.items.map((i: { item: string }) => i.item)).toEqual(["or7", "or23"]);

    // The same import on another file, as a dry run: the one-off source is the new file.
    const again = await cli(["run", cleanFile, "--import", body.import.id, "--dry-run", "--json"], env);
    expect(again.code).toBe(0);
    const rerun = JSON.parse(again.stdout);
    expect(rerun.run).toMatchObject({ importId: body.import.id, dryRun: true, stats: { itemsRead: 5 } });
    const stored = await api.call<{ source: { key: string } }>("GET", `/v1/imports/${body.import.id}`);
    expect(stored.body.source.key).toMatch(/orders\.csv$/);
  });

  it("reuses the import with the same name, type and format, and says so; --new makes another", async () => {
    const file = await writeScratch(dir, "reuse.csv", velocidiFile(2).replaceAll(/^or(\d+),/gm, "reuse$1,"));
    const args = ["run", file, "--type", "orders", "--format", "velocidi_csv"];
    const first = await cli(args, env);
    expect(first.code).toBe(0);
    const id = /Created import (imp_\S+) "reuse\.csv"\./.exec(first.stdout)?.[1] ?? "";
    expect(id).not.toBe("");

    const second = await cli(args, env);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("Created import");
    expect(second.stdout).toContain(
      `Reusing import ${id} "reuse.csv" (orders, velocidi_csv): the newest with this name, type and format. --new creates another.`,
    );
    expect(second.stdout).toMatch(new RegExp(`Started run run_\\S+ of import ${id}\\.`));
    expect(second.stdout).toMatch(/Unchanged\s+2\n/);

    // Other settings than the import's are not run silently with the import's own.
    const hashed = await cli([...args, "--hash-user-ids"], env);
    expect(hashed.code).toBe(1);
    expect(hashed.stderr).toBe(
      `Error: Import ${id} "reuse.csv" (orders, velocidi_csv) has other settings than this command gives: its options are {}, this command's {"hashUserIds":true}. Run it as it is with --import ${id}, or create another import with --new.\n`,
    );

    const fresh = await cli([...args, "--new", "--hash-user-ids"], env);
    expect(fresh.code).toBe(0);
    const freshId = /Created import (imp_\S+) "reuse\.csv"\./.exec(fresh.stdout)?.[1];
    expect(freshId).toBeDefined();
    expect(freshId).not.toBe(id);
    // The newest of the two is reused from now on.
    const third = await cli([...args, "--hash-user-ids", "--json"], env);
    expect(JSON.parse(third.stdout).import.id).toBe(freshId);

    const imports = await api.call<{ items: { name: string }[] }>("GET", "/v1/imports?limit=1000");
    expect(imports.body.items.filter((i) => i.name === "reuse.csv")).toHaveLength(2);
    const both = await cli([...args, "--new", "--import", id], env);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("--new and --import contradict each other");
  });

  it("applies --transform and --option to the import it creates", async () => {
    const renamed = velocidiFile(3)
      .replace(VELOCIDI_HEADER, VELOCIDI_HEADER.replace("orderId", "order_number"))
      .replaceAll("Men;Shirts", "Men");
    const file = await writeScratch(dir, "semicolons.csv", renamed.replaceAll(",", ";"));
    const transform = await writeScratch(
      dir,
      "t.json",
      JSON.stringify([{ op: "rename", from: "order_number", to: "orderId" }]),
    );
    const result = await cli(
      [
        "run",
        file,
        "--type",
        "orders",
        "--format",
        "velocidi_csv",
        "--transform",
        transform,
        "--option",
        "delimiter=;",
        "--json",
      ],
      env,
    );
    const body = JSON.parse(result.stdout);
    expect(body.import).toMatchObject({
      options: { delimiter: ";" },
      transformations: [{ op: "rename", from: "order_number", to: "orderId" }],
    });
    expect(body.run.stats).toMatchObject({ itemsRead: 3, itemsInvalid: 0 });
    expect(result.code).toBe(0);
  });

  it("Ctrl-C stops following, not the run, and says how to follow it again", async () => {
    const big = await writeScratch(dir, "big.csv", velocidiFile(6000).replaceAll(/^or(\d+),/gm, "big$1,"));
    const result = await cli(["run", big, "--type", "orders", "--format", "velocidi_csv"], env, {
      interruptWhen: (stdout) => stdout.includes("Started run"),
    });
    expect(result.code).toBe(130);
    const runId = /Started run (run_\S+) /.exec(result.stdout)?.[1] ?? "";
    expect(result.stderr).toContain(
      `Stopped following. Run ${runId} goes on: follow it with \`cdp-import status ${runId} --watch\``,
    );
    const watched = await cli(["status", runId, "--watch"], env);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/Added\s+6,000\n/);
  });

  it("a run that fails exits 1 and says why", async () => {
    const file = await writeScratch(dir, "not-orders.csv", "name,colour\nmug,blue\n");
    const result = await cli(["run", file, "--type", "orders", "--format", "velocidi_csv"], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Run run_\S+ failed\./);
    const run = await api.call<{ items: { error: { message: string } }[] }>(
      "GET",
      `/v1/imports/${/imp_\S+/.exec(result.stdout)?.[0]}/runs`,
    );
    const message = run.body.items[0]?.error.message ?? "(no error message)";
    expect(result.stdout).toContain(message);
  });
});

/** The poll of a run being followed: GET /v1/runs/<id>. */
function isRunPoll(req: IncomingMessage): boolean {
  return req.method === "GET" && /^\/v1\/runs\/[^/?]+$/.test(req.url ?? "");
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe("cdp-import following through API outages", () => {
  it("keeps following through 502s and a short outage, says when contact is lost and back, and ends as usual", async () => {
    const file = await writeScratch(
      dir,
      "outage.csv",
      velocidiFile(5).replaceAll(/^or(\d+),/gm, "outage$1,"),
    );
    // The run's first two polls meet a gateway's 502, the two after get no answer at all (a small
    // run may well end meanwhile: following must still see it through).
    const faults: Fault[] = ["502", "502", "drop", "drop"];
    let polls = 0;
    const proxy = await faultyProxy(stack.url, (req) =>
      isRunPoll(req) ? (faults[polls++] ?? "pass") : "pass",
    );
    try {
      const result = await cli(["run", file, "--type", "orders", "--format", "velocidi_csv"], {
        ...env,
        CDP_API_URL: proxy.url.origin,
      });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(polls).toBeGreaterThan(faults.length);
      const runId = /Started run (run_\S+) /.exec(result.stdout)?.[1] ?? "(no run)";
      // One line when contact is lost, one when it is back: not one per failed try.
      expect(result.stdout).toContain(`Run ${runId}: lost contact with the API (HTTP 502), retrying...\n`);
      expect(result.stdout).toMatch(
        new RegExp(`Run ${runId}: back in contact with the API after \\d+\\.\\d s\\.\\n`),
      );
      expect(count(result.stdout, "lost contact")).toBe(1);
      expect(count(result.stdout, "back in contact")).toBe(1);
      expect(result.stdout).toMatch(/Run run_\S+ completed\./);
      expect(result.stdout).toMatch(/Added\s+5\n/);
      expectPlain(result);
    } finally {
      await proxy.close();
    }
  });

  it("gives up when the API stays out of reach: exit 3, not a failed run's 1, and how to follow it again", async () => {
    const file = await writeScratch(dir, "gone.csv", velocidiFile(5).replaceAll(/^or(\d+),/gm, "gone$1,"));
    // Once the run has started the API is gone: no request gets an answer.
    let started = false;
    const gone = await faultyProxy(stack.url, (req) => {
      started ||= isRunPoll(req);
      return started ? "drop" : "pass";
    });
    const giveUpSoon = { CDP_FOLLOW_GIVE_UP_MS: "1500" };
    let runId = "(no run)";
    try {
      const result = await cli(["run", file, "--type", "orders", "--format", "velocidi_csv"], {
        ...env,
        ...giveUpSoon,
        CDP_API_URL: gone.url.origin,
      });
      expect(result.code).toBe(3);
      runId = /Started run (run_\S+) /.exec(result.stdout)?.[1] ?? runId;
      expect(result.stdout).toContain(`Run ${runId}: lost contact with the API (no answer), retrying...\n`);
      expect(result.stdout).not.toContain("back in contact");
      expect(result.stderr).toContain(
        `Gave up following run ${runId}: the API at ${gone.url.origin} has been out of reach for`,
      );
      expect(result.stderr).toContain(
        `The run goes on: follow it again with \`cdp-import status ${runId} --watch\`.`,
      );
      expectPlain(result);
    } finally {
      await gone.close();
    }

    // A gateway that only answers 502: `status --watch` gives up the same way, in JSON for scripts.
    const broken = await faultyProxy(stack.url, () => "502");
    try {
      const watched = await cli(["status", runId, "--watch", "--json"], {
        ...env,
        ...giveUpSoon,
        CDP_API_URL: broken.url.origin,
      });
      expect(watched.code).toBe(3);
      expect(JSON.parse(watched.stdout)).toMatchObject({ error: { code: "lost_contact" } });
      expect(watched.stderr).toContain(`Run ${runId}: lost contact with the API (HTTP 502), retrying...\n`);
      expect(watched.stderr).toContain(`follow it again with \`cdp-import status ${runId} --watch\``);
    } finally {
      await broken.close();
    }

    // The run did go on: followed again once the API is back, it has completed.
    const again = await cli(["status", runId, "--watch"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Added\s+5\n/);
  });

  it("an answer that is no outage (a refused key, an unknown run) still ends following at once with 1", async () => {
    // Every request the CLI sends goes through this proxy, which counts them: one answer, no retry.
    const asked: string[] = [];
    const counting = await faultyProxy(stack.url, (req) => {
      asked.push(`${req.method} ${req.url}`);
      return "pass";
    });
    try {
      const through = { ...env, CDP_API_URL: counting.url.origin };
      const unknown = await cli(["status", "run_does_not_exist", "--watch"], through);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe("Error: No run 'run_does_not_exist'.\n");
      expect(asked).toEqual(["GET /v1/runs/run_does_not_exist"]);
      const refused = await cli(["status", "run_does_not_exist", "--watch"], {
        ...through,
        CDP_API_KEY: "key_wrong_0a1b2c",
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("the API key was refused");
      expect(asked).toEqual(["GET /v1/runs/run_does_not_exist", "GET /v1/runs/run_does_not_exist"]);
      expect(`${unknown.stdout}${refused.stdout}${refused.stderr}`).not.toContain("lost contact");
    } finally {
      await counting.close();
    }
  });
});

describe("cdp-import errors", () => {
  it("a refused key says so and exits 1, without printing the key, even with --debug", async () => {
    const wrong = "key_wrong_9f8e7d6c5b";
    for (const args of [
      ["imports", "list"],
      ["imports", "list", "--debug"],
      ["imports", "list", "--json"],
    ]) {
      const result = await cli(args, { ...env, CDP_API_KEY: wrong });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("the API key was refused");
      expect(result.stderr).toContain("CDP_API_KEY");
      expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
    }
    const debug = await cli(["imports", "list", "--debug", "--key", wrong], env);
    expect(debug.stderr).toContain("Bearer ***");
    expect(debug.stderr).toContain("the API key was refused");
    expect(`${debug.stdout}${debug.stderr}`).not.toContain(wrong);
    const json = await cli(["imports", "list", "--json"], { ...env, CDP_API_KEY: wrong });
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: "unauthorized", status: 401 } });
  });

  it("an unreachable API asks whether `npm start` is running", async () => {
    const port = await closedPort();
    const result = await cli(["imports", "list"], { ...env, CDP_API_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Could not reach the API at http://127.0.0.1:${port}: is \`npm start\` running?`,
    );
    expect(result.stderr).not.toContain(KEY);
  });

  it("refuses to run an E-goi import on a file before uploading anything", async () => {
    const egoi = await api.createImport({
      name: "E-goi list",
      type: "customers",
      format: "egoi_contacts",
      source: { type: "egoi", apiKey: "egoi-key", listId: 7 },
    });
    const result = await cli(["run", cleanFile, "--import", egoi], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Error: Import ${egoi} reads an E-goi contact list, not a file: start its runs from the dashboard or with POST /v1/imports/${egoi}/runs.\n`,
    );
    expect(result.stdout).not.toMatch(/upload/i);
    const runs = await api.call<{ items: unknown[] }>("GET", `/v1/imports/${egoi}/runs`);
    expect(runs.body.items).toEqual([]);
  });

  it("a missing file is named, and nothing is created", async () => {
    const before = await api.call<{ items: unknown[] }>("GET", "/v1/imports?limit=1000");
    const missing = join(dir, "no-such-file.csv");
    const result = await cli(["run", missing, "--type", "orders", "--format", "velocidi_csv"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: File not found: ${missing}\n`);
    const after = await api.call<{ items: unknown[] }>("GET", "/v1/imports?limit=1000");
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it("an option the API does not know is refused with the name it was likely meant to be, before any upload", async () => {
    const before = await api.call<{ items: unknown[] }>("GET", "/v1/imports?limit=1000");
    const result = await cli(
      [
        "run",
        cleanFile,
        "--type",
        "orders",
        "--format",
        "velocidi_csv",
        "--new",
        "--option",
        "hashUserIDs=true",
      ],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"options.hashUserIDs" (did you mean "hashUserIds"?)');
    expect(result.stdout).not.toContain("Uploading");
    const after = await api.call<{ items: unknown[] }>("GET", "/v1/imports?limit=1000");
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it("an unknown format lists the valid formats of the type, the API's own list", async () => {
    for (const [type, formats] of Object.entries(FORMATS_BY_TYPE)) {
      const result = await cli(["run", cleanFile, "--type", type, "--format", "velocidi_xml"], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `'velocidi_xml' is not a format of ${type} imports. The formats are: ${formats.join(", ")}.`,
      );
    }
    // A config file goes to the API as it is; its answer is shown as it is.
    const config = await writeScratch(
      dir,
      "bad-format.json",
      JSON.stringify({
        name: "x",
        type: "orders",
        format: "csv",
        source: { type: "url", url: "https://a.example/x" },
      }),
    );
    const created = await cli(["imports", "create", "--config", config], env);
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(
      "'csv' is not a format of orders imports; use one of: velocidi_csv, shopify_csv",
    );
  });
});

describe("cdp-import imports, runs, status and issues", () => {
  it("creates, lists, shows and deletes an import", async () => {
    const key = await api.upload("orders.csv", velocidiFile(2));
    const config = await writeScratch(
      dir,
      "import.json",
      JSON.stringify({
        name: "From a config",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "upload", key },
      }),
    );
    const created = await cli(["imports", "create", "--config", config, "--json"], env);
    expect(created.code).toBe(0);
    const id: string = JSON.parse(created.stdout).id;
    expect(id).toMatch(/^imp_/);

    const list = await cli(["imports", "list"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+TYPE\s+FORMAT\s+SOURCE\s+LAST RUN\n/);
    expect(list.stdout).toMatch(
      new RegExp(`${id}\\s+From a config\\s+orders\\s+velocidi_csv\\s+upload\\s+never`),
    );
    const listed = JSON.parse((await cli(["imports", "list", "--json"], env)).stdout);
    expect(listed.items.map((i: { id: string }) => i.id)).toContain(id);

    const got = await cli(["imports", "get", id, "--json"], env);
    expect(JSON.parse(got.stdout)).toMatchObject({
      id,
      name: "From a config",
      source: { type: "upload", key },
    });

    const deleted = await cli(["imports", "delete", id], env);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(`Deleted import ${id}.\n`);
    const gone = await cli(["imports", "get", id], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`No import '${id}'`);
  });

  it("lists runs, shows a run's status, and prints its issues as CSV", async () => {
    const ran = JSON.parse(
      (await cli(["run", badFile, "--type", "orders", "--format", "velocidi_csv", "--json"], env)).stdout,
    );
    const runId: string = ran.run.id;

    const runs = await cli(["runs", "list", ran.import.id], env);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`${runId}\\s+completed\\s+manual\\s+no\\s+38\\s+2\\s`));

    const status = await cli(["status", runId], env);
    expect(status.code).toBe(2);
    expect(status.stdout).toMatch(/completed with 2 invalid items/);
    const unknown = await cli(["status", "run_does_not_exist"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("Error: No run 'run_does_not_exist'.\n");
    const watched = await cli(["status", runId, "--watch", "--json"], env);
    expect(watched.code).toBe(2);
    expect(JSON.parse(watched.stdout).run).toMatchObject({ id: runId, status: "completed" });

    const cancel = await cli(["runs", "cancel", runId], env);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toBe("Error: The run has already ended: it is completed.\n");

    const csv = await cli(["issues", runId, "--csv"], env);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe("row,item,field,code,severity,message,value");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 5).join(","))).toEqual([
      `${firstRowOf(7)},or7,total,invalid_number,error`,
      `${firstRowOf(23)},or23,total,invalid_number,error`,
    ]);
    const table = await cli(["issues", runId], env);
    expect(table.stdout).toMatch(/^ROW\s+ITEM\s+FIELD\s+CODE\s+SEVERITY\s+MESSAGE\n/);
    expect(table.stdout).toMatch(
      new RegExp(`${firstRowOf(7)}\\s+or7\\s+total\\s+invalid_number\\s+error\\s+"total"`),
    );
    expectPlain(table);
  });
});

describe("cdp-import configuration", () => {
  it("takes the URL and key from flags over the environment over the config file", async () => {
    const port = await closedPort();
    const good = await writeScratch(dir, "good.json", JSON.stringify({ url: stack.url.origin, key: KEY }));
    const fromFile = await cli(["imports", "list", "--config-file", good], {});
    expect(fromFile.code).toBe(0);

    // The environment wins over the file...
    const envWins = await cli(["imports", "list", "--config-file", good], {
      CDP_API_URL: `http://127.0.0.1:${port}`,
    });
    expect(envWins.stderr).toContain(`Could not reach the API at http://127.0.0.1:${port}`);
    // ...and flags over the environment.
    const flagsWin = await cli(["imports", "list", "--url", stack.url.origin, "--key", KEY], {
      CDP_API_URL: `http://127.0.0.1:${port}`,
      CDP_API_KEY: "key_not_this_one",
    });
    expect(flagsWin.code).toBe(0);

    const missing = await cli(["imports", "list", "--config-file", join(dir, "none.json")], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Could not read the config file ${join(dir, "none.json")}`);

    const noKey = await cli(["imports", "list"], { CDP_API_URL: stack.url.origin });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("No API key: pass --key, set CDP_API_KEY");
  });
});
