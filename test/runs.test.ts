import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type RunView } from "./support/client";
import { VELOCIDI_HEADER, velocidiFile } from "./support/files";
import { type Stack, startStack } from "./support/stack";

let stack: Stack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startStack({ vars: { ingest: { CHUNK_TARGET_BYTES: "1024" } } });
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(() => stack?.close());

async function ordersImport(
  content: string | Uint8Array<ArrayBuffer>,
  options: Record<string, unknown> = {},
) {
  const key = await api.upload("orders.csv", content);
  return api.createImport({
    name: "Orders",
    type: "orders",
    format: "velocidi_csv",
    source: { type: "upload", key },
    options,
  });
}

describe("dry runs", () => {
  it("report what a real run would do and write nothing; the real run then does it", async () => {
    const importId = await ordersImport(velocidiFile(15, { bad: new Set([4]) }));
    const dry = await api.run(importId, { dryRun: true });
    expect(dry).toMatchObject({ status: "completed", dryRun: true });
    expect(dry.stats).toMatchObject({
      itemsRead: 15,
      itemsValid: 14,
      itemsInvalid: 1,
      added: 14,
      updated: 0,
      unchanged: 0,
    });
    expect(JSON.stringify((await api.issues(dry.id)).map((i) => [i.item, i.row, i.field, i.code]))).toEqual(
      JSON.stringify([["or4", 8, "total", "invalid_number"]]),
    );
    expect((await api.call("GET", "/v1/orders/or1")).status).toBe(404);
    const real = await api.run(importId, { dryRun: false });
    expect(real.stats).toEqual({ ...dry.stats });
    expect((await api.call("GET", "/v1/orders/or1")).status).toBe(200);
  });
});

describe("runs that fail before their first chunk", () => {
  const cases: [string, string | Uint8Array<ArrayBuffer>, Record<string, unknown>, string, RegExp][] = [
    ["an empty file", "", {}, "empty_file", /empty/],
    ["a file of blank lines", "\n\n  \n", {}, "empty_file", /no content/],
    ["missing required columns", "orderId,userId\nor1,a@x.com\n", {}, "missing_columns", /"userIdType"/],
    [
      "JSON given as CSV",
      '{"orderId":"or1"}\n{"orderId":"or2"}\n',
      {},
      "wrong_format",
      /looks like JSON, not CSV/,
    ],
    [
      "Latin-1 bytes read as UTF-8",
      new Uint8Array([...new TextEncoder().encode(`${VELOCIDI_HEADER}\nor1,email,`), 0xe9, 0x0a]),
      {},
      "invalid_encoding",
      /line 2.*byte|byte.*line 2/,
    ],
  ];
  for (const [name, content, options, code, message] of cases) {
    it(`fails for ${name}, and writes nothing`, async () => {
      const importId = await ordersImport(content, options);
      const run = await api.run(importId);
      expect(run.status).toBe("failed");
      expect(run.error?.code).toBe(code);
      expect(run.error?.message).toMatch(message);
      expect(run.stats.itemsRead).toBe(0);
    });
  }
});

describe("cancel", () => {
  /** Polls the run until its status, progress and stats stay the same over several polls in a row. */
  async function untilStill(client: ApiClient, runId: string): Promise<RunView> {
    const deadline = Date.now() + 60_000;
    let last = "";
    let same = 0;
    for (;;) {
      const run = (await client.call<RunView>("GET", `/v1/runs/${runId}`)).body;
      const now = JSON.stringify([run.status, run.progress, run.stats]);
      same = now === last ? same + 1 : 0;
      last = now;
      if (same >= 8) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} still moving: ${now}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** How many of the orders `ids` the API has. */
  async function storedOrders(client: ApiClient, ids: string[]): Promise<number> {
    let found = 0;
    for (let i = 0; i < ids.length; i += 50) {
      const got = await Promise.all(ids.slice(i, i + 50).map((id) => client.call("GET", `/v1/orders/${id}`)));
      for (const res of got) {
        if (res.status === 200) found++;
        else expect(res.status).toBe(404);
      }
    }
    return found;
  }

  it("stops a run at its next chunk: it stores what its stats count, less than the file, and nothing after", async () => {
    // A tenant of its own, so that only this run's orders can be found.
    await stack.createTenant("cancels", "key_cancels");
    const client = new ApiClient(stack.url, "key_cancels");
    const orders = 600;
    const ids = Array.from({ length: orders }, (_, i) => `or${i + 1}`);
    const key = await client.upload("orders.csv", velocidiFile(orders));
    const importId = await client.createImport({
      name: "Cancelled",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    const started = await client.call<RunView>("POST", `/v1/imports/${importId}/runs`, {});
    expect(started.status).toBe(202);
    const runId = started.body.id;
    // Cancelled once it is under way: part of the file is stored.
    for (;;) {
      const run = (await client.call<RunView>("GET", `/v1/runs/${runId}`)).body;
      expect(run.status).not.toMatch(/^(completed|failed|cancelled)$/);
      if (run.stats.added > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancelled = await client.call<{ status: string }>("POST", `/v1/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");

    const run = await untilStill(client, runId);
    expect(run.status).toBe("cancelled");
    expect(run.stats.itemsRead).toBeLessThan(orders);
    const stored = await storedOrders(client, ids);
    expect(stored).toBe(run.stats.added);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(orders);

    // Nothing moves afterwards: no chunk of the run writes again.
    const later = await untilStill(client, runId);
    expect(later).toEqual(run);
    expect(await storedOrders(client, ids)).toBe(stored);
  });
});
