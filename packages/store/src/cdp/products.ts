import type { Product } from "@cdp/core";
import type { Db } from "../db";
import {
  type Change,
  classify,
  contentHash,
  count,
  readByKeys,
  runBatches,
  type StoredVersion,
  type WriteCounts,
  type WriteScope,
} from "./common";

/** Upserts products by (tenant, id). */
export async function writeProducts(db: Db, scope: WriteScope, products: Product[]): Promise<WriteCounts> {
  const stored = new Map(
    (
      await readByKeys<StoredVersion & { product_id: string }>(
        db,
        (p) =>
          `SELECT product_id, content_hash, created_run, changed_run FROM products WHERE tenant_id = ?1 AND product_id IN (${p})`,
        scope.tenantId,
        [...new Set(products.map((p) => p.id))],
      )
    ).map((row) => [row.product_id, row]),
  );
  const changes: Change[] = [];
  const statements: D1PreparedStatement[][] = [];
  for (const product of products) {
    const hash = await contentHash(product);
    const { change, write } = classify(stored.get(product.id), hash, scope.runId);
    changes.push(change);
    if (!write) continue;
    statements.push([
      db
        .prepare(
          `INSERT INTO products (tenant_id, product_id, data, content_hash, created_run, changed_run, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
           ON CONFLICT (tenant_id, product_id) DO UPDATE SET data = excluded.data, content_hash = excluded.content_hash,
             changed_run = excluded.changed_run, updated_at = excluded.updated_at`,
        )
        .bind(scope.tenantId, product.id, JSON.stringify(product), hash, scope.runId, scope.now),
    ]);
  }
  if (!scope.dryRun) await runBatches(db, statements);
  return count(changes);
}

export async function getProduct(db: Db, tenantId: string, productId: string): Promise<Product | null> {
  const row = await db
    .prepare("SELECT data FROM products WHERE tenant_id = ?1 AND product_id = ?2")
    .bind(tenantId, productId)
    .first<{ data: string }>();
  return row ? (JSON.parse(row.data) as Product) : null;
}

type EventProduct = { id: string } & Record<string, unknown>;

/** The event with missing product attributes filled in from the catalogue; the event's values win. */
export async function enrichEvent<E extends { product?: EventProduct; products?: EventProduct[] }>(
  db: Db,
  tenantId: string,
  event: E,
): Promise<E> {
  const ids = [
    ...new Set(
      [event.product, ...(event.products ?? [])].filter((p): p is EventProduct => !!p).map((p) => p.id),
    ),
  ];
  const catalogue = new Map(
    (
      await readByKeys<{ product_id: string; data: string }>(
        db,
        (p) => `SELECT product_id, data FROM products WHERE tenant_id = ?1 AND product_id IN (${p})`,
        tenantId,
        ids,
      )
    ).map((row) => [row.product_id, JSON.parse(row.data) as Record<string, unknown>]),
  );
  const fill = (product: EventProduct): EventProduct => {
    const known = catalogue.get(product.id);
    if (!known) return product;
    const out: Record<string, unknown> = { ...known };
    for (const [key, value] of Object.entries(product))
      if (value !== undefined && value !== null) out[key] = value;
    return out as EventProduct;
  };
  return {
    ...event,
    ...(event.product ? { product: fill(event.product) } : {}),
    ...(event.products ? { products: event.products.map(fill) } : {}),
  };
}
