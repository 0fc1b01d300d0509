// The store Worker (apps/cdp-store) bundled for the Worker tests that bind its shards: vitest's
// global setup builds it before the tests' workerd starts (esbuild, as wrangler bundles it).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const STORE_BUNDLE = fileURLToPath(
  new URL("../../.wrangler/test-build/cdp-store.mjs", import.meta.url),
);

export default async function bundleStore(): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL("../../apps/cdp-store/src/index.ts", import.meta.url))],
    outfile: STORE_BUNDLE,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    logLevel: "warning",
  });
}
