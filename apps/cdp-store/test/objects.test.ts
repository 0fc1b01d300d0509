import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CdpStore } from "../src/client";
import { hash53, parseShardName, shardName, shardOf } from "../src/names";
import { SCHEMA_VERSION, schemaVersion, upgrade } from "../src/schema";
import { lineItem, order, record, scope } from "./support/items";

describe("naming the objects", () => {
  it("builds every name from a tenant id and a shard, and reads it back", () => {
    expect(shardName("acme", "identity")).toBe("cdp/acme/identity");
    expect(shardName("acme", 7)).toBe("cdp/acme/data/7");
    expect(parseShardName("cdp/acme/data/7")).toEqual({ tenantId: "acme", shard: 7 });
    expect(parseShardName("cdp/acme/identity")).toEqual({ tenantId: "acme", shard: "identity" });
  });

  it("refuses to name an object from anything but a tenant id, so no name reaches into another tenant's", () => {
    for (const bad of ["", "Acme", "acme/data/1", "../acme", "acme\u0000", "a".repeat(64), "acme identity"])
      expect(() => shardName(bad, 0), JSON.stringify(bad)).toThrow("not a tenant id");
    for (const bad of [-1, 1.5, 1024]) expect(() => shardName("acme", bad)).toThrow("not a shard number");
    // A name shardName never builds has no address.
    for (const name of ["cdp/acme/data/x", "cdp/Acme/identity", "acme", "cdp/acme/data/1/../identity"])
      expect(parseShardName(name)).toBeNull();
  });

  it("keeps the hash that places ids and keys buyers as it is: stored data depends on it", () => {
    expect(hash53("")).toBe(3338908027751811);
    expect(hash53("or1001")).toBe(hash53("or1001"));
    expect([hash53("email\u0000ann@example.com"), hash53("or1001"), hash53("é")]).toEqual([
      6818430033560171, 743847533474822, 8857602558445619,
    ]);
    expect(Number.isSafeInteger(hash53("x".repeat(10_000)))).toBe(true);
  });

  it("spreads ids evenly over the shards", () => {
    const counts = Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`or${i}`, 16)]++;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1150);
  });
});

describe("the objects", () => {
  it("refuses a call meant for another object or another kind of shard", async () => {
    const identity = env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName(shardName("kinds", "identity")));
    const data = env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName(shardName("kinds", 0)));
    const refusal = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      return "answered";
    };
    const identityName = shardName("kinds", "identity");
    expect(await refusal(() => identity.getOrder(identityName, "o1"))).toBe(
      "the identity shard holds no orders or products",
    );
    expect(
      await refusal(() => data.findProfile(shardName("kinds", 0), [{ type: "email", value: "a@x.com" }])),
    ).toBe("data shard 0 holds no profiles");
    // Data shard 0 of tenant "kinds" answers to its own name only.
    for (const other of [shardName("kinds", 1), shardName("other", 0)])
      expect(await refusal(() => data.getOrder(other, "o1"))).toBe(
        `this object is cdp/kinds/data/0, not ${other}: a call for another object is refused`,
      );
    expect(await data.getOrder(shardName("kinds", 0), "o1")).toBeNull();
    // An object reached by a name the store never builds serves no tenant.
    const stray = env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName("kinds"));
    expect(await refusal(() => stray.getOrder("kinds", "o1"))).toBe(
      "an unnamed shard holds no orders or products",
    );
  });

  it("upgrades an object that already holds data when it starts, keeping the data", async () => {
    const stub = env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName(shardName("upgrade", "identity")));
    // An object as the first version of the schema left it, with a profile in it.
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.deleteAll();
      upgrade(state.storage, 1);
      state.storage.sql.exec(
        `INSERT INTO profiles (attributes, version, created_run, changed_run, created_at, updated_at)
         VALUES ('{"tier":"gold"}', 1, 1, 1, 0, 0)`,
      );
      state.storage.sql.exec("INSERT INTO runs (id) VALUES ('run_old')");
      const key = hash53("email\u0000old@x.com");
      state.storage.sql.exec(
        "INSERT INTO profile_ids (key, id_type, id_value, profile) VALUES (?, 'email', 'old@x.com', 1)",
        key,
      );
      expect(schemaVersion(state.storage.sql)).toBe(1);
      const columns = state.storage.sql.exec("SELECT name FROM pragma_table_info('profiles')").toArray();
      expect(columns.map((c) => c.name)).not.toContain("attribute_runs");
    });
    await evictDurableObject(stub);

    const store = new CdpStore(env.CDP_SHARDS, { id: "upgrade", shards: 1 });
    expect(await store.getProfile("email", "old@x.com")).toMatchObject({
      id: "prf_1",
      attributes: { tier: "gold" },
      attributeRuns: {},
    });
    await runInDurableObject(stub, (_instance, state) => {
      expect(schemaVersion(state.storage.sql)).toBe(SCHEMA_VERSION);
    });
    // And it takes writes of the new schema.
    await store.writeCustomers(scope("run_new"), "merge", [
      record([["email", "old@x.com"]], { city: "Porto" }),
    ]);
    expect(await store.getProfile("email", "old@x.com")).toMatchObject({
      attributes: { tier: "gold", city: "Porto" },
      attributeRuns: { city: "run_new" },
    });
  });

  it("answers what it holds, and reads back after the object is evicted from memory", async () => {
    const store = new CdpStore(env.CDP_SHARDS, { id: "evicted", shards: 2 });
    const orders = [
      order("e1", "a@x.com", [lineItem("1")]),
      order("e2", "b@x.com", [lineItem("1"), lineItem("2")]),
    ];
    await store.writeOrders(scope("run_1"), orders);
    for (const shard of ["identity", 0, 1] as const)
      await evictDurableObject(env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName(shardName("evicted", shard))));
    expect(await store.getOrder("e2")).toEqual(orders[1]);
    expect(await store.writeOrders(scope("run_2"), orders)).toEqual({ added: 0, updated: 0, unchanged: 2 });
  });
});
