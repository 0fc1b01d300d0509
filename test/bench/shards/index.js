// The Worker of `npm run bench:shards`: POST /write?tenant=&shard=&run= with a JSON array of order
// rows (as the store's client encodes them) writes them to that data shard of the tenant in one
// RPC call, as the transform Worker does for its share of a chunk; GET /usage?tenant=&shards= says
// what the tenant's shards hold.
import { CdpStore, CURRENT_CODEC_TEXT, shardName } from "@cdp/cdp-store/client";

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
    const name = shardName(tenant, Number(url.searchParams.get("shard") ?? 0));
    const stub = env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName(name));
    const rows = await request.json();
    const scope = {
      runId: url.searchParams.get("run") ?? "run_bench",
      dryRun: false,
      now: new Date().toISOString(),
    };
    return Response.json(await stub.writeOrders(name, scope, CURRENT_CODEC_TEXT, rows));
  },
};
