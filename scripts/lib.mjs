// Helpers shared by the project's scripts (start, admin, deploy). Node 22, no dependencies.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const APPS = ["config-api", "dashboard", "ingest", "transform", "egoi-sync", "s3-inbox"];
export const PERSIST_DIR = `${ROOT}.wrangler/state`;
export const WRANGLER = `${ROOT}node_modules/.bin/wrangler`;
export const configPath = (app) => `${ROOT}apps/${app}/wrangler.jsonc`;

/** Runs a command to its end; rejects with its output when it fails. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: process.env, ...options });
    let output = "";
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(" ")} exited ${code}\n${output}`)),
    );
  });
}

export const sha256Hex = (text) => createHash("sha256").update(text).digest("hex");

/** A new API key: shown once, stored only as its SHA-256. */
export const newApiKey = () => `cdp_${randomBytes(24).toString("base64url")}`;

/** SQL string literal. Only used with values the scripts checked or generated. */
export const sql = (value) => `'${String(value).replaceAll("'", "''")}'`;

/** KEY="value" lines of a .dev.vars file. */
function readDevVars(path) {
  if (!existsSync(path)) return {};
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]] = match[2].startsWith('"') ? JSON.parse(match[2]) : match[2];
  }
  return vars;
}

/**
 * Local Worker vars and secrets, in the git-ignored .dev.vars of each Worker that declares
 * secrets. The secrets are generated once per checkout and must agree: config-api encrypts
 * what ingest and egoi-sync decrypt. `vars` (local settings) are written every time.
 */
export function ensureDevVars(vars = {}) {
  const apps = ["config-api", "ingest", "egoi-sync", "s3-inbox"];
  const paths = apps.map((app) => `${ROOT}apps/${app}/.dev.vars`);
  const existing = readDevVars(paths[0]);
  const secrets = {
    SECRETS_KEYS: existing.SECRETS_KEYS ?? `k1:${randomBytes(32).toString("base64")}`,
    UPLOAD_SIGNING_SECRET: existing.UPLOAD_SIGNING_SECRET ?? randomBytes(32).toString("hex"),
  };
  const text = `${Object.entries({ ...secrets, ...vars })
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n")}\n`;
  for (const path of paths) writeFileSync(path, text);
  // The dashboard seals its session cookies with its own secret.
  const dashboard = `${ROOT}apps/dashboard/.dev.vars`;
  const session = readDevVars(dashboard).SESSION_SECRET ?? randomBytes(32).toString("base64");
  writeFileSync(dashboard, `SESSION_SECRET=${JSON.stringify(session)}\n`);
}
