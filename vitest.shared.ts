import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";

const CONFIG_MIGRATIONS_DIR = fileURLToPath(new URL("./packages/store/migrations/config", import.meta.url));
const CDP_MIGRATIONS_DIR = fileURLToPath(new URL("./packages/store/migrations/cdp", import.meta.url));

/** Secrets every Worker test runs with (values only for tests). */
export const TEST_SECRETS = {
  SECRETS_KEYS: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  UPLOAD_SIGNING_SECRET: "test-upload-signing-secret",
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

/** A peer Worker by name, or with the named entrypoints that bindings of the Worker under test name. */
type Peer = string | { name: string; entrypoints: string[] };

/**
 * The vitest project of one Worker: its own wrangler.jsonc inside workerd, with the store's
 * D1 migrations handed to the tests' setup file as bindings.
 */
export function workerProject(
  name: string,
  options: { bindings?: Record<string, unknown>; peers?: Peer[] } = {},
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
            CDP_MIGRATIONS: await readD1Migrations(CDP_MIGRATIONS_DIR),
            ...options.bindings,
          },
          workers: (options.peers ?? []).map(peerStandIn),
        },
      })),
    ],
    test: { name, setupFiles: ["../../test/support/apply-migrations.ts"] },
  });
}

const COMPATIBILITY = { compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"] };

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
                      d1Databases: ["CONFIG_DB", "CDP_DB"],
                      bindings: {
                        CONFIG_MIGRATIONS: await readD1Migrations(CONFIG_MIGRATIONS_DIR),
                        CDP_MIGRATIONS: await readD1Migrations(CDP_MIGRATIONS_DIR),
                      },
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
