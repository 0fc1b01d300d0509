import { rmSync } from "node:fs";
import { RESULTS_FILE } from "./report";

/**
 * vitest globalSetup: every run of the end-to-end tests starts from an empty results file, so
 * that scripts/hostile-report.mjs sums this run's cases only.
 */
export default function resetHostileResults(): void {
  rmSync(RESULTS_FILE, { force: true });
}
