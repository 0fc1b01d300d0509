import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type RunView } from "../support/client";
import { VELOCIDI_HEADER, velocidiRow } from "../support/files";
import { type Stack, startStack } from "../support/stack";
import { planCases, recordCase } from "./report";

/**
 * 20 imports at once across 3 tenants while other clients read and write the API the whole
 * time: everything completes with the right counts, no tenant ever sees another's data, and no
 * request gets a 5xx.
 */

const TENANTS = ["load-a", "load-b", "load-c"] as const;
type TenantId = (typeof TENANTS)[number];
const keyOf = (tenant: TenantId) => `key_${tenant}`;
const IMPORTS = 20;
const ROWS = 5000;

type Kind = "orders" | "customers_csv" | "customers_jsonl" | "products_jsonl" | "products_tsv";
const KINDS: Kind[] = ["orders", "customers_csv", "customers_jsonl", "products_jsonl", "products_tsv"];

interface Planned {
  n: number;
  tenant: TenantId;
  kind: Kind;
  /** Items (orders, customers, products) of the file, and the rows they span. */
  items: number;
  rows: number;
  file: string;
  config: Record<string, unknown>;
  /** A few of its stored items, as API paths. */
  samples: string[];
}

function plan(n: number): Planned {
  const tenant = TENANTS[n % TENANTS.length] as TenantId;
  const kind = KINDS[n % KINDS.length] as Kind;
  const p = `${tenant}-i${n}-`;
  const sampleAt = [0, 1, Math.floor(ROWS / 2), ROWS - 1];
  const base = { name: `Load ${n}`, source: { type: "upload", key: "" } };
  switch (kind) {
    case "orders": {
      // 2 line items an order: ROWS / 2 orders.
      const lines = [VELOCIDI_HEADER];
      for (let i = 0; i < ROWS / 2; i++)
        for (const line of [1, 2])
          lines.push(velocidiRow({ id: `${p}o${i}`, email: `${p}b${i}@shop.example` }, line));
      return {
        n,
        tenant,
        kind,
        items: ROWS / 2,
        rows: ROWS,
        file: `${lines.join("\n")}\n`,
        config: { ...base, type: "orders", format: "velocidi_csv" },
        samples: sampleAt.map((i) => `/v1/orders/${p}o${Math.floor(i / 2)}`),
      };
    }
    case "customers_csv": {
      const lines = ["email,tier,points"];
      for (let i = 0; i < ROWS; i++) lines.push(`${p}c${i}@shop.example,gold,${i}`);
      return {
        n,
        tenant,
        kind,
        items: ROWS,
        rows: ROWS,
        file: `${lines.join("\n")}\n`,
        config: {
          ...base,
          type: "customers",
          format: "csv",
          options: { userIdField: "email", userIdType: "email" },
        },
        samples: sampleAt.map((i) => `/v1/profiles/email/${p}c${i}@shop.example`),
      };
    }
    case "customers_jsonl": {
      const lines: string[] = [];
      for (let i = 0; i < ROWS; i++)
        lines.push(JSON.stringify({ customer: `${p}c${i}`, points: i, vip: i % 2 === 0 }));
      return {
        n,
        tenant,
        kind,
        items: ROWS,
        rows: ROWS,
        file: `${lines.join("\n")}\n`,
        config: {
          ...base,
          type: "customers",
          format: "jsonl",
          options: { userIdField: "customer", userIdType: "customer_id" },
        },
        samples: sampleAt.map((i) => `/v1/profiles/customer_id/${p}c${i}`),
      };
    }
    case "products_jsonl": {
      const lines: string[] = [];
      for (let i = 0; i < ROWS; i++)
        lines.push(JSON.stringify({ id: `${p}p${i}`, title: `Mug ${i}`, stock: i }));
      return {
        n,
        tenant,
        kind,
        items: ROWS,
        rows: ROWS,
        file: `${lines.join("\n")}\n`,
        config: { ...base, type: "products", format: "jsonl" },
        samples: sampleAt.map((i) => `/v1/products/${p}p${i}`),
      };
    }
    case "products_tsv": {
      const lines = ["id\ttitle\tdescription\tlink\timage_link\tavailability\tprice"];
      for (let i = 0; i < ROWS; i++)
        lines.push(
          `${p}p${i}\tCap ${i}\tA cap\thttps://shop.example/${i}\thttps://shop.example/${i}.jpg\tin_stock\t9.50 EUR`,
        );
      return {
        n,
        tenant,
        kind,
        items: ROWS,
        rows: ROWS,
        file: `${lines.join("\n")}\n`,
        config: { ...base, type: "products", format: "google_tsv" },
        samples: sampleAt.map((i) => `/v1/products/${p}p${i}`),
      };
    }
  }
}

