// @ts-check
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError, messageOf } from "./errors.mjs";

export const DEFAULT_API_URL = "http://127.0.0.1:8787";

/**
 * @typedef {object} Settings
 * @property {URL} url The API's base URL.
 * @property {string | null} key The API key; never printed.
 * @property {string} keyOrigin Where the key came from, to name in errors ("--key", "CDP_API_KEY", a file).
 */

/**
 * The default config file: $XDG_CONFIG_HOME/cdp-import/config.json, else ~/.config/cdp-import/config.json.
 * @param {NodeJS.ProcessEnv} env
 */
export function defaultConfigFile(env) {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "cdp-import", "config.json");
}

/**
 * Reads `{ "url"?, "key"? }` from a config file. A missing default file is no error; a missing
 * file that the user named is.
 * @param {string} path
 * @param {boolean} named
 * @returns {Promise<{ url?: string, key?: string }>}
 */
async function readConfigFile(path, named) {
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (!named && /** @type {NodeJS.ErrnoException} */ (err).code === "ENOENT") return {};
    throw new CliError(`Could not read the config file ${path}: ${messageOf(err)}`, { code: "config_file" });
  }
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(`The config file ${path} is not valid JSON: ${messageOf(err)}`, {
      code: "config_file",
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`The config file ${path} must hold an object like {"url": "...", "key": "..."}.`, {
      code: "config_file",
    });
  }
  const { url, key } = /** @type {Record<string, unknown>} */ (parsed);
  for (const [name, value] of [
    ["url", url],
    ["key", key],
  ]) {
    if (value !== undefined && typeof value !== "string") {
      throw new CliError(`"${name}" in the config file ${path} must be a string.`, { code: "config_file" });
    }
  }
  return {
    ...(typeof url === "string" ? { url } : {}),
    ...(typeof key === "string" ? { key } : {}),
  };
}

/**
 * The API URL and key: flags over environment over config file; the URL defaults to the local stack.
 * @param {{ url?: string, key?: string, configFile?: string }} flags
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<Settings>}
 */
export async function resolveSettings(flags, env) {
  const path = flags.configFile ?? defaultConfigFile(env);
  const file = await readConfigFile(path, flags.configFile !== undefined);
  const rawUrl = flags.url || env.CDP_API_URL || file.url || DEFAULT_API_URL;
  /** @type {URL} */
  let url;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new CliError(`The API URL "${rawUrl}" is not a URL: give one like ${DEFAULT_API_URL}.`, {
      code: "bad_url",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`The API URL must start with http:// or https://; got "${rawUrl}".`, {
      code: "bad_url",
    });
  }
  // Credentials in the URL would be printed with it; the key is the only credential.
  url.username = "";
  url.password = "";
  if (flags.key) return { url, key: flags.key, keyOrigin: "--key" };
  if (env.CDP_API_KEY) return { url, key: env.CDP_API_KEY, keyOrigin: "CDP_API_KEY" };
  if (file.key) return { url, key: file.key, keyOrigin: path };
  return { url, key: null, keyOrigin: "" };
}
