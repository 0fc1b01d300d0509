import type { Order, Product, UserId } from "@cdp/core";
import { type Change, classify, type StoredVersion, type WriteContext } from "./classify";
import { type Codec, decodeOrder, type OrderRow, type ProductRow } from "./codec";
import { buyerOf, idKey, storedId } from "./ids";
import { hash53 } from "./names";
import { noCounts, type OrderPosition, type OrderSummaryRow, type WriteCounts } from "./types";

// Orders and products: the data shards' part of a tenant's CDP data.

const STORED_ORDERS_SQL = `SELECT order_id AS id, version, created_run, changed_run FROM orders
  WHERE order_id IN (SELECT value FROM json_each(?))`;
const UPDATE_ORDER_SQL = `UPDATE orders SET buyer = ?, placed_at = ?, version = ?, changed_run = ?,
    codec = ?, lines = ?, pages = ?, data = ? WHERE order_id = ? RETURNING n`;
const ADD_ORDER_SQL = `INSERT INTO orders
    (order_id, buyer, placed_at, version, created_run, changed_run, codec, lines, pages, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING n`;
const ORDER_SQL = "SELECT n, codec, pages, data FROM orders WHERE order_id = ?";
const PAGES_SQL = "SELECT data FROM order_pages WHERE orders_n = ? ORDER BY page";
const ADD_PAGE_SQL = "INSERT INTO order_pages (orders_n, page, data) VALUES (?, ?, ?)";
const DELETE_PAGES_SQL = "DELETE FROM order_pages WHERE orders_n = ?";
// Where a person's orders are, by the keys of their ids (an index of 8-byte keys); the orders
// themselves are then read newest first and checked against the ids, since two ids may share a key.
const BUYER_ROWS_SQL = `SELECT n, order_id, placed_at FROM orders
  WHERE buyer IN (SELECT value FROM json_each(?))`;
const ROW_SQL = "SELECT codec, lines, pages, data FROM orders WHERE n = ?";
const DELETE_ORDER_SQL = "DELETE FROM orders WHERE n = ?";

const STORED_PRODUCTS_SQL = `SELECT product_id AS id, version, created_run, changed_run FROM products
  WHERE product_id IN (SELECT value FROM json_each(?))`;
const UPDATE_PRODUCT_SQL = `UPDATE products SET version = ?, changed_run = ?, updated_at = ?, data = ?
  WHERE product_id = ?`;
const PRODUCTS_SQL = "SELECT data FROM products WHERE product_id IN (SELECT value FROM json_each(?))";

/**
 * INSERT statements of `table`'s `columns` for 0 … `most` rows (index = rows), each within the
 * 100 parameters a statement may bind: rows new to a shard go in a few statements, not one each.
 *
 * `OR FAIL`: a statement that writes many rows and may stop at a constraint (ABORT, the default)
 * makes SQLite copy each page it changes to a statement journal first, so that it can undo that
 * statement alone; past 64 KiB that journal is a file. Here a failed statement fails the whole
 * write, whose transaction undoes everything, so that copy was never needed: it cost a fifth of
 * the store's CPU in an import (bench:import --perf, subjournalPageIfRequired). The multi-row
 * INSERTs of identity.ts say the same.
 */
function insertStatements(table: string, columns: string[]): string[] {
  const row = `(${columns.map(() => "?").join(", ")})`;
  return Array.from(
    { length: Math.floor(100 / columns.length) + 1 },
    (_, k) => `INSERT OR FAIL INTO ${table} (${columns.join(", ")}) VALUES ${Array(k).fill(row).join(", ")}`,
  );
}

const INSERT_ORDERS_SQL = insertStatements("orders", [
  "order_id",
  "buyer",
  "placed_at",
  "version",
  "created_run",
  "changed_run",
  "codec",
  "lines",
  "pages",
  "data",
]);
const INSERT_PRODUCTS_SQL = insertStatements("products", [
  "product_id",
  "version",
  "created_run",
  "changed_run",
  "updated_at",
  "data",
]);

/** Runs the multi-row INSERTs of `statements` over `rows` of values, in as few statements as fit. */
function insertRows(sql: SqlStorage, statements: string[], rows: unknown[][]): void {
  const most = statements.length - 1;
  for (let at = 0; at < rows.length; at += most) {
    const part = rows.slice(at, at + most);
    sql.exec(statements[part.length] as string, ...part.flat());
  }
}

