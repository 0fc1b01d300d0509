import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
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

let child: ChildProcess | undefined;
let output = "";

afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
});

describe("the README's quick start", () => {
  it("documents npm start and the health check", () => {
    expect(startCommand).toBe("npm start");
    expect(healthCheck?.[3]).toBe('{"ok":true}');
  });

  it("npm start serves health within 60 s, seeds the demo, and stops cleanly on SIGTERM", async () => {
    const [command, ...args] = (startCommand ?? "").split(" ");
    child = spawn(command ?? "npm", args, {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, FORCE_COLOR: "0" },
    });
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
    const exited = new Promise<number | null>((resolve) => child?.on("exit", resolve));
    process.kill(child.pid ?? 0, "SIGTERM");
    await exited;
    await new Promise((r) => setTimeout(r, 1000));
    await expect(fetch(healthCheck?.[1] ?? "")).rejects.toThrow();
  }, 120_000);
});
