import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./support/client";
import { velocidiFile } from "./support/files";
import { type Stack, startStack } from "./support/stack";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let stack: Stack;
let api: ApiClient;

beforeAll(async () => {
  // Small chunks, so that even these files are cut into several.
  stack = await startStack({ vars: { ingest: { CHUNK_TARGET_BYTES: "2048" } } });
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(() => stack?.close());

describe("velocidi_csv orders, uploaded", () => {
  it("imports orders and profiles, reports bad rows, and a second run changes nothing", async () => {
    const file = velocidiFile(40, { bad: new Set([7, 23]) });
    const key = await api.upload("orders.csv", file);
    const importId = await api.createImport({
      name: "Orders",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
      options: { hashUserIds: true },
    });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.status).toBe("completed");
    const rows = file.trimEnd().split("\n").length - 1;
    expect(run.stats).toEqual({
      rowsRead: rows,
      itemsRead: 40,
      itemsValid: 38,
      itemsInvalid: 2,
      added: 38,
      updated: 0,
      unchanged: 0,
    });
    expect(run.progress).toEqual({ bytesRead: run.progress.bytesTotal, bytesTotal: Buffer.byteLength(file) });

    const issues = await api.issues(run.id);
    expect(
      issues.filter((i) => i.severity === "error").map((i) => [i.item, i.field, i.code, i.value]),
    ).toEqual([
      ["or7", "total", "invalid_number", "12,5"],
      ["or23", "total", "invalid_number", "12,5"],
    ]);

    const order = await api.call<{
      orderId: string;
      userIdType: string;
      userId: string;
      lineItems: { id: string; name: string }[];
    }>("GET", "/v1/orders/or5");
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      orderId: "or5",
      userIdType: "email_sha256",
      userId: sha256("customer5@example.com"),
    });
    expect(order.body.lineItems.map((l) => l.id)).toEqual(["li1", "li2", "li3"]);
    expect(order.body.lineItems[0]?.name).toBe('Shirt, "blue"');

    const profile = await api.call<{ orders: { count: number; revenue: Record<string, number> } }>(
      "GET",
      "/v1/profiles/email/Customer5@Example.com",
    );
    expect(profile.status).toBe(200);
    expect(profile.body.orders).toMatchObject({ count: 1, revenue: { EUR: 102.5 } });

    const again = await api.run(importId);
    expect(again.stats).toMatchObject({ itemsValid: 38, added: 0, updated: 0, unchanged: 38 });
  });

  it("never cuts an order whose id column only becomes orderId through a transformation", async () => {
    // The file names the column order_id; a rename makes it orderId before the rows are grouped.
    // The splitter must find that column too, or a cut could fall inside an order.
    const file = velocidiFile(40)
      .replace(/^orderId,/, "order_id,")
      .replace(/^or(\d+),/gm, "rn$1,");
    const key = await api.upload("renamed.csv", file);
    const importId = await api.createImport({
      name: "Orders with another id column",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
      transformations: [{ op: "rename", from: "order_id", to: "orderId" }],
    });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(Buffer.byteLength(file)).toBeGreaterThan(5 * 2048);
    expect(run.stats).toMatchObject({ itemsRead: 40, itemsValid: 40, itemsInvalid: 0, added: 40 });
    for (let i = 1; i <= 40; i++) {
      const order = await api.call<{ lineItems: { id: string }[] }>("GET", `/v1/orders/rn${i}`);
      const expected = Array.from({ length: (i % 3) + 1 }, (_, j) => `li${j + 1}`);
      expect(
        order.body.lineItems.map((l) => l.id),
        `or${i}`,
      ).toEqual(expected);
    }
  });
});
