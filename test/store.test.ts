import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { shardName, shardOf } from "@cdp/cdp-store/names";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./support/client";
import { velocidiFile } from "./support/files";
import { ROOT, type Stack, startStack, TEST_SECRETS } from "./support/stack";

/**
 * The CDP store as users reach it: orders spread over a tenant's data shards, profiles in its
 * identity shard, read back, paged, exported and erased through the API; tenants that never
 * reach each other's objects; a tenant deleted whole by the operator's script.
 */

let stack: Stack;
let acme: ApiClient;
let globex: ApiClient;
let acmeRun: { id: string };

/** 60 orders of 1–3 lines by 50 customers (Customer{i % 50}@Example.com), imported. */
async function importOrders(api: ApiClient, orders = 60) {
  const key = await api.upload("orders.csv", velocidiFile(orders));
  const importId = await api.createImport({
    name: "Orders",
    type: "orders",
    format: "velocidi_csv",
    source: { type: "upload", key },
  });
  const run = await api.run(importId);
  expect(run.status).toBe("completed");
  return run;
}

beforeAll(async () => {
  stack = await startStack();
  await stack.createTenant("acme", "key_store_acme", 8);
  await stack.createTenant("globex", "key_store_globex", 1);
  acme = new ApiClient(stack.url, "key_store_acme");
  globex = new ApiClient(stack.url, "key_store_globex");
  acmeRun = await importOrders(acme);
  await importOrders(globex);
}, 180_000);
afterAll(() => stack?.close());

describe("a tenant's store shards", () => {
  it("holds each order in the data shard of its id, the buyers in the identity shard, and nothing twice", async () => {
    const counts = await stack.storeCounts("acme");
    expect(counts).toMatchObject({ orders: 60, lineItems: 120, profiles: 50, ids: 50, products: 0 });
    const expected = Array.from({ length: 8 }, (_, n) =>
      Array.from({ length: 60 }, (_, i) => `or${i + 1}`).filter((id) => shardOf(id, 8) === n),
    ).map((ids) => ids.length);
    expect(counts.perShard).toEqual(expected);
    expect((await stack.storeCounts("globex")).perShard).toEqual([60]);
  });

  it("reads an order, and a profile with the orders of every shard, through the API", async () => {
    const order = await acme.call<{ orderId: string; lineItems: { id: string }[] }>("GET", "/v1/orders/or3");
    expect(order.status).toBe(200);
    // or3 has 3 % 3 + 1 = 1 line.
    expect(order.body.lineItems.map((l) => l.id)).toEqual(["li1"]);
    // Customer7 placed or7 and or57, which sit in different shards of acme.
    expect(shardOf("or7", 8)).not.toBe(shardOf("or57", 8));
    const profile = await acme.call<{ orders: { count: number; revenue: Record<string, number> } }>(
      "GET",
      "/v1/profiles/email/customer7@example.com",
    );
    expect(profile.status).toBe(200);
    expect(profile.body.orders.count).toBe(2);
  });

  it("pages a profile's orders newest first across shards", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { orderId: string }[]; nextCursor: string | null } } =
        await acme.call(
          "GET",
          `/v1/profiles/email/customer10@example.com/orders?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((o) => o.orderId));
      cursor = page.body.nextCursor;
    } while (cursor);
    // Customer10 placed or10 and or60; the file's dates put or60 later.
    expect(seen.sort()).toEqual(["or10", "or60"]);
    const bad = await acme.call("GET", "/v1/profiles/email/customer10@example.com/orders?cursor=nonsense");
    expect(bad.status).toBe(400);
  });

  it("lists what a run wrote, page after page across the shards: its orders and its buyers' profiles", async () => {
    type Page = {
      items: { id: string; ids?: { type: string; value: string }[] }[];
      nextCursor: string | null;
    };
    const all = async (type: string, limit: number) => {
      const items: Page["items"] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: Page } = await acme.call(
          "GET",
          `/v1/runs/${acmeRun.id}/items?type=${type}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(limit);
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return items;
    };
    const orders = await all("orders", 7);
    expect(orders.map((o) => o.id).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `or${i + 1}`).sort());
    const profiles = await all("profiles", 20);
    expect(profiles).toHaveLength(50);
    expect(profiles.flatMap((p) => p.ids?.map((id) => id.value) ?? []).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `customer${i}@example.com`).sort(),
    );
    expect((await all("products", 10)).length).toBe(0);
    // Another tenant's run is not there; a cursor or a type the API does not know is refused.
    expect((await globex.call("GET", `/v1/runs/${acmeRun.id}/items?type=orders`)).status).toBe(404);
    expect((await acme.call("GET", `/v1/runs/${acmeRun.id}/items?type=orders&cursor=zz.1`)).status).toBe(400);
    expect((await acme.call("GET", `/v1/runs/${acmeRun.id}/items?type=order`)).status).toBe(400);
  });

  it("never reaches another tenant's objects: every read and erasure of acme's person by globex is globex's own", async () => {
    // The same order ids and e-mails exist in both tenants, in objects of their own.
    const ownOrder = await globex.call<{ lineItems: unknown[] }>("GET", "/v1/orders/or5");
    expect(ownOrder.status).toBe(200);
    await globex.call("DELETE", "/v1/profiles/email/customer5@example.com");
    for (const path of [
      "/v1/profiles/email/customer5@example.com",
      "/v1/profiles/email/customer5@example.com/orders",
      "/v1/profiles/email/customer5@example.com/export",
    ])
      expect((await globex.call("GET", path)).status, path).toBe(404);
    expect((await globex.call("GET", "/v1/orders/or5")).status).toBe(404);
    // acme's Customer5 and order or5 are untouched.
    expect((await acme.call("GET", "/v1/profiles/email/customer5@example.com")).status).toBe(200);
    expect((await acme.call("GET", "/v1/orders/or5")).status).toBe(200);
  });
});

