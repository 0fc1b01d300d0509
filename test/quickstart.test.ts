import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README = readFileSync(`${ROOT}README.md`, "utf8");

/** The README's quick start, as written: its commands and the health check it promises. */
const quickStart = README.slice(README.indexOf("## Quick start"), README.indexOf("## Architecture"));
const startCommand = /^npm install && (npm start)\b/m.exec(quickStart)?.[1];
const healthCheck = /`curl (http:\/\/127\.0\.0\.1:(\d+)\/v1\/health)` answers `([^`]+)`/.exec(
  quickStart.replace(/\s+/g, " "),
);

/** The README's tenant commands for the local stack, as written (those without --remote). */
const tenantBlock = README.slice(README.indexOf("## Tenants and API keys"));
const tenantCommands = [
  ...tenantBlock.matchAll(/^(npm run admin -- (create|delete)-tenant acme\b[^#\n]*?)\s*(#.*)?$/gm),
]
  .filter((m) => !m[1]?.includes("--remote"))
  .map((m) => m[1] ?? "");
const createCommand = tenantCommands.find((c) => c.includes("create-tenant")) ?? "";
const deleteCommand = tenantCommands.find((c) => c.includes("delete-tenant")) ?? "";

/**
 * A fresh machine: the system's Node (20) first on PATH, nothing of the project's on it, and
 * local state that no `npm start` has touched.
 */
const state = mkdtempSync(join(tmpdir(), "cdp-readme-"));
const env = {
  ...process.env,
  FORCE_COLOR: "0",
  LOCAL_STATE: state,
  PATH: ["/usr/local/bin", "/usr/bin", "/bin"].join(delimiter),
};

let child: ChildProcess | undefined;
let output = "";
let acmeKey = "";

afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
  rmSync(state, { recursive: true, force: true });
});

/** Runs a README command line through the shell, as a user types it. */
function shell(command: string, input = ""): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn("sh", ["-c", command], { cwd: ROOT, env });
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
    });
    proc.stderr.on("data", (d) => {
      out += d;
    });
    proc.on("exit", (code) => resolve({ code, out }));
    proc.stdin.end(input);
  });
}

const api = (path: string, key: string) =>
  fetch(new URL(path, healthCheck?.[1] ?? ""), { headers: { Authorization: `Bearer ${key}` } });

describe("the README's quick start", () => {
  it("documents npm start and the health check", () => {
    expect(startCommand).toBe("npm start");
    expect(healthCheck?.[3]).toBe('{"ok":true}');
  });

  it("documents creating and deleting a tenant locally", () => {
    expect(createCommand).toBe('npm run admin -- create-tenant acme --name "Acme"');
    expect(deleteCommand).toBe("npm run admin -- delete-tenant acme");
  });

  it("create-tenant runs as written on the system's Node, before npm start ever ran", async () => {
    expect((await shell("node --version")).out).toMatch(/^v20\./);
    const { code, out } = await shell(createCommand);
    expect(code, out).toBe(0);
    acmeKey = /Its API key \(shown once\): (\S+)/.exec(out)?.[1] ?? "";
    expect(acmeKey, out).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(out).toContain("tenant acme is ready, with 4 data shards");
  }, 120_000);

  it("npm start serves health within 60 s, seeds the demo, and keeps the tenant made before", async () => {
    const [command, ...args] = (startCommand ?? "").split(" ");
    child = spawn(command ?? "npm", args, { cwd: ROOT, detached: true, env });
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    const started = Date.now();
    let body = "";
    while (Date.now() - started < 60_000) {
      try {
        const res = await fetch(healthCheck?.[1] ?? "");
        if (res.ok) {
          body = await res.text();
          break;
        }
      } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(body, output).toBe(healthCheck?.[3]);
    while (!output.includes("Stop with Ctrl-C") && Date.now() - started < 90_000)
      await new Promise((r) => setTimeout(r, 250));
    expect(output).toContain("Dashboard      http://127.0.0.1:8787/");
    expect(output).toMatch(/demo: (\d+ imports created|imports already there)/);
    // Quiet and useful: the URLs, how to sign in, a line per service, where wrangler's output is.
    expect(output.trimEnd().split("\n").length, output).toBeLessThanOrEqual(35);
    expect(output, "no stack trace").not.toMatch(/^\s+at /m);
    expect(output).not.toContain("[wrangler:");
    expect(output).toContain("sign in with tenant demo's API key: paste dev_key_local");
    for (const service of ["config-api", "dashboard", "ingest", "transform", "egoi-sync"])
      expect(output).toMatch(new RegExp(`^ {4}${service} +\\S`, "m"));
    const logFile = /^ {2}Log: (\S+)/m.exec(output)?.[1] ?? "";
    expect(readFileSync(join(ROOT, logFile), "utf8")).toContain("Ready on http://127.0.0.1:8787");
    expect((await api("/v1/imports", "dev_key_local")).status).toBe(200);
    const acme = await api("/v1/imports", acmeKey);
    expect(acme.status).toBe(200);
    expect(await acme.json()).toMatchObject({ items: [] });
  }, 120_000);

  it("delete-tenant runs as written: it asks for the id, and the tenant's key stops working", async () => {
    const refused = await shell(deleteCommand, "acne\n");
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("nothing was deleted");
    expect((await api("/v1/imports", acmeKey)).status).toBe(200);

    const { code, out } = await shell(deleteCommand, "acme\n");
    expect(code, out).toBe(0);
    expect(out).toContain("tenant acme is deleted");
    expect((await api("/v1/imports", acmeKey)).status).toBe(401);
    expect((await api("/v1/imports", "dev_key_local")).status).toBe(200);
  }, 60_000);

  it("npm start stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => child?.on("exit", resolve));
    process.kill(child?.pid ?? 0, "SIGTERM");
    await exited;
    await new Promise((r) => setTimeout(r, 1000));
    await expect(fetch(healthCheck?.[1] ?? "")).rejects.toThrow();
  }, 30_000);
});