/** What the shard holds of each of these ids, keyed by id. */
function storedVersions(sql: SqlStorage, query: string, ids: string[]): Map<string, StoredVersion> {
  const stored = new Map<string, StoredVersion>();
  for (const row of sql.exec<StoredVersion & { id: string }>(query, JSON.stringify([...new Set(ids)])))
    stored.set(row.id, row);
  return stored;
}

/**
 * Classifies rows (keyed by their first value, versioned by `versionOf`) against what the shard
 * holds, and answers the counts and the rows to write: each key's last version, to update when
 * the table has it already, to insert when this call brings it.
 */
function plan<R extends unknown[]>(
  stored: Map<string, StoredVersion>,
  rows: R[],
  versionOf: (row: R) => number,
  run: number,
): { counts: WriteCounts; writes: { row: R; next: StoredVersion; update: boolean }[] } {
  const counts = noCounts();
  const writes = new Map<string, { row: R; next: StoredVersion; update: boolean }>();
  for (const row of rows) {
    const key = row[0] as string;
    const before = stored.get(key);
    const { change, write, next } = classify(before, versionOf(row), run);
    counts[change as Change]++;
    stored.set(key, next);
    if (write) writes.set(key, { row, next, update: writes.get(key)?.update ?? before !== undefined });
  }
  return { counts, writes: [...writes.values()] };
}

/**
 * Upserts orders by id, each with its line items in its row (see codec.ts): an order re-imported
 * as cancelled or refunded replaces the stored one whole. The last version of an order given
 * twice is the one stored.
 */
export function writeOrders(ctx: WriteContext, codec: number, rows: OrderRow[]): WriteCounts {
  const stored = storedVersions(
    ctx.sql,
    STORED_ORDERS_SQL,
    rows.map((row) => row[0]),
  );
  const { counts, writes } = plan(stored, rows, (row) => row[3], ctx.run);
  const inserts: unknown[][] = [];
  writes.forEach(({ row, next, update }, i) => {
    if (i === writes.length >> 1) ctx.midWrite();
    const [orderId, buyer, placedAt, version, lines, data, pages] = row;
    const changed = ctx.stamp(next.changed_run);
    const created = ctx.stamp(next.created_run);
    if (update) {
      const fields = [buyer, placedAt, version, changed, codec, lines, pages.length, data, orderId];
      const { n } = ctx.sql.exec<{ n: number }>(UPDATE_ORDER_SQL, ...fields).one();
      ctx.sql.exec(DELETE_PAGES_SQL, n);
      writePages(ctx.sql, n, pages);
    } else if (pages.length > 0) {
      const fields = [orderId, buyer, placedAt, version, created, changed, codec, lines, pages.length, data];
      writePages(ctx.sql, ctx.sql.exec<{ n: number }>(ADD_ORDER_SQL, ...fields).one().n, pages);
    } else inserts.push([orderId, buyer, placedAt, version, created, changed, codec, lines, 0, data]);
  });
  insertRows(ctx.sql, INSERT_ORDERS_SQL, inserts);
  return counts;
}

function writePages(sql: SqlStorage, order: number, pages: string[]): void {
  pages.forEach((page, i) => {
    sql.exec(ADD_PAGE_SQL, order, i, page);
  });
}

/** The pages of an order's line items, when it has any. */
const pagesOf = (sql: SqlStorage, order: number, pages: number): string[] =>
  pages === 0
    ? []
    : sql
        .exec<{ data: string }>(PAGES_SQL, order)
        .toArray()
        .map((row) => row.data);

/** Upserts products by id, classified like orders. */
export function writeProducts(ctx: WriteContext, rows: ProductRow[]): WriteCounts {
  const stored = storedVersions(
    ctx.sql,
    STORED_PRODUCTS_SQL,
    rows.map((row) => row[0]),
  );
  const { counts, writes } = plan(stored, rows, (row) => row[1], ctx.run);
  const inserts: unknown[][] = [];
  writes.forEach(({ row, next, update }, i) => {
    if (i === writes.length >> 1) ctx.midWrite();
    const [productId, version, data] = row;
    const changed = ctx.stamp(next.changed_run);
    if (update) ctx.sql.exec(UPDATE_PRODUCT_SQL, version, changed, ctx.now, data, productId);
    else inserts.push([productId, version, ctx.stamp(next.created_run), changed, ctx.now, data]);
  });
  insertRows(ctx.sql, INSERT_PRODUCTS_SQL, inserts);
  return counts;
}

