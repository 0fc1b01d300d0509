import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type IssueView, type RunView } from "../support/client";
import { type FileServer, serveFiles } from "../support/file-server";
import { type Stack, startStack } from "../support/stack";
import { CASES, CORPUS_LIMITS, type CorpusCase, storedRows } from "./corpus-cases";
import { planCases, recordCase } from "./report";

/**
 * The bad-input corpus (corpus-cases.ts) through the real pipeline: each file is uploaded through
 * a signed URL (or served over http), imported and run, and the run's status, stats, issues and
 * the stored items are read back through the public API. Every case gets its own tenant, so
 * that what one stores cannot make another pass.
 */

const UPLOAD_PUT_CASE = "limits/upload-put-over-max-file-bytes";
planCases("corpus", [...CASES.map((c) => c.name), UPLOAD_PUT_CASE]);

const limits = Object.fromEntries(Object.entries(CORPUS_LIMITS).map(([k, v]) => [k, String(v)]));

let stack: Stack;
let files: FileServer;
let filesUrl: string;
/** Files served to url sources, by path. */
const served = new Map<string, Uint8Array | string>();
/** Every request the server got, by path: the XXE cases' entities must never be fetched. */
const requests: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    vars: {
      ingest: { CHUNK_TARGET_BYTES: String(64 * 1024), ...limits },
      transform: {
        MAX_RECORD_BYTES: limits.MAX_RECORD_BYTES as string,
        MAX_COLUMNS: limits.MAX_COLUMNS as string,
        MAX_STORED_ISSUES_PER_RUN: limits.MAX_STORED_ISSUES_PER_RUN as string,
      },
    },
  });
  files = await serveFiles(served, {
    intercept: (req) => {
      requests.push(req.url ?? "");
      return false;
    },
  });
  filesUrl = files.url;
  // A file the XXE cases' entities point at: its text must never reach the store.
  served.set("/trap/secret.txt", "TOP-SECRET-TOKEN");
});
afterAll(async () => {
  await stack?.close();
  await files?.close();
});

async function tenantFor(n: number): Promise<ApiClient> {
  const key = `key_corpus_${n}`;
  await stack.createTenant(`corpus${n}`, key);
  return new ApiClient(stack.url, key);
}

/**
 * Whether `actual` has every field of `expected`: objects by key (other keys allowed), arrays
 * whole (as long, each element matching), other values equal.
 */
function matches(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== "object") return Object.is(actual, expected);
  if (actual === null || typeof actual !== "object") return false;
  if (Array.isArray(expected))
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((v, i) => matches(actual[i], v))
    );
  if (Array.isArray(actual)) return false;
  return Object.entries(expected).every(([k, v]) => matches((actual as Record<string, unknown>)[k], v));
}

interface Checked {
  problems: string[];
  itemsLost: number;
  duplicates: number;
  detail: string;
}

