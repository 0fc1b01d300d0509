import { appendFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The results of the hostile-input, fault, load and security suites, one JSON line per case, in
 * `test-artifacts/hostile/results.jsonl`. `scripts/hostile-report.mjs` sums them into the summary
 * that `npm test` prints last.
 */
export const RESULTS_DIR = fileURLToPath(new URL("../../test-artifacts/hostile/", import.meta.url));
export const RESULTS_FILE = `${RESULTS_DIR}results.jsonl`;

export interface CaseResult {
  /** corpus | faults | load | security */
  suite: string;
  /** A short, unique name of the case within its suite. */
  name: string;
  /** What the case expects, in words a user reads ("failed: names the encoding and line 3"). */
  expected: string;
  /** Whether the outcome was the expected one. */
  asExpected: boolean;
  /** Valid items of the input that are not in the store afterwards. */
  itemsLost?: number;
  /** Items stored more than once, or counted more than once in the stats. */
  duplicates?: number;
  /** Responses that showed another tenant's data. */
  crossTenantLeaks?: number;
  /** Anything worth reading next to the summary (throughput, timings). */
  detail?: string;
}

/** Records one case. Call it from the test once the outcome is known, before asserting. */
export function recordCase(result: CaseResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ ...result, at: new Date().toISOString() })}\n`);
}

/**
 * Records the names of every case a suite will record, before any of them runs (call it when the
 * suite's file is loaded): the report fails for each planned case that was not recorded, such as
 * one whose test threw before it got there.
 */
export function planCases(suite: string, names: string[]): void {
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`${suite}: cases planned twice: ${twice.join(", ")}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ suite, plan: names, at: new Date().toISOString() })}\n`);
}
