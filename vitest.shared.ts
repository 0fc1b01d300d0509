import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";
import { STORE_BUNDLE } from "./test/support/store-bundle.ts";

const CONFIG_MIGRATIONS_DIR = fileURLToPath(new URL("./packages/store/migrations/config", import.meta.url));

/** Secrets every Worker test runs with (values only for tests). */
export const TEST_SECRETS = {
  SECRETS_KEYS: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  UPLOAD_SIGNING_SECRET: "test-upload-signing-secret",
  ADMIN_TOKEN: "test-admin-token",
};

const LOCAL_OVERRIDES_RESET = { ALLOW_PRIVATE_SOURCES: "false", EGOI_API_BASE: "https://api.egoiapp.com" };

/**
 * A Worker that a service binding of the Worker under test points to. It answers with its own
 * name, the path and the method it was sent, so tests see where a request was routed; the named
 * entrypoints a binding names answer the same. The real peers run together in the end-to-end
 * tests of test/.
 */
function peerStandIn(peer: Peer) {
  const { name, entrypoints = [] } = typeof peer === "string" ? { name: peer } : peer;
  return {
    name,
    modules: true,
    script: `import { WorkerEntrypoint } from "cloudflare:workers";
    async function answer(request) {
      await request.arrayBuffer();
      const url = new URL(request.url);
      return Response.json({ worker: ${JSON.stringify(name)}, method: request.method, path: url.pathname });
    }
    export default { fetch: answer };
    ${entrypoints.map((entrypoint) => `export class ${entrypoint} extends WorkerEntrypoint { fetch(request) { return answer(request); } }`).join("\n")}`,
  };
}

const COMPATIBILITY = { compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"] };
/** A peer Worker by name, or with the named entrypoints that bindings of the Worker under test name. */
type Peer = string | { name: string; entrypoints: string[] };

/**
 * The store Worker (apps/cdp-store) next to the Worker under test, for the shards it binds by
 * script_name: bundled by the global setup (test/support/store-bundle.ts), since a Worker beside
 * the one under test cannot be read from its wrangler.jsonc.
 */
const STORE_WORKER = {
  name: "cdp-store",
  modules: true,
  scriptPath: STORE_BUNDLE,
  modulesRoot: dirname(STORE_BUNDLE),
  ...COMPATIBILITY,
  durableObjects: { CDP_SHARDS: { className: "CdpShard", useSQLite: true } },
  bindings: { FAULT_INJECTION: "" },
};

/**
 * The vitest project of one Worker: its own wrangler.jsonc inside workerd, with CONFIG_DB's
 * D1 migrations handed to the tests' setup file as bindings, and the store Worker beside it
 * when it binds the CDP store's shards (`store`).
 */
export function workerProject(
  name: string,
  options: { bindings?: Record<string, unknown>; peers?: Peer[]; store?: boolean } = {},
) {
  return defineProject({
    plugins: [
      cloudflareTest(async () => ({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          bindings: {
            ...TEST_SECRETS,
            // Over a developer's .dev.vars (npm start allows loopback sources): tests see the deployed defaults.
            ...LOCAL_OVERRIDES_RESET,
            CONFIG_MIGRATIONS: await readD1Migrations(CONFIG_MIGRATIONS_DIR),
            ...options.bindings,
          },
          workers: [...(options.peers ?? []).map(peerStandIn), ...(options.store ? [STORE_WORKER] : [])],
        },
      })),
    ],
    test: {
      name,
      setupFiles: ["../../test/support/apply-migrations.ts"],
      ...(options.store ? { globalSetup: ["../../test/support/store-bundle.ts"] } : {}),
    },
  });
}

/**
 * A package's tests, run twice: in Node and inside workerd. Runtime-neutral code must pass
 * both.
 */
export function neutralPackageConfig(name: string, options: { d1?: boolean } = {}) {
  const d1 = options.d1 ?? false;
  return defineConfig({
    test: {
      projects: [
        ...(d1
          ? []
          : [{ test: { name: `${name}-node`, include: ["test/**/*.test.ts"], environment: "node" } }]),
        {
          plugins: [
            cloudflareTest(async () => ({
              miniflare: {
                ...COMPATIBILITY,
                ...(d1
                  ? {
                      d1Databases: ["CONFIG_DB"],
                      bindings: { CONFIG_MIGRATIONS: await readD1Migrations(CONFIG_MIGRATIONS_DIR) },
                    }
                  : {}),
              },
            })),
          ],
          test: {
            name: `${name}-workerd`,
            include: ["test/**/*.test.ts"],
            setupFiles: d1 ? ["../../test/support/apply-migrations.ts"] : [],
          },
        },
      ],
    },
  });
}