async function runCase(n: number, c: CorpusCase): Promise<Checked> {
  const api = await tenantFor(n);
  const trapUrl = `${filesUrl}/trap`;
  const content = c.build({ trapUrl });
  let source: Record<string, unknown>;
  if (c.via === "url") {
    const path = `/files/${n}/${c.filename}`;
    served.set(path, content);
    source = { type: "url", url: `${filesUrl}${path}` };
  } else {
    source = { type: "upload", key: await api.upload(c.filename, content) };
  }
  const importId = await api.createImport({
    name: c.name,
    type: c.type,
    format: c.format,
    source,
    ...(c.options ? { options: c.options } : {}),
  });
  const run: RunView = await api.run(importId, {}, 240_000);
  served.delete(`/files/${n}/${c.filename}`);
  const problems: string[] = [];
  const want = c.outcome;
  let itemsLost = 0;
  let duplicates = 0;
  let held = "";
  if (run.status !== want.status)
    problems.push(`status ${run.status} (${JSON.stringify(run.error)}), expected ${want.status}`);
  const issues: IssueView[] = await api.issues(run.id);
  const issuesPage = await api.call<{ total: number; stored?: number }>(
    "GET",
    `/v1/runs/${run.id}/issues?limit=1`,
  );
  const status = async (path: string) => (await api.call("GET", path)).status;

  if (want.status === "failed") {
    if (run.error?.code !== want.code) problems.push(`error code ${run.error?.code}, expected ${want.code}`);
    for (const pattern of want.message)
      if (!pattern.test(run.error?.message ?? ""))
        problems.push(`error message "${run.error?.message}" lacks ${pattern}`);
  } else {
    for (const [field, value] of Object.entries(want.stats))
      if (run.stats[field as keyof RunView["stats"]] !== value)
        problems.push(`stats.${field} ${run.stats[field as keyof RunView["stats"]]}, expected ${value}`);
    const got = issues.map((issue, i) =>
      want.issues[i]?.length === 3 ? [issue.row, issue.code, issue.field] : [issue.row, issue.code],
    );
    if (JSON.stringify(got) !== JSON.stringify(want.issues))
      problems.push(`issues ${JSON.stringify(got)}, expected ${JSON.stringify(want.issues)}`);
    for (const [index, patterns] of Object.entries(want.issueMessages ?? {}))
      for (const pattern of patterns)
        if (!pattern.test(issues[Number(index)]?.message ?? ""))
          problems.push(`issue ${index} message "${issues[Number(index)]?.message}" lacks ${pattern}`);
    if (want.issuesTotal !== undefined) {
      if (issuesPage.body.total !== want.issuesTotal)
        problems.push(`issues total ${issuesPage.body.total}, expected ${want.issuesTotal}`);
      if (issuesPage.body.stored !== want.issues.length)
        problems.push(`issues stored ${issuesPage.body.stored}, expected ${want.issues.length}`);
    } else if (issuesPage.body.total !== want.issues.length) {
      problems.push(`issues total ${issuesPage.body.total}, expected ${want.issues.length}`);
    }
    // Each valid item read back, with exactly its line items.
    let readLost = 0;
    let readDoubled = 0;
    for (const item of want.stored) {
      const res = await api.call<{ lineItems?: unknown[] }>("GET", item.path);
      const lines = res.body.lineItems?.length ?? 0;
      const wantLines = item.rows.lineItems ?? 0;
      if (res.status !== 200) {
        readLost++;
        problems.push(`${item.path}: ${res.status}, expected stored`);
      } else {
        if (lines < wantLines) readLost++;
        if (lines > wantLines) readDoubled++;
        if (item.match && !matches(res.body, item.match))
          problems.push(
            `${item.path}: ${res.text.slice(0, 300)} does not match ${JSON.stringify(item.match)}`,
          );
      }
    }
    // What the tenant's store shards hold, against what the valid items make: every item and line
    // item once. Both views count the same items; the larger is the count.
    const rows = storedRows(want.stored);
    const counts = await stack.storeCounts(`corpus${n}`);
    const kinds = ["orders", "lineItems", "products", "profiles"] as const;
    const short = kinds.reduce((t, k) => t + Math.max(0, rows[k] - counts[k]), 0);
    const over = kinds.reduce((t, k) => t + Math.max(0, counts[k] - rows[k]), 0);
    itemsLost = Math.max(readLost, short);
    duplicates = Math.max(readDoubled, over);
    held = JSON.stringify(Object.fromEntries(kinds.map((k) => [k, counts[k]])));
    if (short + over > 0) problems.push(`the store holds ${held}, expected ${JSON.stringify(rows)}`);
    const written = run.stats.added + run.stats.updated + run.stats.unchanged;
    if (written !== want.stored.length)
      problems.push(`added+updated+unchanged ${written}, expected ${want.stored.length} distinct items`);
  }
  if (want.status === "failed") {
    // A refused file stores nothing.
    const counts = await stack.storeCounts(`corpus${n}`);
    held = JSON.stringify({
      orders: counts.orders,
      lineItems: counts.lineItems,
      products: counts.products,
      profiles: counts.profiles,
    });
    if (counts.orders + counts.lineItems + counts.products + counts.profiles + counts.ids > 0)
      problems.push(`the store holds ${held}, expected nothing`);
  }
  for (const path of want.absent ?? [])
    if ((await status(path)) !== 404) problems.push(`${path} is stored, expected absent`);
  // Nothing a file names is ever fetched, and no secret text is ever read into the store.
  const trapped = requests.filter((r) => r.startsWith("/trap"));
  if (trapped.length > 0) problems.push(`the service fetched ${trapped.join(", ")}`);
  const everything = JSON.stringify(issues) + JSON.stringify(run);
  if (/TOP-SECRET|root:x:0:0/.test(everything)) problems.push("an entity's content reached the run");
  return {
    problems,
    itemsLost,
    duplicates,
    detail: `${run.status}${run.error ? ` ${run.error.code}: ${run.error.message}` : ""}; stats ${JSON.stringify(run.stats)}; store ${held}`,
  };
}

