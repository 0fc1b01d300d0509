#!/usr/bin/env node
// The API's OpenAPI document as config-api serves it at /v1/openapi.json, built in Node from the
// Worker's own code (bundled with esbuild), so that tools can check it without a running stack:
// `node scripts/openapi-document.mjs <file>` writes it there (stdout without a file).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { ROOT } from "./lib.mjs";

/** The origin the document's `servers` names: the local stack's (npm start). */
export const LOCAL_ORIGIN = "http://127.0.0.1:8787";

export async function openApiDocument(origin = LOCAL_ORIGIN) {
  const dir = mkdtempSync(join(tmpdir(), "cdp-openapi-"));
  try {
    const outfile = join(dir, "document.mjs");
    await build({
      stdin: {
        contents: `import { api } from "./src/index.ts"; import { apiDocument } from "./src/openapi.ts";
          export const document = (origin) => apiDocument(api, origin);`,
        resolveDir: join(ROOT, "apps/config-api"),
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "node",
      conditions: ["workerd", "worker"],
      outfile,
      logLevel: "error",
    });
    const { document } = await import(pathToFileURL(outfile).href);
    return document(origin);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const json = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
  const file = process.argv[2];
  if (!file) process.stdout.write(json);
  else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, json);
  }
}
