import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./support/client";
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
  it("stops a run at its next chunk and says cancelled", async () => {
    const importId = await ordersImport(velocidiFile(300));
    const started = await api.call<{ id: string }>("POST", `/v1/imports/${importId}/runs`, {});
    const cancelled = await api.call<{ status: string }>("POST", `/v1/runs/${started.body.id}/cancel`);
    expect(cancelled.body.status).toBe("cancelled");
    await new Promise((r) => setTimeout(r, 2000));
    const run = await api.waitForRun(started.body.id);
    expect(run.status).toBe("cancelled");
    expect(run.stats.itemsRead).toBeLessThan(300);
  });
});
