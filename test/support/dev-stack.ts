import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portableConfig } from "../../scripts/lib.mjs";
import { APPS_BY_NAME } from "./apps";
import { ROOT, TEST_SECRETS } from "./stack";

const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
type App = keyof typeof APPS_BY_NAME;

/**
 * Each Worker's wrangler.jsonc, with its paths made absolute and `vars` over its own, in a folder
 * of its own next to a .dev.vars of the test secrets: `wrangler dev` reads vars of every Worker
 * (not only the first) from there.
 */
function writeConfigs(dir: string, vars: Partial<Record<App, Record<string, string>>>): string[] {
  return Object.keys(APPS_BY_NAME).map((app) => {
    const config = portableConfig(app);
    config.vars = { ...config.vars, ALLOW_PRIVATE_SOURCES: "true", ...vars[app as App] };
    const out = join(dir, app);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "wrangler.json"), JSON.stringify(config, null, 2));
    writeFileSync(
      join(out, ".dev.vars"),
      Object.entries(TEST_SECRETS)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join("\n"),
    );
    return join(out, "wrangler.json");
  });
}

function exec(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(WRANGLER, args, { cwd: ROOT, env: { ...process.env, CI: "true" } });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", fail);
    child.on("close", (code) =>
      code === 0 ? done(output) : fail(new Error(`wrangler ${args.join(" ")}: ${code}\n${output}`)),
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

export interface DevStack {
  url: URL;
  /** Where D1, R2 and the queues' state persist; the next start on it continues from there. */
  persistTo: string;
  /** Kills wrangler and workerd at once (SIGKILL to their process group): nothing is flushed. */
  kill(): Promise<void>;
  /** The last 50 kB of what wrangler and the Workers printed. */
  output(): string;
  /** Fires the Cron Trigger (config-api's scheduled handler) now. */
  scheduled(): Promise<void>;
}

export interface DevStackOptions {
  vars?: Partial<Record<App, Record<string, string>>>;
  /** The state of an earlier stack to continue from; a new folder when absent. */
  persistTo?: string;
  tenants?: [id: string, key: string][];
}

/**
 * The real `wrangler dev` with every Worker (as `npm start` runs it), on persisted local state,
 * for what the test harness cannot do: stop the runtime abruptly and start it again on the same
 * D1 and R2.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "cdp-state-"));
  const configs = writeConfigs(mkdtempSync(join(tmpdir(), "cdp-config-")), options.vars ?? {});
  const [apiConfig = ""] = configs;
  await exec([
    "d1",
    "migrations",
    "apply",
    "cdp-config",
    "--local",
    "--persist-to",
    persistTo,
    "-c",
    apiConfig,
  ]);
  const now = new Date().toISOString();
  for (const [id, key] of options.tenants ?? []) {
    const hash = createHash("sha256").update(key).digest("hex");
    await exec([
      "d1",
      "execute",
      "cdp-config",
      "--local",
      "--persist-to",
      persistTo,
      "-c",
      apiConfig,
      "--command",
      `INSERT INTO tenants (id, name, created_at) VALUES ('${id}', '${id}', '${now}') ON CONFLICT DO NOTHING;
       INSERT INTO api_keys (key_hash, tenant_id, prefix, created_at) VALUES ('${hash}', '${id}', '${key.slice(0, 8)}', '${now}') ON CONFLICT DO NOTHING;`,
    ]);
  }
  const port = await freePort();
  const args = ["dev", ...configs.flatMap((c) => ["-c", c]), "--ip", "127.0.0.1", "--port", String(port)];
  args.push("--persist-to", persistTo, "--test-scheduled", "--show-interactive-dev-session=false");
  const dev: ChildProcess = spawn(WRANGLER, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  let output = "";
  const keep = (d: Buffer) => {
    output = (output + d).slice(-50_000);
  };
  dev.stdout?.on("data", keep);
  dev.stderr?.on("data", keep);
  const exited = new Promise((r) => dev.once("exit", r));
  const kill = async () => {
    if (dev.exitCode !== null || dev.signalCode !== null) return;
    try {
      process.kill(-(dev.pid as number), "SIGKILL");
    } catch {}
    await exited;
  };
  const url = new URL(`http://127.0.0.1:${port}`);
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(new URL("/v1/health", url))).ok) break;
    } catch {}
    if (dev.exitCode !== null)
      throw new Error(`wrangler dev exited with ${dev.exitCode}: ${output.slice(-4000)}`);
    if (Date.now() - started > 180_000) {
      await kill();
      throw new Error(`the Workers did not answer /v1/health within 180 s: ${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    persistTo,
    kill,
    output: () => output,
    async scheduled() {
      const res = await fetch(new URL("/__scheduled?cron=*/15+*+*+*+*", url));
      if (!res.ok) throw new Error(`scheduled: ${res.status} ${await res.text()}`);
    },
  };
}