describe("the right of access and the right to erasure", () => {
  it("exports everything stored about a person, then erases it from every shard", async () => {
    const email = "customer12@example.com";
    const exported = await acme.call<{
      profile: { id: string; ids: { type: string; value: string }[] };
      orders: { orderId: string; lineItems: unknown[] }[];
    }>("GET", `/v1/profiles/email/${email}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.profile.ids).toEqual([{ type: "email", value: email }]);
    expect(exported.body.orders.map((o) => o.orderId)).toEqual(["or12"]);
    const lineItems = exported.body.orders.reduce((n, o) => n + o.lineItems.length, 0);

    const erased = await acme.call("DELETE", `/v1/profiles/email/${email.toUpperCase()}`);
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ deleted: { profiles: 1, ids: 1, orders: 1, lineItems } });
    expect((await acme.call("GET", `/v1/profiles/email/${email}`)).status).toBe(404);
    expect((await acme.call("GET", "/v1/orders/or12")).status).toBe(404);
    expect((await acme.call("DELETE", `/v1/profiles/email/${email}`)).status).toBe(404);
    const counts = await stack.storeCounts("acme");
    expect(counts).toMatchObject({ orders: 59, profiles: 49, ids: 49 });
    // No row of any shard still names the person.
    const left = [];
    for (const shard of ["identity", ...Array.from({ length: 8 }, (_, n) => n)] as const) {
      const storage = await stack.server
        .getWorker("cdp-store")
        .getDurableObjectStorage("CdpShard", { name: shardName("acme", shard) });
      const table = shard === "identity" ? "profile_ids" : "orders";
      const column = shard === "identity" ? "id_value" : "data";
      left.push(...(await storage.exec(`SELECT 1 FROM ${table} WHERE ${column} LIKE ?`, `%${email}%`)));
    }
    expect(left).toEqual([]);
  });
});

describe("deleting a tenant", () => {
  it("removes its objects' data, its files and its configuration with scripts/admin.mjs, and nothing of another tenant", async () => {
    await stack.createTenant("doomed", "key_store_doomed", 4);
    const doomed = new ApiClient(stack.url, "key_store_doomed");
    await importOrders(doomed, 30);
    expect((await stack.storeCounts("doomed")).orders).toBe(30);
    const globexBefore = await stack.storeCounts("globex");

    const { stdout } = await promisify(execFile)(
      `${ROOT}node_modules/.bin/node`,
      ["scripts/admin.mjs", "delete-tenant", "doomed", "--url", stack.url.href, "--yes"],
      { cwd: ROOT, env: { ...process.env, ADMIN_TOKEN: TEST_SECRETS.ADMIN_TOKEN } },
    );
    expect(stdout).toContain(
      "tenant doomed is deleted: 30 profiles, 30 orders and 0 products from 5 store objects",
    );
    expect(await stack.storeCounts("doomed")).toEqual({
      profiles: 0,
      ids: 0,
      orders: 0,
      lineItems: 0,
      products: 0,
      perShard: [],
    });
    for (const shard of ["identity", 0, 1, 2, 3] as const) {
      const storage = await stack.server
        .getWorker("cdp-store")
        .getDurableObjectStorage("CdpShard", { name: shardName("doomed", shard) });
      for (const table of ["orders", "profiles", "profile_ids", "products"])
        expect(await storage.exec(`SELECT COUNT(*) AS n FROM ${table}`), `${shard} ${table}`).toEqual([
          { n: 0 },
        ]);
    }
    const env = await stack.server.getWorker("cdp-config-api").getEnv();
    const db = env.CONFIG_DB as {
      prepare(sql: string): { first(): Promise<unknown> };
    };
    for (const table of ["tenants", "api_keys", "imports", "runs", "uploads"]) {
      const column = table === "tenants" ? "id" : "tenant_id";
      const row = await db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = 'doomed'`).first();
      expect(row, table).toEqual({ n: 0 });
    }
    const files = await (env.FILES as { list(o: { prefix: string }): Promise<{ objects: unknown[] }> }).list({
      prefix: "tenants/doomed/",
    });
    expect(files.objects).toEqual([]);
    expect(await stack.storeCounts("globex")).toEqual(globexBefore);
  });

  it("refuses a wrong admin token, and an unknown tenant", async () => {
    const attempt = (token: string, id: string) =>
      fetch(new URL(`/admin/tenants/${id}`, stack.url), {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await attempt("wrong", "acme")).status).toBe(401);
    expect((await attempt(TEST_SECRETS.ADMIN_TOKEN, "nobody")).status).toBe(404);
    expect((await stack.storeCounts("acme")).orders).toBe(59);
  });
});
