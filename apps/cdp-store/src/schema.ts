/**
 * The schema of every shard object, as a list of upgrades. An object records the version it is
 * at (table `schema_version`) and applies the upgrades past it when it starts, before it answers
 * any call, so a deployment that adds an upgrade moves each object over on its first use.
 * Upgrades are append-only: never edit one that has shipped.
 *
 * Rows name runs by a small number (table `runs`), and orders keep their fields by position
 * under a codec (see codec.ts): both keep a stored order line near the size of the CSV line it
 * came from. A table's rows go in rowid order as they are written, so its pages fill up; the
 * UNIQUE index of the id is the only structure that grows at random places.
 */
export const UPGRADES: readonly (readonly string[])[] = [
  // 1: orders, products, profiles and their ids.
  [
    // The name the object was first called by (see CdpShard.enter).
    `CREATE TABLE self (name TEXT NOT NULL)`,
    `CREATE TABLE runs (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)`,
    `CREATE TABLE codecs (n INTEGER PRIMARY KEY, codec TEXT NOT NULL UNIQUE)`,
    // buyer: the key of the buyer's id (as profile_ids.key), null for an order without one;
    // placed_at: createdAt in milliseconds. Both only to find a person's orders.
    `CREATE TABLE orders (
      n INTEGER PRIMARY KEY,
      order_id TEXT NOT NULL UNIQUE,
      buyer INTEGER,
      placed_at INTEGER NOT NULL,
      version INTEGER NOT NULL,
      created_run INTEGER NOT NULL,
      changed_run INTEGER NOT NULL,
      codec INTEGER NOT NULL,
      lines INTEGER NOT NULL,
      pages INTEGER NOT NULL,
      data TEXT NOT NULL
    )`,
    // The line items of an order too long for its row, in pages (see codec.ts, PAGE_CHARS).
    `CREATE TABLE order_pages (
      orders_n INTEGER NOT NULL,
      page INTEGER NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (orders_n, page)
    ) WITHOUT ROWID`,
    `CREATE INDEX orders_buyer ON orders (buyer) WHERE buyer IS NOT NULL`,
    `CREATE TABLE products (
      n INTEGER PRIMARY KEY,
      product_id TEXT NOT NULL UNIQUE,
      version INTEGER NOT NULL,
      created_run INTEGER NOT NULL,
      changed_run INTEGER NOT NULL,
      updated_at TEXT NOT NULL,
      data TEXT NOT NULL
    )`,
    // Profile numbers are never given twice (AUTOINCREMENT): they are the profiles' public ids.
    // Times are milliseconds since the epoch.
    `CREATE TABLE profiles (
      n INTEGER PRIMARY KEY AUTOINCREMENT,
      attributes TEXT NOT NULL,
      version INTEGER NOT NULL,
      created_run INTEGER NOT NULL,
      changed_run INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    // key: hash53 of the id's type and value (see identity.ts).
    `CREATE TABLE profile_ids (
      n INTEGER PRIMARY KEY,
      key INTEGER NOT NULL,
      id_type TEXT NOT NULL,
      id_value TEXT NOT NULL,
      profile INTEGER NOT NULL
    )`,
    `CREATE INDEX profile_ids_key ON profile_ids (key)`,
    `CREATE INDEX profile_ids_profile ON profile_ids (profile)`,
  ],
  // 2: which run last changed each attribute of a profile ({ attribute: run id }).
  [`ALTER TABLE profiles ADD COLUMN attribute_runs TEXT NOT NULL DEFAULT '{}'`],
  // 3: the items each run added or changed last, in the order they were first stored (see
  // runItems): an index of small numbers, which grows at its end as a run writes.
  [
    `CREATE INDEX orders_run ON orders (changed_run)`,
    `CREATE INDEX products_run ON products (changed_run)`,
    `CREATE INDEX profiles_run ON profiles (changed_run)`,
  ],
];

export const SCHEMA_VERSION = UPGRADES.length;

/** The version an object's storage is at: 0 when it is new. */
export function schemaVersion(sql: SqlStorage): number {
  const table = sql
    .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .toArray();
  if (table.length === 0) return 0;
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  return row?.version ?? 0;
}

/** Brings an object's storage to `target` (all upgrades by default), in one transaction. */
export function upgrade(storage: DurableObjectStorage, target = SCHEMA_VERSION): void {
  storage.transactionSync(() => {
    const sql = storage.sql;
    const from = schemaVersion(sql);
    if (from >= target) return;
    if (from === 0) sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    for (const statement of UPGRADES.slice(from, target).flat()) sql.exec(statement);
    sql.exec("DELETE FROM schema_version");
    sql.exec("INSERT INTO schema_version (version) VALUES (?)", target);
  });
}
