import type { Product } from "@cdp/core";
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
  statementsForEncoded,
  versionHash,
  type WriteCounts,
  type WriteScope,
} from "./common";

const STORED_SQL = `SELECT product_id, content_hash, created_run, changed_run FROM products
  WHERE tenant_id = ?1 AND product_id IN (SELECT value FROM json_each(?2))`;

const UPSERT_SQL = `INSERT INTO products (tenant_id, product_id, data, content_hash, created_run, changed_run, updated_at)
  SELECT ?1, ${col(0)}, ${col(1)}, ${col(2)}, ?3, ?3, ?4 FROM json_each(?2) WHERE true
  ON CONFLICT (tenant_id, product_id) DO UPDATE SET data = excluded.data, content_hash = excluded.content_hash,
    changed_run = excluded.changed_run, updated_at = excluded.updated_at`;

const CATALOGUE_SQL = `SELECT product_id, data FROM products
  WHERE tenant_id = ?1 AND product_id IN (SELECT value FROM json_each(?2))`;

/** Upserts products by (tenant, id), classified like orders. */
export async function writeProducts(db: Db, scope: WriteScope, products: Product[]): Promise<WriteCounts> {
  const stored = new Map<string, StoredVersion | undefined>(
    (
      await readRows<StoredVersion & { product_id: string }>(db, STORED_SQL, scope.tenantId, [
        ...new Set(products.map((p) => p.id)),
      ])
    ).map((row) => [row.product_id, row]),
  );
  const changes: Change[] = [];
  // Each product is encoded as JSON once: that text is hashed and sent, nested in its row.
  const rows = new Map<string, string>();
  for (const product of products) {
    const data = JSON.stringify(product);
    const hash = versionHash(data);
    const { change, write, next } = classify(stored.get(product.id), hash, scope.runId);
    changes.push(change);
    stored.set(product.id, next);
    if (write) rows.set(product.id, `[${JSON.stringify(product.id)},${data},"${hash}"]`);
  }
  if (!scope.dryRun && rows.size > 0) {
    const groups = packBySize([...rows.values()], encodedSize, STATEMENT_PAYLOAD_BYTES).map((group) =>
      statementsForEncoded(db, UPSERT_SQL, scope.tenantId, group, scope.runId, scope.now),
    );
    await runBatches(db, groups, scope.afterBatch);
  }
  return count(changes);
}

export async function getProduct(db: Db, tenantId: string, productId: string): Promise<Product | null> {
  const row = await db
    .prepare("SELECT data FROM products WHERE tenant_id = ?1 AND product_id = ?2")
    .bind(tenantId, productId)
    .first<{ data: string }>();
  return row ? (JSON.parse(row.data) as Product) : null;
}

export type EventProduct = { id: string } & Record<string, unknown>;

/** A product event (productView, addToCart, purchase...): one product, or several. */
export interface ProductEvent {
  type: string;
  product?: EventProduct;
  products?: EventProduct[];
}

/**
 * The event with the attributes its products lack filled in from the catalogue; a value the
 * event gives wins; a null one counts as missing. Products not in the catalogue stay as they are.
 */
export async function enrichEvent<E extends ProductEvent>(db: Db, tenantId: string, event: E): Promise<E> {
  const given = [...(event.product ? [event.product] : []), ...(event.products ?? [])];
  const rows = await readRows<{ product_id: string; data: string }>(db, CATALOGUE_SQL, tenantId, [
    ...new Set(given.map((p) => p.id)),
  ]);
  const catalogue = new Map(
    rows.map((row) => [row.product_id, JSON.parse(row.data) as Record<string, unknown>]),
  );
  const fill = (product: EventProduct): EventProduct => {
    const known = catalogue.get(product.id);
    if (!known) return product;
    const out: Record<string, unknown> = { ...known };
    for (const [key, value] of Object.entries(product))
      if (value != null || !(key in known)) out[key] = value;
    return out as EventProduct;
  };
  return {
    ...event,
    ...(event.product ? { product: fill(event.product) } : {}),
    ...(event.products ? { products: event.products.map(fill) } : {}),
  };
}