describe("bad-input corpus", () => {
  it("has at least 40 cases with unique names", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it("compares a stored item's arrays whole: an extra or a missing line item does not match", () => {
    const stored = { orderId: "or1", total: 1, lineItems: [{ id: "li1", name: "Shirt" }] };
    expect(matches(stored, { lineItems: [{ id: "li1" }] })).toBe(true);
    expect(
      matches({ ...stored, lineItems: [...stored.lineItems, { id: "li1" }] }, { lineItems: [{ id: "li1" }] }),
    ).toBe(false);
    expect(matches({ ...stored, lineItems: [] }, { lineItems: [{ id: "li1" }] })).toBe(false);
    expect(matches({ ...stored, lineItems: { 0: { id: "li1" } } }, { lineItems: [{ id: "li1" }] })).toBe(
      false,
    );
  });

  it.concurrent.each(CASES.map((c, n) => [c.name, n, c] as const))(
    "%s",
    async (name, n, c) => {
      const checked = await runCase(n, c);
      recordCase({
        suite: "corpus",
        name,
        expected: c.expected,
        asExpected: checked.problems.length === 0,
        itemsLost: checked.itemsLost,
        duplicates: checked.duplicates,
        detail: checked.detail,
      });
      expect(checked.problems).toEqual([]);
    },
    300_000,
  );

  it("refuses an upload PUT over MAX_FILE_BYTES with 413, naming the limit", async () => {
    const api = await tenantFor(1000);
    const created = await api.call<{ uploadUrl: string }>("POST", "/v1/uploads", { filename: "big.csv" });
    const size = CORPUS_LIMITS.MAX_FILE_BYTES + 1;
    const put = await fetch(created.body.uploadUrl, { method: "PUT", body: new Uint8Array(size).fill(65) });
    const body = (await put.json()) as { error: { code: string; message: string } };
    const asExpected =
      put.status === 413 &&
      body.error.code === "file_too_large" &&
      /12 MiB/.test(body.error.message) &&
      /MAX_FILE_BYTES/.test(body.error.message);
    // The URL stays unused: a file within the limit can still be sent to it.
    const retry = await fetch(created.body.uploadUrl, { method: "PUT", body: "orderId\n" });
    recordCase({
      suite: "corpus",
      name: UPLOAD_PUT_CASE,
      expected: "413 file_too_large naming 12 MiB and MAX_FILE_BYTES; the URL can still take a smaller file",
      asExpected: asExpected && retry.status === 201,
      detail: `${put.status} ${JSON.stringify(body)}; retry ${retry.status}`,
    });
    expect(put.status).toBe(413);
    expect(body.error.code).toBe("file_too_large");
    expect(body.error.message).toMatch(/12 MiB/);
    expect(body.error.message).toMatch(/MAX_FILE_BYTES/);
    expect(retry.status).toBe(201);
  });
});