/** Every request of the test, timed, with anything wrong about its answer. */
class Traffic {
  latencies: number[] = [];
  serverErrors: string[] = [];
  leaks: string[] = [];
  unexpected: string[] = [];

  async call<T = Record<string, unknown>>(api: ApiClient, method: string, path: string, body?: unknown) {
    const started = performance.now();
    const res = await api.call<T>(method, path, body);
    this.latencies.push(performance.now() - started);
    if (res.status >= 500)
      this.serverErrors.push(`${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
    return res;
  }

  expect(ok: boolean, what: string) {
    if (!ok) this.unexpected.push(what);
  }

  p(q: number): number {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  }
}

const CASE = "20 imports, 3 tenants, sustained API traffic";
planCases("load", [CASE]);

let stack: Stack;
const clients = {} as Record<TenantId, ApiClient>;

beforeAll(async () => {
  stack = await startStack({ vars: { ingest: { CHUNK_TARGET_BYTES: String(64 * 1024) } } });
  for (const tenant of TENANTS) {
    await stack.createTenant(tenant, keyOf(tenant));
    clients[tenant] = new ApiClient(stack.url, keyOf(tenant));
  }
});
afterAll(() => stack?.close());

describe("20 imports in parallel across 3 tenants under sustained API traffic", () => {
  it("completes every import with the right counts, no leak across tenants and no 5xx", async () => {
    const traffic = new Traffic();
    const planned = Array.from({ length: IMPORTS }, (_, n) => plan(n));
    /** Ids each tenant owns (imports and runs); a response with anyone else's is a leak. */
    const owned = Object.fromEntries(TENANTS.map((t) => [t, new Set<string>()])) as Record<
      TenantId,
      Set<string>
    >;
    const ownerOf = new Map<string, TenantId>();
    const own = (tenant: TenantId, id: string) => {
      owned[tenant].add(id);
      ownerOf.set(id, tenant);
    };
    /**
     * Import ids each tenant's lists showed. A tenant's own scratch import can be listed before
     * its creation's answer is in (and known here): every id is judged once all are known.
     */
    const listed: { tenant: TenantId; id: string }[] = [];

    // The imports: uploaded, created and started, all at once.
    const imports = await Promise.all(
      planned.map(async (p) => {
        const api = clients[p.tenant];
        const key = await api.upload(`load-${p.n}.${p.kind.endsWith("jsonl") ? "jsonl" : "csv"}`, p.file);
        const importId = await api.createImport({ ...p.config, source: { type: "upload", key } });
        own(p.tenant, importId);
        return { ...p, importId };
      }),
    );
    const started = performance.now();
    const runs = await Promise.all(
      imports.map(async (p) => {
        const res = await traffic.call<RunView>(
          clients[p.tenant],
          "POST",
          `/v1/imports/${p.importId}/runs`,
          {},
        );
        if (res.status !== 202) throw new Error(`start run: ${res.status} ${res.text}`);
        own(p.tenant, res.body.id);
        return { ...p, runId: res.body.id };
      }),
    );

    // Other clients, for as long as the imports run: reads of every kind, and imports created,
    // renamed and deleted, each checked for other tenants' data.
    let importing = true;
    const client = async (tenant: TenantId, worker: number) => {
      const api = clients[tenant];
      const mine = runs.filter((r) => r.tenant === tenant);
      const theirs = runs.filter((r) => r.tenant !== tenant);
      for (let round = 0; importing; round++) {
        const pick = mine[(round + worker) % mine.length] as (typeof runs)[number];
        const other = theirs[(round * 7 + worker) % theirs.length] as (typeof runs)[number];
        const list = await traffic.call<{ items: { id: string }[] }>(api, "GET", "/v1/imports?limit=100");
        traffic.expect(list.status === 200, `GET imports: ${list.status}`);
        for (const item of list.body.items ?? []) listed.push({ tenant, id: item.id });
        const got = await traffic.call<{ id: string }>(api, "GET", `/v1/imports/${pick.importId}`);
        traffic.expect(got.status === 200 && got.body.id === pick.importId, `GET own import: ${got.status}`);
        const runList = await traffic.call<{ items: { id: string }[] }>(
          api,
          "GET",
          `/v1/imports/${pick.importId}/runs`,
        );
        for (const item of runList.body.items ?? [])
          if (ownerOf.get(item.id) !== tenant) traffic.leaks.push(`${tenant} listed run ${item.id}`);
        const run = await traffic.call(api, "GET", `/v1/runs/${pick.runId}`);
        traffic.expect(run.status === 200, `GET own run: ${run.status}`);
        const sample = pick.samples[round % pick.samples.length] as string;
        await traffic.call(api, "GET", sample);
        // Another tenant's import, run and data are not there for this one.
        for (const path of [
          `/v1/imports/${other.importId}`,
          `/v1/runs/${other.runId}`,
          `/v1/imports/${other.importId}/runs`,
          other.samples[round % other.samples.length] as string,
        ]) {
          const res = await traffic.call(api, "GET", path);
          if (res.status !== 404)
            traffic.leaks.push(`${tenant} GET ${path} of ${other.tenant}: ${res.status}`);
        }
        const created = await traffic.call<{ id: string }>(api, "POST", "/v1/imports", {
          name: `Scratch ${worker}.${round}`,
          type: "customers",
          format: "csv",
          source: { type: "url", url: "https://files.shop.example/customers.csv" },
          options: { userIdField: "email", userIdType: "email" },
        });
        traffic.expect(
          created.status === 201,
          `POST import: ${created.status} ${created.text.slice(0, 200)}`,
        );
        if (created.status !== 201) continue;
        own(tenant, created.body.id);
        const renamed = await traffic.call<{ name: string }>(api, "PATCH", `/v1/imports/${created.body.id}`, {
          name: `Renamed ${worker}.${round}`,
        });
        traffic.expect(
          renamed.status === 200 && renamed.body.name === `Renamed ${worker}.${round}`,
          `PATCH: ${renamed.status}`,
        );
        const foreign = await traffic.call(clients[other.tenant], "PATCH", `/v1/imports/${created.body.id}`, {
          name: "Not yours",
        });
        if (foreign.status !== 404)
          traffic.leaks.push(`${other.tenant} PATCHed ${created.body.id}: ${foreign.status}`);
        const deleted = await traffic.call(api, "DELETE", `/v1/imports/${created.body.id}`);
        traffic.expect(deleted.status === 204, `DELETE: ${deleted.status}`);
      }
    };
    const apiStarted = performance.now();
    const background = Promise.all(TENANTS.flatMap((t) => [0, 1, 2, 3].map((w) => client(t, w))));

    const finished = await Promise.all(
      runs.map(async (r) => ({ ...r, run: await clients[r.tenant].waitForRun(r.runId, 200_000) })),
    );
    const importSeconds = (performance.now() - started) / 1000;
    importing = false;
    await background;
    const apiSeconds = (performance.now() - apiStarted) / 1000;
    // Every import a tenant's list showed is one it created: any other id is a leak.
    for (const { tenant, id } of listed)
      if (!owned[tenant].has(id))
        traffic.leaks.push(
          `${tenant} listed ${id}, ${ownerOf.has(id) ? `of ${ownerOf.get(id)}` : "no import of its own"}`,
        );

    // Counts: every run's stats, and what the store holds of each tenant.
    const wrongRuns = finished.filter(
      (r) =>
        r.run.status !== "completed" ||
        r.run.stats.itemsRead !== r.items ||
        r.run.stats.itemsValid !== r.items ||
        r.run.stats.added !== r.items ||
        r.run.stats.rowsRead !== r.rows,
    );
    const stored: Record<string, Record<string, number>> = {};
    const expected: Record<string, Record<string, number>> = {};
    for (const tenant of TENANTS) {
      const mine = finished.filter((r) => r.tenant === tenant);
      const sum = (kinds: Kind[], per = (r: Planned) => r.items) =>
        mine.filter((r) => kinds.includes(r.kind)).reduce((s, r) => s + per(r), 0);
      // Each order's buyer gets a profile of its own.
      expected[tenant] = {
        orders: sum(["orders"]),
        line_items: sum(["orders"], (r) => r.rows),
        profiles: sum(["orders", "customers_csv", "customers_jsonl"]),
        products: sum(["products_jsonl", "products_tsv"]),
      };
      const counts = await stack.storeCounts(tenant);
      stored[tenant] = {
        orders: counts.orders,
        line_items: counts.lineItems,
        profiles: counts.profiles,
        products: counts.products,
      };
    }
    // Every sample is there for its own tenant, an order with exactly its two line items.
    let samplesLost = 0;
    let samplesDoubled = 0;
    for (const r of finished)
      for (const path of r.samples) {
        const res = await traffic.call<{ lineItems?: unknown[] }>(clients[r.tenant], "GET", path);
        const lines = r.kind === "orders" ? (res.body.lineItems?.length ?? 0) : 2;
        if (res.status !== 200 || lines < 2) samplesLost++;
        if (lines > 2) samplesDoubled++;
        traffic.expect(
          res.status === 200 && lines === 2,
          `GET ${path} (own): ${res.status}, ${lines} line items`,
        );
      }
    // Rows short of what the files make are lost, rows beyond them doubled (counted in the shards);
    // the samples read back count too, when they find more.
    const tables = (t: string) => Object.keys(expected[t] ?? {});
    const short = TENANTS.reduce(
      (n, t) =>
        n + tables(t).reduce((m, k) => m + Math.max(0, (expected[t]?.[k] ?? 0) - (stored[t]?.[k] ?? 0)), 0),
      0,
    );
    const over = TENANTS.reduce(
      (n, t) =>
        n + tables(t).reduce((m, k) => m + Math.max(0, (stored[t]?.[k] ?? 0) - (expected[t]?.[k] ?? 0)), 0),
      0,
    );

    const rows = finished.reduce((s, r) => s + r.rows, 0);
    const rowsPerSecond = Math.round(rows / importSeconds);
    const requestsPerSecond = Math.round(traffic.latencies.length / apiSeconds);
    const detail = `${IMPORTS} imports, ${rows} rows in ${importSeconds.toFixed(1)} s (${rowsPerSecond} rows/s); API ${traffic.latencies.length} requests in ${apiSeconds.toFixed(1)} s (${requestsPerSecond} req/s, p50 ${traffic.p(0.5).toFixed(0)} ms, p99 ${traffic.p(0.99).toFixed(0)} ms); ${traffic.serverErrors.length} 5xx`;
    console.log(detail);
    const asExpected =
      wrongRuns.length === 0 &&
      JSON.stringify(stored) === JSON.stringify(expected) &&
      traffic.leaks.length === 0 &&
      traffic.serverErrors.length === 0 &&
      traffic.unexpected.length === 0;
    recordCase({
      suite: "load",
      name: CASE,
      expected: "every import completes with the right counts; no 5xx; no tenant sees another's data",
      asExpected,
      itemsLost: Math.max(short, samplesLost),
      duplicates: Math.max(over, samplesDoubled),
      crossTenantLeaks: traffic.leaks.length,
      detail,
    });

    expect(
      wrongRuns.map((r) => ({ n: r.n, kind: r.kind, status: r.run.status, stats: r.run.stats })),
    ).toEqual([]);
    expect(stored).toEqual(expected);
    expect(traffic.leaks).toEqual([]);
    expect(traffic.serverErrors).toEqual([]);
    expect(traffic.unexpected).toEqual([]);
    // The API was busy the whole time, not idle next to the imports.
    expect(traffic.latencies.length).toBeGreaterThan(200);
  }, 240_000);
});
