import { defineConfig } from "vitest/config";

// Every test project of the repo, for `npx vitest` from the root; `npm test` runs them per
// package through turbo.
export default defineConfig({
  test: { projects: ["apps/*", "packages/*", "test"] },
});
