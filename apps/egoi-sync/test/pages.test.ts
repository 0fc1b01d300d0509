import { env } from "cloudflare:workers";
import { CdpStore } from "@cdp/cdp-store/client";
import { getRun } from "@cdp/store";
import { afterEach, describe, expect, it, vi } from "vitest";
import { addEgoiRun, deliver, fakeEgoi, syncRun } from "./support";

afterEach(() => {
  vi.restoreAllMocks();
});

const heartbeat = async (runId: string) =>
  (
    await env.CONFIG_DB.prepare("SELECT heartbeat_at FROM runs WHERE id = ?1")
      .bind(runId)
      .first<{ heartbeat_at: string | null }>()
  )?.heartbeat_at ?? null;

describe("rate limits", () => {
  it("waits out more 429s than the queue's max_retries in new messages, and completes the page", async () => {
    // Eleven 429s in a row: more than max_retries (10), which used to send the page to the dead-letter queue.
    const egoi = fakeEgoi({
      clientId: "123",
      lists: { 7: 5 },
      fault: (n) => (n < 11 ? { status: 429, reset: 2 } : null),
    });
    await addEgoiRun("run_429", 7);
    const { deliveries, run } = await syncRun("run_429");
    expect(run).toMatchObject({ status: "completed", error: null, stats: { itemsRead: 5, added: 5 } });
    expect(egoi.pages.map((p) => p.status)).toEqual([...Array(11).fill(429), 200]);
    // No wait is a queue retry: each is acknowledged and followed by a new message that counts the waits.
    expect(deliveries.every((d) => d.acked && d.retried === null)).toBe(true);
    expect(deliveries.map((d) => d.attempts)).toEqual(Array(12).fill(1));
    expect(deliveries[0]?.sent).toEqual([
      {
        body: { runId: "run_429", offset: 0, rateLimited: 1, rateLimitedSeconds: 2, serverErrors: 0 },
        delaySeconds: 2,
      },
    ]);
    expect(deliveries[10]?.sent[0]).toMatchObject({
      body: { offset: 0, rateLimited: 11, rateLimitedSeconds: 22 },
      delaySeconds: 2,
    });
  });

  it("keeps the run alive until the end of a rate-limit wait, so it is not resumed as stalled", async () => {
    fakeEgoi({ clientId: "123", lists: { 7: 5 }, fault: () => ({ status: 429, reset: 1800 }) });
    await addEgoiRun("run_wait", 7);
    const before = Date.now();
    const delivery = await deliver({ runId: "run_wait", offset: 0 });
    expect(delivery.sent[0]?.delaySeconds).toBe(1800);
    const alive = Date.parse((await heartbeat("run_wait")) ?? "");
    expect(alive).toBeGreaterThanOrEqual(before + 1800_000);
    expect(alive).toBeLessThanOrEqual(Date.now() + 1800_000);
  });

  it("retries a 5xx after several 429s with the whole 5xx budget", async () => {
    // Four 429s, then 503, 408 and 503 (five attempts of a page used to be the limit, 429s included).
    const answers = [429, 429, 429, 429, 503, 408, 503];
    const egoi = fakeEgoi({
      clientId: "123",
      lists: { 7: 5 },
      fault: (n) => (answers[n] ? { status: answers[n] ?? 200, reset: 1 } : null),
    });
    await addEgoiRun("run_5xx", 7);
    const { deliveries, run } = await syncRun("run_5xx");
    expect(run).toMatchObject({ status: "completed", error: null, stats: { itemsRead: 5 } });
    expect(egoi.pages.map((p) => p.status)).toEqual([...answers, 200]);
    // The server errors are queue retries of the message sent after the last wait, backing off.
    expect(deliveries.slice(4).map((d) => [d.body.rateLimited, d.attempts, d.retried])).toEqual([
      [4, 1, 2],
      [4, 2, 4],
      [4, 3, 8],
      [4, 4, null],
    ]);
  });

  it("counts server errors across rate-limit waits: the 5xx budget is per page, not per message", async () => {
    const answers = [503, 503, 429, 503, 503, 503];
    fakeEgoi({
      clientId: "123",
      lists: { 7: 5 },
      fault: (n) => (answers[n] ? { status: answers[n] ?? 200 } : null),
    });
    await addEgoiRun("run_5xx_budget", 7);
    const { deliveries, run } = await syncRun("run_5xx_budget");
    expect(deliveries[2]?.sent[0]?.body).toMatchObject({ rateLimited: 1, serverErrors: 2 });
    expect(run).toMatchObject({
      status: "failed",
      error: {
        code: "source_unreachable",
        message: "E-goi answered 503 for contacts 1–1000 of list 7 after 5 attempts.",
      },
    });
  });

  it("fails the run, naming E-goi's rate limit, when a page has waited a day", async () => {
    fakeEgoi({ clientId: "123", lists: { 7: 5 }, fault: () => ({ status: 429, reset: 3600 }) });
    await addEgoiRun("run_day", 7);
    const delivery = await deliver({
      runId: "run_day",
      offset: 0,
      rateLimited: 24,
      rateLimitedSeconds: 83_000,
    });
    expect(delivery).toMatchObject({ acked: true, retried: null, sent: [] });
    const run = await getRun(env.CONFIG_DB, null, "run_day");
    expect(run?.status).toBe("failed");
    expect(run?.error).toEqual({
      code: "source_unreachable",
      message:
        "E-goi's rate limit (429 Too Many Requests) kept refusing contacts 1–1000 of list 7: the sync waited 24 times, 23.1 hours in total, and stopped. Start the run again later, or ask E-goi for a higher API limit.",
    });
  });
});

