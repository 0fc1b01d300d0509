import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/stack";

/**
 * scripts/hostile-report.mjs, the summary `npm test` prints last, on results files written here:
 * it passes only when every suite of test/hostile planned its cases and recorded each of them
 * once, as expected, with nothing lost, doubled or leaked.
 */

const dir = mkdtempSync(join(tmpdir(), "cdp-hostile-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Line = Record<string, unknown>;
const SUITES = ["corpus", "faults", "load", "security"];
/** Every suite planning two cases, a and b, and recording both as expected. */
const complete = (): Line[] =>
  SUITES.flatMap((suite) => [
    { suite, plan: ["a", "b"] },
    { suite, name: "a", expected: "a", asExpected: true, itemsLost: 0, duplicates: 0 },
    { suite, name: "b", expected: "b", asExpected: true },
  ]);

async function report(lines: Line[]): Promise<{ code: number; out: string }> {
  const file = join(dir, `results-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      join(ROOT, "scripts/hostile-report.mjs"),
      file,
    ]);
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("the hostile report", () => {
  it("passes when every planned case of every suite is recorded once and as expected", async () => {
    const { code, out } = await report(complete());
    expect(out).toContain("OK: 8 cases, every one planned and as expected");
    expect(code).toBe(0);
  });

  it("fails for a planned case that was never recorded (its test threw first)", async () => {
    const lines = complete().filter((l) => !(l.suite === "faults" && l.name === "b"));
    const { code, out } = await report(lines);
    expect(code).toBe(1);
    expect(out).toContain('suite "faults": 1 of 2 planned case(s) not recorded: b');
  });

  it("fails for a suite that planned nothing, a case no plan names, and a case recorded twice", async () => {
    const lines = [
      ...complete().filter((l) => !(l.suite === "load" && "plan" in l)),
      { suite: "security", name: "c", expected: "c", asExpected: true },
      { suite: "corpus", name: "a", expected: "a", asExpected: true },
    ];
    const { code, out } = await report(lines);
    expect(code).toBe(1);
    expect(out).toContain('suite "load" (test/hostile) planned no case: it did not start');
    expect(out).toContain("case(s) recorded but not planned: load / a; load / b; security / c");
    expect(out).toContain("1 case(s) recorded more than once: corpus / a");
  });

  it("fails for a case not as expected, an item lost, one doubled and a leak", async () => {
    const lines = [
      ...complete().filter((l) => l.suite !== "corpus" || "plan" in l),
      { suite: "corpus", name: "a", expected: "a", asExpected: false, itemsLost: 1 },
      { suite: "corpus", name: "b", expected: "b", asExpected: true, duplicates: 2, crossTenantLeaks: 1 },
    ];
    const { code, out } = await report(lines);
    expect(code).toBe(1);
    expect(out).toContain(
      "FAILED: 1 case(s) not as expected; 1 item(s) lost; 2 duplicate(s); 1 cross-tenant leak(s).",
    );
  });
});
