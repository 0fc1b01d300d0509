// The Worker of `npm run bench:store`: it reads a velocidi_csv posted to it as the transform
// Worker does, then, by `phase`, stops there (read), encodes and classifies the orders without
// writing (encode), has D1 carry every write statement without storing anything (carry: each
// INSERT or DELETE becomes a SELECT of the same parameters), or writes them (store). The
// differences in workerd's CPU time between phases are the store's costs.
import { createReader, createTextDecoder, hashUserIdsOf, ReadConfig } from "@cdp/core";
import { writeOrders } from "@cdp/store";

/** Orders per write, as the transform Worker writes them (WRITE_EVERY_ITEMS), unless `every` says. */
const WRITE_EVERY = 1500;

/** D1 with every write statement turned into a SELECT of the same parameters. */
function carryOnly(db) {
  return {
    prepare(sql) {
      if (!/^\s*(INSERT|DELETE)/.test(sql)) return db.prepare(sql);
      const count = Math.max(...[...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1])));
      const params = Array.from({ length: count }, (_, i) => (i === 1 ? "length(?2)" : `?${i + 1}`));
      return db.prepare(`SELECT ${params.join(", ")}`);
    },
    batch: (statements) => db.batch(statements),
  };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const phase = url.searchParams.get("phase") ?? "store";
    const every = Number(url.searchParams.get("every") ?? WRITE_EVERY);
    const config = ReadConfig.parse({
      type: "orders",
      format: "velocidi_csv",
      options: { hashUserIds: true },
    });
    const reader = createReader(config);
    const decoder = createTextDecoder("utf-8");
    const db = phase === "carry" ? carryOnly(env.CDP_DB) : env.CDP_DB;
    const scope = {
      tenantId: "bench",
      runId: url.searchParams.get("run") ?? "run_bench",
      dryRun: phase === "encode",
      now: new Date().toISOString(),
    };
    let pending = [];
    let orders = 0;
    let added = 0;
    // Written as they are read, as the transform Worker does.
    const write = async () => {
      const batch = pending;
      pending = [];
      orders += batch.length;
      if (phase !== "read" && batch.length > 0) added += (await writeOrders(db, scope, batch)).added;
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
    return Response.json({ orders, added });
  },
};
