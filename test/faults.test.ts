import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./support/client";
import { velocidiFile } from "./support/files";
import { type Stack, startStack } from "./support/stack";

let stack: Stack;
let api: ApiClient;

beforeAll(async () => {
  // The transform consumer throws on the first delivery of every 3rd chunk before it writes,
  // and of every 2nd chunk after its store write and before its acknowledgement.
  stack = await startStack({
    vars: {
      ingest: { CHUNK_TARGET_BYTES: "1024" },
      transform: { FAULT_INJECTION: "before-write:3,after-write:2" },
    },
  });
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(() => stack?.close());

describe("at-least-once delivery with crashing consumers", () => {
  it("ends with the store and stats of a clean run: nothing lost, nothing counted twice", async () => {
    const orders = 60;
    const file = velocidiFile(orders, { bad: new Set([10, 45]) });
    const key = await api.upload("orders.csv", file);
    const importId = await api.createImport({
      name: "Faulty",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    const run = await api.run(importId, {}, 120_000);
    expect(run.error).toBeNull();
    const rows = file.trimEnd().split("\n").length - 1;
    expect(run.stats).toEqual({
      rowsRead: rows,
      itemsRead: orders,
      itemsValid: orders - 2,
      itemsInvalid: 2,
      added: orders - 2,
      updated: 0,
      unchanged: 0,
    });
    expect(run.progress.bytesRead).toBe(run.progress.bytesTotal);
    const issues = await api.issues(run.id);
    expect(issues.filter((i) => i.severity === "error").map((i) => i.item)).toEqual(["or10", "or45"]);
    for (let i = 1; i <= orders; i++) {
      const order = await api.call<{ lineItems: unknown[] }>("GET", `/v1/orders/or${i}`);
      if (i === 10 || i === 45) expect(order.status).toBe(404);
      else expect(order.body.lineItems).toHaveLength((i % 3) + 1);
    }
    // The crashes did happen, each on a chunk's first delivery and where the rules put them:
    // before the write on every 3rd chunk, after it on every 2nd (unless it crashed before).
    const fired = (point: string) =>
      stack.server
        .getLogs()
        .map((log) =>
          new RegExp(`injected fault ${point} on chunk (\\d+) \\(attempt (\\d+)\\)`).exec(log.message),
        )
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ chunk: Number(m[1]), attempt: Number(m[2]) }));
    const before = fired("before-write");
    const after = fired("after-write");
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const { chunk, attempt } of before)
      expect({ chunk: chunk % 3, attempt }).toEqual({ chunk: 0, attempt: 1 });
    for (const { chunk, attempt } of after)
      expect({ even: chunk % 2, thirds: chunk % 3 === 0, attempt }).toEqual({
        even: 0,
        thirds: false,
        attempt: 1,
      });
    // Each chunk crashed once at most: its retry went through.
    const chunks = [...before, ...after].map((f) => f.chunk);
    expect(new Set(chunks).size).toBe(chunks.length);
    const again = await api.run(importId, {}, 120_000);
    expect(again.stats).toMatchObject({ added: 0, updated: 0, unchanged: orders - 2 });
  });
});
