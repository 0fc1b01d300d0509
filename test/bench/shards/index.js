// The Worker of `npm run bench:shards`, in the same workerd as the store Worker:
//   POST /load with a JSON array of [shard, order rows] groups (a batch, its rows as the store's
//     client encodes them) keeps the batch, parsed, until /run;
//   POST /run?tenant=&run= writes the batches kept, in order: each batch's groups to those data
//     shards of the tenant, one RPC call per shard made in parallel, as the transform Worker does
//     with a chunk; it answers the orders the shards added;
//   GET /usage?tenant=&shards= says what the tenant's shards hold.
import { CdpStore, CURRENT_CODEC_TEXT, shardName } from "@cdp/cdp-store/client";

/** Batches given by /load, not yet written. */
let loaded = [];

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const tenant = url.searchParams.get("tenant") ?? "bench";
    if (url.pathname === "/usage") {
      const store = new CdpStore(env.CDP_SHARDS, {
        id: tenant,
        shards: Number(url.searchParams.get("shards") ?? 1),
      });
      return Response.json(await store.usage());
    }
    if (url.pathname === "/load") {
      loaded.push(await request.json());
      return Response.json({ batches: loaded.length });
    }
    const scope = {
      runId: url.searchParams.get("run") ?? "run_bench",
      dryRun: false,
      now: new Date().toISOString(),
    };
    const batches = loaded;
    loaded = [];
    let added = 0;
    for (const groups of batches) {
      const counts = await Promise.all(
        groups.map(([shard, rows]) => {
          const name = shardName(tenant, shard);
          const stub = env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName(name));
          return stub.writeOrders(name, scope, CURRENT_CODEC_TEXT, rows);
        }),
      );
      for (const c of counts) added += c.added;
    }
    return Response.json({ added });
  },
};
