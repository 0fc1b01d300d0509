// Sums the results of the hostile-input, fault, load and security suites (one JSON line per case,
// written by test/hostile/report.ts) into the summary that `npm test` prints last. Each suite
// first writes the plan of its cases (their names); the report exits 1 when the file is missing
// or empty, when a suite of test/hostile wrote no plan, when a planned case was not recorded (its
// test threw first) or a case was recorded that no plan names or twice, when a case is not as
// expected, when any item was lost or stored twice, or when another tenant's data was shown.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const file = process.argv[2] ?? `${root}test-artifacts/hostile/results.jsonl`;
const suitesDir = `${root}test/hostile`;
const shown = file.startsWith(root) ? file.slice(root.length) : file;

const problems = [];
const fail = (message) => {
  console.error(`hostile report: ${message}`);
  process.exit(1);
};

if (!existsSync(file)) fail(`${shown} is missing: the suites in test/hostile did not run.`);
const lines = readFileSync(file, "utf8").split("\n");
const cases = [];
/** The names of the cases each suite planned to record. */
const plans = new Map();
for (const [i, line] of lines.entries()) {
  if (!line.trim()) continue;
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    problems.push(`line ${i + 1} of ${shown} is not JSON`);
    continue;
  }
  if (typeof record.suite === "string" && Array.isArray(record.plan)) {
    const plan = plans.get(record.suite) ?? new Set();
    for (const name of record.plan) plan.add(String(name));
    plans.set(record.suite, plan);
    continue;
  }
  if (
    typeof record.suite !== "string" ||
    typeof record.name !== "string" ||
    typeof record.asExpected !== "boolean"
  ) {
    problems.push(`line ${i + 1} of ${shown} lacks suite, name or asExpected`);
    continue;
  }
  cases.push(record);
}
if (cases.length === 0) fail(`${shown} has no cases: the suites in test/hostile recorded nothing.`);

const count = (value) => (Number.isFinite(value) && value > 0 ? value : 0);
const bySuite = new Map();
for (const c of cases) {
  const s = bySuite.get(c.suite) ?? { cases: 0, asExpected: 0, itemsLost: 0, duplicates: 0, leaks: 0 };
  s.cases += 1;
  s.asExpected += c.asExpected ? 1 : 0;
  s.itemsLost += count(c.itemsLost);
  s.duplicates += count(c.duplicates);
  s.leaks += count(c.crossTenantLeaks);
  bySuite.set(c.suite, s);
}
const total = { cases: 0, asExpected: 0, itemsLost: 0, duplicates: 0, leaks: 0 };
for (const s of bySuite.values()) for (const k of Object.keys(total)) total[k] += s[k];

// Every suite file of test/hostile (corpus*.test.ts is "corpus") must have recorded its cases.
const expectedSuites = existsSync(suitesDir)
  ? [
      ...new Set(
        readdirSync(suitesDir)
          .filter((f) => f.endsWith(".test.ts"))
          .map((f) => f.split(/[.-]/)[0]),
      ),
    ]
  : [];
for (const suite of expectedSuites) {
  if (!plans.has(suite)) problems.push(`suite "${suite}" (test/hostile) planned no case: it did not start`);
  if (!bySuite.has(suite)) problems.push(`suite "${suite}" (test/hostile) recorded no case`);
}

// Every planned case recorded once, and nothing recorded that no plan names.
const listed = (names) =>
  `${names.slice(0, 10).join("; ")}${names.length > 10 ? `; and ${names.length - 10} more` : ""}`;
const recorded = new Map();
for (const c of cases) {
  const key = `${c.suite}\u0000${c.name}`;
  recorded.set(key, (recorded.get(key) ?? 0) + 1);
}
for (const [suite, plan] of plans) {
  const missing = [...plan].filter((name) => !recorded.has(`${suite}\u0000${name}`));
  if (missing.length > 0)
    problems.push(
      `suite "${suite}": ${missing.length} of ${plan.size} planned case(s) not recorded: ${listed(missing)}`,
    );
}
const unplanned = cases.filter((c) => !plans.get(c.suite)?.has(c.name)).map((c) => `${c.suite} / ${c.name}`);
if (unplanned.length > 0)
  problems.push(`${unplanned.length} case(s) recorded but not planned: ${listed(unplanned)}`);
const twice = [...recorded].filter(([, n]) => n > 1).map(([key]) => key.replace("\u0000", " / "));
if (twice.length > 0) problems.push(`${twice.length} case(s) recorded more than once: ${listed(twice)}`);

const columns = [
  "suite",
  "planned",
  "cases",
  "as expected",
  "items lost",
  "duplicates",
  "cross-tenant leaks",
];
const planned = (suite) => plans.get(suite)?.size ?? 0;
total.planned = [...plans.keys()].reduce((n, suite) => n + planned(suite), 0);
const none = { cases: 0, asExpected: 0, itemsLost: 0, duplicates: 0, leaks: 0 };
const suites = [...new Set([...bySuite.keys(), ...plans.keys()])].sort((a, b) => a.localeCompare(b));
const rows = [...suites.map((suite) => [suite, bySuite.get(suite) ?? none]), ["total", total]].map(
  ([name, s]) =>
    [
      name,
      name === "total" ? s.planned : planned(name),
      s.cases,
      s.asExpected,
      s.itemsLost,
      s.duplicates,
      s.leaks,
    ].map(String),
);
const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
const format = (r) =>
  r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");

console.log(`\nHostile input, faults, load and security (${shown})`);
console.log(`  ${format(columns)}`);
for (const r of rows) console.log(`  ${format(r)}`);

const load = cases.filter((c) => c.suite === "load");
if (load.length > 0) {
  console.log("Load:");
  for (const c of load) console.log(`  ${c.name}: ${c.detail ?? "(no detail)"}`);
}

const unexpected = cases.filter((c) => !c.asExpected);
if (unexpected.length > 0) {
  console.log("Not as expected:");
  for (const c of unexpected) {
    console.log(`  ${c.suite} / ${c.name}: expected ${c.expected ?? "?"}${c.detail ? ` (${c.detail})` : ""}`);
  }
  problems.push(`${unexpected.length} case(s) not as expected`);
}
if (total.itemsLost > 0) problems.push(`${total.itemsLost} item(s) lost`);
if (total.duplicates > 0) problems.push(`${total.duplicates} duplicate(s)`);
if (total.leaks > 0) problems.push(`${total.leaks} cross-tenant leak(s)`);

if (problems.length > 0) {
  console.log(`FAILED: ${problems.join("; ")}.\n`);
  process.exit(1);
}
console.log(
  `OK: ${total.cases} cases, every one planned and as expected; nothing lost, nothing duplicated, no cross-tenant leak.\n`,
);