describe("paging", () => {
  it("imports every contact when E-goi answers fewer per page than asked for", async () => {
    const egoi = fakeEgoi({ clientId: "123", lists: { 8: 2500 }, pageCap: 400 });
    await addEgoiRun("run_short", 8);
    const { run } = await syncRun("run_short");
    expect(run).toMatchObject({
      status: "completed",
      error: null,
      chunksTotal: 7,
      stats: { itemsRead: 2500, itemsValid: 2500, added: 2500 },
    });
    expect(egoi.pages.map((p) => p.offset)).toEqual([0, 400, 800, 1200, 1600, 2000, 2400]);
    // /my-account is asked once: the pages after the first carry the account id.
    expect(egoi.accountRequests).toBe(1);
  });

  it("sends the next page at the offset after the contacts a redelivered short page read", async () => {
    fakeEgoi({ clientId: "123", lists: { 8: 2500 }, pageCap: 400 });
    await addEgoiRun("run_redeliver", 8);
    const first = await deliver({ runId: "run_redeliver", offset: 0 });
    const again = await deliver({ runId: "run_redeliver", offset: 0 });
    expect(first.sent.map((s) => s.body)).toEqual([
      { runId: "run_redeliver", offset: 400, page: 1, accountId: "123" },
    ]);
    expect(again.sent.map((s) => [s.body.offset, s.body.page])).toEqual([[400, 1]]);
  });

  it("stops at a page with no contacts, even when total_items says there are more", async () => {
    const egoi = fakeEgoi({ clientId: "123", lists: { 9: 1500 }, totalItems: 1800 });
    await addEgoiRun("run_shrank", 9);
    const { run } = await syncRun("run_shrank");
    expect(run).toMatchObject({ status: "completed", stats: { itemsRead: 1500, added: 1500 } });
    expect(egoi.pages.map((p) => p.offset)).toEqual([0, 1000, 1500]);
  });
});

describe("the E-goi account", () => {
  for (const [what, clientId] of [
    ["no client_id", undefined],
    ["an empty client_id", ""],
  ] as const) {
    it(`fails the run when /my-account answers ${what}, importing nothing`, async () => {
      const runId = `run_account_${clientId === undefined ? "missing" : "empty"}`;
      const egoi = fakeEgoi({ clientId, lists: { 7: 5 } });
      const profiles = async () =>
        (await new CdpStore(env.CDP_SHARDS, { id: "acme", shards: 1 }).usage())[0]?.profiles;
      const before = await profiles();
      await addEgoiRun(runId, 7);
      const { run } = await syncRun(runId);
      expect(run).toMatchObject({ status: "failed", stats: { itemsRead: 0 } });
      expect(run?.error).toEqual({
        code: "source_unreachable",
        message:
          "E-goi's account information (GET /my-account) has no account id (general_info.client_id), which names the imported attributes (egoi.account<ID>.list<LIST>.…). Nothing was imported: check that the API key may read the account.",
      });
      expect(egoi.pages).toEqual([]);
      expect(await profiles()).toBe(before);
    });
  }
});
