import { type LineItem, type Order, storedIdValue } from "@cdp/core";
import type { Db } from "../db";
import {
  type Change,
  classify,
  col,
  count,
  encodedSize,
  packBySize,
  readRows,
  runBatches,
  STATEMENT_PAYLOAD_BYTES,
  type StoredVersion,
  statementsFor,
  statementsForEncoded,
  versionHash,
  type WriteCounts,
  type WriteScope,
} from "./common";
import { ensureProfileStatements } from "./profiles";

const STORED_SQL = `SELECT order_id, content_hash, created_run, changed_run FROM orders
  WHERE tenant_id = ?1 AND order_id IN (SELECT value FROM json_each(?2))`;

const UPSERT_ORDERS_SQL = `INSERT INTO orders (tenant_id, order_id, user_id_type, user_id, currency, total, refund,
    created_at, data, content_hash, created_run, changed_run, updated_at)
  SELECT ?1, ${col(0)}, ${col(1)}, ${col(2)}, ${col(3)}, ${col(4)}, ${col(5)}, ${col(6)}, ${col(7)}, ${col(8)}, ?3, ?3, ?4
  FROM json_each(?2) WHERE true
  ON CONFLICT (tenant_id, order_id) DO UPDATE SET user_id_type = excluded.user_id_type, user_id = excluded.user_id,
    currency = excluded.currency, total = excluded.total, refund = excluded.refund, created_at = excluded.created_at,
    data = excluded.data, content_hash = excluded.content_hash, changed_run = excluded.changed_run,
    updated_at = excluded.updated_at`;

const DELETE_LINE_ITEMS_SQL = `DELETE FROM line_items
  WHERE tenant_id = ?1 AND order_id IN (SELECT value FROM json_each(?2))`;

const INSERT_LINE_ITEMS_SQL = `INSERT INTO line_items (tenant_id, order_id, position, data)
  SELECT ?1, ${col(0)}, ${col(1)}, ${col(2)} FROM json_each(?2)`;

interface OrderWrite {
  order: Order;
  /** The order's row for UPSERT_ORDERS_SQL, as JSON text. */
  row: string;
  /** Its line items' rows for INSERT_LINE_ITEMS_SQL, as JSON text. */
  lines: string[];
  /** Whether the store held this order before: only then may it have line items to replace. */
  stored: boolean;
}

/** An order encoded once: its rows, and the version hash of its content (fields and line items). */
function encodeOrder(order: Order): { row: string; lines: string[]; hash: string } {
  const { lineItems, ...fields } = order;
  const fieldsJson = JSON.stringify(fields);
  const id = JSON.stringify(order.orderId);
  const lines = lineItems.map((item, position) => `[${id},${position},${JSON.stringify(item)}]`);
  const hash = versionHash(lines.length > 0 ? `${fieldsJson}\n${lines.join("\n")}` : fieldsJson);
  const columns = [
    // An order without a buyer has empty user columns, which no profile's id matches.
    order.userIdType ?? "",
    // Stored as profile ids are, so that a profile finds its orders.
    order.userIdType === null || order.userId === null ? "" : storedIdValue(order.userIdType, order.userId),
    order.currency,
    order.total,
    order.refund,
    order.createdAt,
  ].map((value) => JSON.stringify(value));
  // The fields nested as JSON, not as a string of JSON: json_extract hands the object's text to
  // the column without a second round of escaping.
  const row = `[${id},${columns.join(",")},${fieldsJson},"${hash}"]`;
  return { row, lines, hash };
}

/**
 * Upserts orders by (tenant, orderId): one bulk read of what is stored, then the changed
 * orders in as few batches as possible. An order's line items are replaced as a whole in the
 * same transaction as the order, so a re-imported order that became cancelled or refunded shows
 * that. The buyer of every written order gets a profile if the id has none (an order without a
 * buyer gets none). Each order is
 * encoded as JSON once, and that text is both what is hashed and what is sent.
 */
export async function writeOrders(db: Db, scope: WriteScope, orders: Order[]): Promise<WriteCounts> {
  const stored = new Map<string, StoredVersion | undefined>(
    (
      await readRows<StoredVersion & { order_id: string }>(db, STORED_SQL, scope.tenantId, [
        ...new Set(orders.map((o) => o.orderId)),
      ])
    ).map((row) => [row.order_id, row]),
  );
  const changes: Change[] = [];
  // The last version of an order in the call is the one stored.
  const toWrite = new Map<string, OrderWrite>();
  for (const order of orders) {
    const { row, lines, hash } = encodeOrder(order);
    const before = stored.get(order.orderId);
    const { change, write, next } = classify(before, hash, scope.runId);
    changes.push(change);
    stored.set(order.orderId, next);
    if (write) {
      const wasStored = before !== undefined || toWrite.get(order.orderId)?.stored === true;
      toWrite.set(order.orderId, { order, row, lines, stored: wasStored });
    }
  }
  if (!scope.dryRun && toWrite.size > 0) {
    const groups = await Promise.all(
      packBySize([...toWrite.values()], (w) => encodedSize(w.row), STATEMENT_PAYLOAD_BYTES).map((group) =>
        orderStatements(db, scope, group),
      ),
    );
    await runBatches(db, groups, scope.afterBatch);
  }
  return count(changes);
}

/** Orders, their line items and their buyers' profiles: one transaction. */
async function orderStatements(
  db: Db,
  scope: WriteScope,
  group: OrderWrite[],
): Promise<D1PreparedStatement[]> {
  // A new order has no line items to delete (an order and its lines are written together); one
  // that appeared since the read makes the insert conflict, and the retry then replaces them.
  const replaced = group.filter((w) => w.stored).map((w) => w.order.orderId);
  return [
    ...(await ensureProfileStatements(
      db,
      scope,
      group.flatMap(({ order }) =>
        order.userIdType === null || order.userId === null
          ? []
          : [{ type: order.userIdType, value: order.userId }],
      ),
    )),
    ...statementsForEncoded(
      db,
      UPSERT_ORDERS_SQL,
      scope.tenantId,
      group.map((w) => w.row),
      scope.runId,
      scope.now,
    ),
    ...statementsFor(db, DELETE_LINE_ITEMS_SQL, scope.tenantId, replaced),
    ...statementsForEncoded(
      db,
      INSERT_LINE_ITEMS_SQL,
      scope.tenantId,
      group.flatMap((w) => w.lines),
    ),
  ];
}

/** An order with its line items in file order, or null. */
export async function getOrder(db: Db, tenantId: string, orderId: string): Promise<Order | null> {
  const [orderRows, lineRows] = await db.batch<{ data: string }>([
    db.prepare("SELECT data FROM orders WHERE tenant_id = ?1 AND order_id = ?2").bind(tenantId, orderId),
    db
      .prepare("SELECT data FROM line_items WHERE tenant_id = ?1 AND order_id = ?2 ORDER BY position")
      .bind(tenantId, orderId),
  ]);
  const row = orderRows?.results[0];
  if (!row) return null;
  const lineItems = (lineRows?.results ?? []).map((r) => JSON.parse(r.data) as LineItem);
  return { ...(JSON.parse(row.data) as Omit<Order, "lineItems">), lineItems };
}
