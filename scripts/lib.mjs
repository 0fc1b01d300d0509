// Helpers shared by the project's scripts (start, admin, deploy). Node 22, no dependencies.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const APPS = [
  "config-api",
  "dashboard",
  "ingest",
  "transform",
  "egoi-sync",
  "cdp-store",
  "webhooks",
  "s3-inbox",
];
/** The local state of `npm start` and `npm run admin` (D1, R2, Durable Objects, queues). */
export const PERSIST_DIR = process.env.LOCAL_STATE
  ? resolve(process.env.LOCAL_STATE)
  : `${ROOT}.wrangler/state`;
export const WRANGLER = `${ROOT}node_modules/.bin/wrangler`;
export const configPath = (app) => `${ROOT}apps/${app}/wrangler.jsonc`;

/** JSON with comments (wrangler.jsonc) to JSON: drops `//` and block comments outside strings. */
export function stripJsonComments(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}

/**
 * A Worker's wrangler.jsonc as JSON, with its paths absolute, to write elsewhere (a test's
 * `wrangler dev`, a deployment with the account's ids).
 */
export function portableConfig(app) {
  const appDir = `${ROOT}apps/${app}`;
  const config = JSON.parse(stripJsonComments(readFileSync(configPath(app), "utf8")));
  delete config.$schema;
  config.main = resolve(appDir, config.main);
  for (const db of config.d1_databases ?? [])
    if (db.migrations_dir) db.migrations_dir = resolve(appDir, db.migrations_dir);
  if (config.assets?.directory) config.assets.directory = resolve(appDir, config.assets.directory);
  for (const [name, target] of Object.entries(config.alias ?? {}))
    if (String(target).startsWith(".")) config.alias[name] = resolve(appDir, String(target));
  return config;
}

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
export function readDevVars(path) {
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
  const apps = ["config-api", "ingest", "egoi-sync", "webhooks", "s3-inbox"];
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
  // The operator's token (scripts/admin.mjs delete-tenant) is config-api's alone.
  const adminToken = existing.ADMIN_TOKEN ?? randomBytes(32).toString("base64url");
  writeFileSync(paths[0], `${text}ADMIN_TOKEN=${JSON.stringify(adminToken)}\n`);
  // The dashboard seals its session cookies with its own secret.
  const dashboard = `${ROOT}apps/dashboard/.dev.vars`;
  const session = readDevVars(dashboard).SESSION_SECRET ?? randomBytes(32).toString("base64");
  writeFileSync(dashboard, `SESSION_SECRET=${JSON.stringify(session)}\n`);
}
