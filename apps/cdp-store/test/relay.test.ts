import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CdpStore } from "../src/client";
import { lineItem, order, scope } from "./support/items";

const DISPOSE = (Symbol as unknown as { dispose: symbol }).dispose;

/**
 * The shards' namespace as wrangler's dev registry serves it when the store runs in a process of
 * its own: each call goes through a relay, and an answer that is an object comes back with a
 * dispose method, which holds the call open until it is called. Counts the answers handed out
 * and those disposed.
 */
function relayed(namespace: {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): unknown;
}) {
  const answers = { given: 0, disposed: 0 };
  const relay = {
    idFromName: (name: string) => namespace.idFromName(name),
    get(id: DurableObjectId) {
      const stub = namespace.get(id) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return new Proxy(
        {},
        {
          get:
            (_target, method: string) =>
            async (...args: unknown[]) => {
              const value = await stub[method]?.(...args);
              if (typeof value !== "object" || value === null) return value;
              answers.given++;
              let disposed = false;
              Object.defineProperty(value, DISPOSE, {
                value: () => {
                  if (!disposed) answers.disposed++;
                  disposed = true;
                },
              });
              return value;
            },
        },
      );
    },
  };
  return { namespace: relay as unknown as DurableObjectNamespace, answers };
}

describe("calls through a relay", () => {
  it("releases every answer of a shard as soon as it has it, reads and writes alike", async () => {
    const { namespace, answers } = relayed(env.CDP_SHARDS);
    const store = new CdpStore(namespace, { id: "relayed", shards: 4 });
    const orders = Array.from({ length: 12 }, (_, i) =>
      order(`o${i}`, `buyer${i % 3}@example.com`, [lineItem("a")]),
    );
    const counts = await store.writeOrders(scope("run_relay"), orders);
    expect(counts).toEqual({ added: 12, updated: 0, unchanged: 0 });
    const profile = await store.getProfile("email", "buyer1@example.com");
    expect(profile?.orders.count).toBe(4);
    expect(await store.getOrder("o5")).toMatchObject({ orderId: "o5" });
    expect((await store.usage()).length).toBe(5);
    expect(answers.given).toBeGreaterThan(10);
    expect(answers.disposed).toBe(answers.given);
  });
});
