import type { LineItem, Order } from "@cdp/core";
import type { Db } from "../db";
import {
  type Change,
  classify,
  contentHash,
  count,
  readByKeys,
  runBatches,
  type StoredVersion,
  valuesClause,
  type WriteCounts,
  type WriteScope,
} from "./common";
import { ensureProfiles } from "./profiles";

const ORDER_PARAMS = 13;
const LINE_PARAMS = 4;

/**
 * Upserts orders by (tenant, orderId). An order's line items are replaced as a whole, in the
 * same transaction, so a re-imported order that became cancelled or refunded shows that. Every
 * buyer gets a profile.
 */
export async function writeOrders(db: Db, scope: WriteScope, orders: Order[]): Promise<WriteCounts> {
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const stored = new Map(
    (
      await readByKeys<StoredVersion & { order_id: string }>(
        db,
        (p) =>
          `SELECT order_id, content_hash, created_run, changed_run FROM orders WHERE tenant_id = ?1 AND order_id IN (${p})`,
        scope.tenantId,
        [...byId.keys()],
      )
    ).map((row) => [row.order_id, row]),
  );
  const changes: Change[] = [];
  const toWrite: { order: Order; hash: string }[] = [];
  for (const order of orders) {
    const hash = await contentHash(order);
    const { change, write } = classify(stored.get(order.orderId), hash, scope.runId);
    changes.push(change);
    if (write) toWrite.push({ order, hash });
  }
  if (!scope.dryRun) {
    await ensureProfiles(
      db,
      scope,
      orders.map((o) => ({ type: o.userIdType, value: o.userId })),
    );
    await runBatches(
      db,
      toWrite.map(({ order, hash }) => orderStatements(db, scope, order, hash)),
    );
  }
  return count(changes);
}

function orderStatements(db: Db, scope: WriteScope, order: Order, hash: string): D1PreparedStatement[] {
  const { lineItems, ...fields } = order;
  const statements = [
    db
      .prepare(
        `INSERT INTO orders (tenant_id, order_id, user_id_type, user_id, currency, total, refund, created_at, data,
           content_hash, created_run, changed_run, updated_at)
         VALUES (${valuesClause(1, ORDER_PARAMS).slice(1, -1)})
         ON CONFLICT (tenant_id, order_id) DO UPDATE SET user_id_type = excluded.user_id_type, user_id = excluded.user_id,
           currency = excluded.currency, total = excluded.total, refund = excluded.refund, created_at = excluded.created_at,
           data = excluded.data, content_hash = excluded.content_hash, changed_run = excluded.changed_run,
           updated_at = excluded.updated_at`,
      )
      .bind(
        scope.tenantId,
        order.orderId,
        order.userIdType,
        order.userId,
        order.currency,
        order.total,
        order.refund,
        order.createdAt,
        JSON.stringify(fields),
        hash,
        scope.runId,
        scope.runId,
        scope.now,
      ),
    db
      .prepare("DELETE FROM line_items WHERE tenant_id = ?1 AND order_id = ?2")
      .bind(scope.tenantId, order.orderId),
  ];
  for (let i = 0; i < lineItems.length; i += 25) {
    const part = lineItems.slice(i, i + 25);
    statements.push(
      db
        .prepare(
          `INSERT INTO line_items (tenant_id, order_id, position, data) VALUES ${valuesClause(part.length, LINE_PARAMS)}`,
        )
        .bind(...part.flatMap((item, j) => [scope.tenantId, order.orderId, i + j, JSON.stringify(item)])),
    );
  }
  return statements;
}

/** An order with its line items in file order. */
export async function getOrder(db: Db, tenantId: string, orderId: string): Promise<Order | null> {
  const [orderRows, lineRows] = await db.batch([
    db.prepare("SELECT data FROM orders WHERE tenant_id = ?1 AND order_id = ?2").bind(tenantId, orderId),
    db
      .prepare("SELECT data FROM line_items WHERE tenant_id = ?1 AND order_id = ?2 ORDER BY position")
      .bind(tenantId, orderId),
  ]);
  const row = orderRows?.results[0] as { data: string } | undefined;
  if (!row) return null;
  const lineItems = ((lineRows?.results ?? []) as { data: string }[]).map(
    (r) => JSON.parse(r.data) as LineItem,
  );
  return { ...(JSON.parse(row.data) as Omit<Order, "lineItems">), lineItems };
}
