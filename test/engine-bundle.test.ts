import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// Reading a file (the transform Worker per chunk, bench:core) needs the reader, the decoder, the
// hashing of ids and the check of the read configuration. Bundled as wrangler bundles a Worker,
// that must not pull in zod or the API's schemas: they doubled the reading isolate's code and
// pushed its memory over 100 MB.
describe("the engine's reading path", () => {
  it("bundles without zod", async () => {
    const result = await build({
      stdin: {
        contents: `export { createReader, createTextDecoder, hashUserIdsOf, parseReadConfig } from "@cdp/core";`,
        resolveDir: fileURLToPath(new URL("../apps/transform", import.meta.url)),
        loader: "js",
      },
      bundle: true,
      format: "esm",
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      write: false,
      metafile: true,
      outfile: "engine.mjs",
      logLevel: "silent",
    });
    const inputs = Object.entries(Object.values(result.metafile.outputs)[0]?.inputs ?? {}).filter(
      ([, input]) => input.bytesInOutput > 0,
    );
    const paths = inputs.map(([path]) => path.replace(/^(\.\.\/)+/, ""));
    expect(paths).toContain("packages/core/src/formats/velocidi.ts");
    expect(paths.filter((path) => path.includes("node_modules/zod/"))).toEqual([]);
    expect(paths).not.toContain("packages/core/src/config.ts");
  });
});
