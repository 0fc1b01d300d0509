import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenantWithKey, findTenantByApiKey } from "../src/index";

interface StoreEnv {
  CONFIG_DB: D1Database;
}
const db = (env as unknown as StoreEnv).CONFIG_DB;

describe("tenants and API keys", () => {
  it("finds the tenant of a key, and stores only the key's hash", async () => {
    await createTenantWithKey(db, { id: "acme", name: "Acme" }, "key_secret_acme", "2026-01-01T00:00:00Z");
    expect(await findTenantByApiKey(db, "key_secret_acme")).toEqual({ id: "acme", name: "Acme", shards: 4 });
    const stored = await db.prepare("SELECT key_hash, prefix FROM api_keys").all();
    expect(JSON.stringify(stored.results)).not.toContain("key_secret_acme");
    expect(stored.results[0]).toMatchObject({ key_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("refuses unknown and revoked keys", async () => {
    await createTenantWithKey(db, { id: "beta", name: "Beta" }, "key_beta", "2026-01-01T00:00:00Z");
    expect(await findTenantByApiKey(db, "key_unknown")).toBeNull();
    await db.prepare("UPDATE api_keys SET revoked_at = '2026-01-02' WHERE tenant_id = 'beta'").run();
    expect(await findTenantByApiKey(db, "key_beta")).toBeNull();
  });
});

interface Column {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

/**
 * One row of a tenant in every table of CONFIG_DB, found from the schema itself: a tenant id
 * where a column holds one, the parent's key where a column names a parent (a declared foreign
 * key, or `<x>_id` of a table `<x>s`), and a value naming the tenant in every other column that
 * must have one. A table added later is seeded and checked without anyone listing it here.
 */
async function seedEveryTable(tenant: string): Promise<string[]> {
  const { results: tables } = await db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
    )
    .all<{ name: string }>();
  const names = new Set(tables.map((t) => t.name));
  const columns = new Map<string, Column[]>();
  const parents = new Map<string, Map<string, { table: string; column: string }>>();
  for (const { name } of tables) {
    columns.set(name, (await db.prepare(`PRAGMA table_info(${name})`).all<Column>()).results);
    const links = new Map<string, { table: string; column: string }>();
    const declared = await db
      .prepare(`PRAGMA foreign_key_list(${name})`)
      .all<{ table: string; from: string; to: string }>();
    for (const fk of declared.results) links.set(fk.from, { table: fk.table, column: fk.to });
    const own = columns.get(name) ?? [];
    for (const column of own) {
      // `run_id` names a row of `runs`, `event_id` one of `webhook_events`; a table's own single
      // key (inbox_uploads.upload_id) names nothing else.
      const stem = /^(\w+)_id$/.exec(column.name)?.[1];
      const soleKey = column.pk === 1 && own.filter((c) => c.pk > 0).length === 1;
      const parent = [...names].find((t) => t === `${stem}s` || t.endsWith(`_${stem}s`));
      if (!stem || soleKey || !parent || parent === name || links.has(column.name)) continue;
      links.set(column.name, { table: parent, column: "id" });
    }
    parents.set(name, links);
  }
  // Parents before children.
  const ordered: string[] = [];
  const visit = (table: string) => {
    if (ordered.includes(table)) return;
    for (const link of parents.get(table)?.values() ?? []) if (link.table !== table) visit(link.table);
    ordered.push(table);
  };
  for (const table of names) visit(table);
  const keys = new Map<string, Record<string, unknown>>();
  for (const table of ordered) {
    const row: Record<string, unknown> = {};
    for (const column of columns.get(table) ?? []) {
      const link = parents.get(table)?.get(column.name);
      if (table === "tenants" && column.name === "id") row.id = tenant;
      else if (link) row[column.name] = keys.get(link.table)?.[link.column] ?? null;
      else if (
        column.pk === 1 &&
        /^INTEGER$/i.test(column.type) &&
        !(columns.get(table) ?? []).some((c) => c.pk > 1)
      )
        continue; // a rowid: SQLite numbers it
      else if (column.pk || (column.notnull && column.dflt_value === null))
        row[column.name] = /INT/i.test(column.type) ? 1 : `${table}.${column.name}.${tenant}`;
    }
    const fields = Object.keys(row);
    await db
      .prepare(
        `INSERT INTO ${table} (${fields.join(", ")}) VALUES (${fields.map((_, i) => `?${i + 1}`).join(", ")})`,
      )
      .bind(...fields.map((f) => row[f]))
      .run();
    keys.set(table, row);
  }
  return ordered;
}

describe("deleting a tenant's rows", () => {
  it("leaves no row of the tenant in any table, and every row of another", async () => {
    const { deleteTenantRows } = await import("../src/index");
    const tables = await seedEveryTable("gone");
    await seedEveryTable("kept");
    expect(tables).toEqual(expect.arrayContaining(["tenants", "runs", "inbox_keys", "webhook_deliveries"]));
    await deleteTenantRows(db, "gone");
    for (const table of tables) {
      const { results } = await db.prepare(`SELECT * FROM ${table}`).all();
      expect(JSON.stringify(results), table).not.toContain("gone");
      expect(JSON.stringify(results), table).toContain("kept");
    }
  });
});
