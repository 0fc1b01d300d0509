import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { CdpStore } from "../src/client";

it("smoke", async () => {
  const store = new CdpStore(env.CDP_SHARDS, { id: "acme", shards: 4 });
  const order = {
    orderId: "o1",
    userIdType: "email",
    userId: "A@x.com",
    currency: "EUR",
    total: 10,
    subtotal: 10,
    tax: 0,
    shipping: 0,
    discount: 0,
    refund: 0,
    paymentMethod: null,
    shippingMethod: null,
    shippingCountry: null,
    promotions: [],
    createdAt: "2026-01-05T10:00:00.000Z",
    lastUpdated: null,
    lineItems: [],
  };
  const scope = { runId: "run_1", now: new Date().toISOString(), dryRun: false };
  expect(await store.writeOrders(scope, [order])).toEqual({ added: 1, updated: 0, unchanged: 0 });
  expect(await store.writeOrders(scope, [order])).toEqual({ added: 1, updated: 0, unchanged: 0 });
  expect(await store.writeOrders({ ...scope, runId: "run_2" }, [order])).toEqual({
    added: 0,
    updated: 0,
    unchanged: 1,
  });
  expect(await store.getOrder("o1")).toEqual(order);
  const profile = await store.getProfile("email", "a@x.com");
  expect(profile?.orders.count).toBe(1);
  console.log(JSON.stringify(profile), JSON.stringify(await store.usage()));
});
