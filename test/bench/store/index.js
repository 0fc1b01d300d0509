// The Worker of `npm run bench:store`: it reads a velocidi_csv posted to it as the transform
// Worker does, then, by `phase`, stops there (read), also encodes each order into the row a shard
// stores (encode), or writes them through the store's client to the tenant's shards (store).
// The differences in workerd's CPU time between phases are the store's costs. GET /usage answers
// what the tenant's shards hold.

import { CdpStore, orderRow } from "@cdp/cdp-store/client";
import { createReader, createTextDecoder, hashUserIdsOf, ReadConfig } from "@cdp/core";

/** Orders per write, as the transform Worker writes them (WRITE_EVERY_ITEMS), unless `every` says. */
const WRITE_EVERY = 1500;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const store = new CdpStore(env.CDP_SHARDS, {
      id: url.searchParams.get("tenant") ?? "bench",
      shards: Number(url.searchParams.get("shards") ?? 1),
    });
    if (url.pathname === "/usage") return Response.json(await store.usage());
    const phase = url.searchParams.get("phase") ?? "store";
    const every = Number(url.searchParams.get("every") ?? WRITE_EVERY);
    const config = ReadConfig.parse({
      type: "orders",
      format: "velocidi_csv",
      options: { hashUserIds: true },
    });
    const reader = createReader(config);
    const decoder = createTextDecoder("utf-8");
    const scope = {
      runId: url.searchParams.get("run") ?? "run_bench",
      dryRun: false,
      now: new Date().toISOString(),
    };
    let pending = [];
    let orders = 0;
    let lines = 0;
    let added = 0;
    let encoded = 0;
    // Written as they are read, as the transform Worker does.
    const write = async () => {
      const batch = pending;
      pending = [];
      orders += batch.length;
      for (const order of batch) lines += order.lineItems.length;
      if (phase === "encode") for (const order of batch) encoded += orderRow(order)[5].length;
      if (phase === "store" && batch.length > 0) added += (await store.writeOrders(scope, batch)).added;
    };
    const take = async (results) => {
      await hashUserIdsOf(results, config.options);
      for (const result of results) if (result.item) pending.push(result.item);
      if (pending.length >= every) await write();
    };
    for await (const bytes of request.body) await take(reader.write(decoder.decode(bytes)));
    await take(reader.write(decoder.end()));
    await take(reader.end());
    await write();
    return Response.json({ orders, lines, added, encoded });
  },
};
