import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "e2e",
    include: ["**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The hostile suites append to test-artifacts/hostile/results.jsonl: each run starts it afresh.
    globalSetup: ["./hostile/reset-results.ts"],
  },
});
