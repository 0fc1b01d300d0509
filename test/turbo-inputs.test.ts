import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/stack";

/**
 * `npm test` runs every package's tests through turbo, which replays a task's last result when
 * its cache key is unchanged. Each file below is changed in a scratch copy of the repository, and
 * `turbo run test typecheck --dry=json` must give a new key to exactly the tasks that read it (a
 * package's tests and types read its dependencies' code, the shared test setup and the
 * migrations; the end-to-end tests read every Worker, the dashboard's scripts, the CLI, the
 * scripts and the README), and keep the others' keys, so that the cache still saves work.
 */

const TURBO = join(ROOT, "node_modules/.bin/turbo");

const APPS = [
  "cdp-store",
  "config-api",
  "dashboard",
  "egoi-sync",
  "ingest",
  "s3-inbox",
  "transform",
  "webhooks",
];
/** The apps that bind the CDP store's shards (their tests run the store Worker beside them). */
const STORE_APPS = ["cdp-store", "config-api", "egoi-sync", "transform"];
/** The apps whose package depends on @cdp/store. */
const CONFIG_STORE_APPS = [
  "config-api",
  "dashboard",
  "egoi-sync",
  "ingest",
  "s3-inbox",
  "transform",
  "webhooks",
];
const name = (pkg: string) => (pkg === "e2e" ? "@cdp/e2e" : `@cdp/${pkg}`);
const tasks = (task: "test" | "typecheck", packages: string[]) => packages.map((p) => `${name(p)}#${task}`);
const both = (packages: string[]) => [...tasks("test", packages), ...tasks("typecheck", packages)];

/** A changed file, and every task whose key must change with it (all others keep theirs). */
const CASES: [string, string[]][] = [
  ["apps/cdp-store/src/shard.ts", [...both(STORE_APPS), "@cdp/e2e#test", "@cdp/e2e#typecheck"]],
  ["apps/config-api/src/index.ts", [...both(["config-api"]), "@cdp/e2e#test"]],
  ["apps/dashboard/src/app.ts", [...both(["dashboard"]), "@cdp/e2e#test"]],
  ["apps/dashboard/public/js/run.js", [...both(["dashboard"]), "@cdp/e2e#test"]],
  ["apps/dashboard/public/styles.css", [...both(["dashboard"]), "@cdp/e2e#test"]],
  ["apps/ingest/src/index.ts", [...both(["ingest"]), "@cdp/e2e#test"]],
  ["apps/ingest/wrangler.jsonc", [...both(["ingest"]), "@cdp/e2e#test"]],
  ["apps/transform/src/chunk.ts", [...both(["transform"]), "@cdp/e2e#test"]],
  ["apps/egoi-sync/src/sync.ts", [...both(["egoi-sync"]), "@cdp/e2e#test"]],
  ["apps/webhooks/src/index.ts", [...both(["webhooks"]), "@cdp/e2e#test"]],
  ["apps/s3-inbox/src/sigv4.ts", [...both(["s3-inbox"]), "@cdp/e2e#test"]],
  ["packages/core/src/index.ts", [...both(["core", "store", ...APPS, "e2e"])]],
  ["packages/core/src/xml.ts", [...both(["core", "store", ...APPS, "e2e"])]],
  ["packages/store/src/runs.ts", [...both(["store", ...CONFIG_STORE_APPS]), "@cdp/e2e#test"]],
  [
    "packages/store/migrations/config/0001_init.sql",
    [...both(["store", ...CONFIG_STORE_APPS]), "@cdp/e2e#test"],
  ],
  ["vitest.shared.ts", tasks("test", ["core", "store", ...APPS])],
  ["test/support/store-bundle.ts", [...tasks("test", ["core", "store", ...APPS]), ...both(["e2e"])]],
  ["test/support/apply-migrations.ts", [...tasks("test", ["core", "store", ...APPS]), ...both(["e2e"])]],
  ["test/fakes/egoi-limits.mjs", [...tasks("test", ["egoi-sync"]), ...both(["e2e"])]],
  ["README.md", ["@cdp/e2e#test"]],
  ["package.json", ["@cdp/e2e#test"]],
  ["scripts/start.mjs", [...both(["e2e"])]],
  ["scripts/lib.mjs", [...both(["e2e"])]],
  ["packages/cli/bin/cdp-import.mjs", ["@cdp/cli#typecheck", "@cdp/e2e#test"]],
  ["packages/cli/src/main.mjs", ["@cdp/cli#typecheck", "@cdp/e2e#test"]],
  ["tsconfig.base.json", tasks("typecheck", ["cli", "core", "store", ...APPS, "e2e"])],
  // A package's own tests: only they run again.
  ["apps/config-api/test/health.test.ts", both(["config-api"])],
  ["packages/core/test/xml.test.ts", both(["core"])],
];

let scratch: string;

/** The cache key of every task that runs a command, by task id. */
function keys(): Map<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TURBO_")));
  const out = execFileSync(TURBO, ["run", "test", "typecheck", "--dry=json"], {
    cwd: scratch,
    env: { ...env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const dry = JSON.parse(out) as { tasks: { taskId: string; hash: string; command: string }[] };
  return new Map(dry.tasks.filter((t) => t.command !== "<NONEXISTENT>").map((t) => [t.taskId, t.hash]));
}

beforeAll(() => {
  // The files git would commit, as they are now in the working tree.
  scratch = mkdtempSync(join(tmpdir(), "cdp-turbo-inputs-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    try {
      cpSync(join(ROOT, file), join(scratch, file));
    } catch (err) {
      // A file deleted in the working tree but not yet from the index.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("turbo's cache keys", () => {
  it("give a new key to exactly the tasks that read a changed file", () => {
    const before = keys();
    expect([...before.keys()]).toEqual(
      expect.arrayContaining([...both(["core", "store", ...APPS, "e2e"]), "@cdp/cli#typecheck"]),
    );
    const wrong: string[] = [];
    for (const [file, expected] of CASES) {
      const path = join(scratch, file);
      const original = readFileSync(path);
      appendFileSync(path, "\n");
      try {
        const after = keys();
        const changed = [...before.keys()].filter((task) => after.get(task) !== before.get(task)).sort();
        const want = [...new Set(expected)].sort();
        if (JSON.stringify(changed) !== JSON.stringify(want))
          wrong.push(`${file}: new keys for ${changed.join(", ") || "nothing"}; expected ${want.join(", ")}`);
      } finally {
        writeFileSync(path, original);
      }
    }
    expect(wrong).toEqual([]);
    // Every file back as it was: every key as it was.
    expect(keys()).toEqual(before);
  });
});