/** The orders or products a run (by its number in this shard) added or changed last, after row `after`. */
export function runRows(
  sql: SqlStorage,
  kind: "orders" | "products",
  run: number,
  after: number,
  limit: number,
): { n: number; id: string }[] {
  const query =
    kind === "orders"
      ? "SELECT n, order_id AS id FROM orders WHERE changed_run = ? AND n > ? ORDER BY n LIMIT ?"
      : "SELECT n, product_id AS id FROM products WHERE changed_run = ? AND n > ? ORDER BY n LIMIT ?";
  return sql.exec<{ n: number; id: string }>(query, run, after, limit).toArray();
}

export function getOrder(sql: SqlStorage, codecOf: (n: number) => Codec, orderId: string): Order | null {
  const row = sql
    .exec<{ n: number; codec: number; pages: number; data: string }>(ORDER_SQL, orderId)
    .toArray()[0];
  return row ? decodeOrder(row.data, codecOf(row.codec), pagesOf(sql, row.n, row.pages)) : null;
}

export function getProducts(sql: SqlStorage, ids: string[]): Product[] {
  if (ids.length === 0) return [];
  return sql
    .exec<{ data: string }>(PRODUCTS_SQL, JSON.stringify(ids))
    .toArray()
    .map((row) => JSON.parse(row.data) as Product);
}

/** A stored order of a person, where it sits among their orders, and its row. */
export interface BuyerOrder {
  n: number;
  order: Order;
  at: OrderPosition;
  lines: number;
}

/**
 * The orders placed under any of `ids`, newest first (then by id, descending), after `before`: at
 * most `limit`. Rows are found by the keys of the ids and kept only when the order names one of
 * the ids itself.
 */
export function buyerOrders(
  sql: SqlStorage,
  codecOf: (n: number) => Codec,
  ids: UserId[],
  before: OrderPosition | null,
  limit: number,
): BuyerOrder[] {
  const wanted = new Set(ids.map(storedId).map(idKey));
  const keys = JSON.stringify([...new Set([...wanted].map(hash53))]);
  const newestFirst = (a: OrderPosition, b: OrderPosition) =>
    b.placedAt - a.placedAt || (a.orderId < b.orderId ? 1 : a.orderId > b.orderId ? -1 : 0);
  const places = sql
    .exec<{ n: number; order_id: string; placed_at: number }>(BUYER_ROWS_SQL, keys)
    .toArray()
    .map((row) => ({ n: row.n, at: { placedAt: row.placed_at, orderId: row.order_id } }))
    .filter((place) => !before || newestFirst(before, place.at) < 0)
    .sort((a, b) => newestFirst(a.at, b.at));
  const out: BuyerOrder[] = [];
  for (const { n, at } of places) {
    if (out.length >= limit) break;
    const row = sql.exec<{ codec: number; lines: number; pages: number; data: string }>(ROW_SQL, n).one();
    const order = decodeOrder(row.data, codecOf(row.codec), pagesOf(sql, n, row.pages));
    const buyer = buyerOf(order);
    if (buyer && wanted.has(idKey(buyer))) out.push({ n, order, at, lines: row.lines });
  }
  return out;
}

/** Per currency: how many orders a person placed, Σ (total − refund), the first and the last. */
export function summarize(orders: BuyerOrder[]): OrderSummaryRow[] {
  const byCurrency = new Map<string, OrderSummaryRow>();
  for (const { order } of orders) {
    const row = byCurrency.get(order.currency) ?? {
      currency: order.currency,
      count: 0,
      revenue: 0,
      firstOrderAt: order.createdAt,
      lastOrderAt: order.createdAt,
    };
    row.count++;
    row.revenue += order.total - order.refund;
    if (order.createdAt < row.firstOrderAt) row.firstOrderAt = order.createdAt;
    if (order.createdAt > row.lastOrderAt) row.lastOrderAt = order.createdAt;
    byCurrency.set(order.currency, row);
  }
  return [...byCurrency.values()];
}

/** Deletes these orders; says how many, and their line items. */
export function deleteOrders(sql: SqlStorage, orders: BuyerOrder[]): { orders: number; lineItems: number } {
  for (const { n } of orders) {
    sql.exec(DELETE_PAGES_SQL, n);
    sql.exec(DELETE_ORDER_SQL, n);
  }
  return { orders: orders.length, lineItems: orders.reduce((sum, o) => sum + o.lines, 0) };
}
