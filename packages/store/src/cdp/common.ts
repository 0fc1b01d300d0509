import { sha256Hex } from "@cdp/core";
import type { Db } from "../db";

export interface WriteScope {
  tenantId: string;
  runId: string;
  dryRun: boolean;
  now: string;
}

export interface WriteCounts {
  added: number;
  updated: number;
  unchanged: number;
}

export type Change = "added" | "updated" | "unchanged";

/** JSON with object keys sorted, so that equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export const contentHash = (value: unknown) => sha256Hex(canonicalJson(value));

export interface StoredVersion {
  content_hash: string;
  created_run: string | null;
  changed_run: string | null;
}

/**
 * Added / updated / unchanged of an item with content hash `hash` in run `runId`, given what
 * the store holds. A row this run created or changed classifies as it did the first time, so a
 * redelivered chunk reports the same numbers; `write` says whether to (re)write the row.
 */
export function classify(
  stored: StoredVersion | undefined,
  hash: string,
  runId: string,
): { change: Change; write: boolean } {
  if (!stored) return { change: "added", write: true };
  if (stored.content_hash !== hash)
    return { change: stored.created_run === runId ? "added" : "updated", write: true };
  if (stored.created_run === runId) return { change: "added", write: true };
  if (stored.changed_run === runId) return { change: "updated", write: true };
  return { change: "unchanged", write: false };
}

export function count(changes: Change[]): WriteCounts {
  const counts = { added: 0, updated: 0, unchanged: 0 };
  for (const change of changes) counts[change]++;
  return counts;
}

/** `(?n, ?n+1, …)` groups for a multi-row VALUES clause. */
export function valuesClause(rows: number, perRow: number, from = 1): string {
  const groups: string[] = [];
  for (let r = 0; r < rows; r++) {
    const params: string[] = [];
    for (let p = 0; p < perRow; p++) params.push(`?${from + r * perRow + p}`);
    groups.push(`(${params.join(", ")})`);
  }
  return groups.join(", ");
}

/** Statements per D1 batch (one transaction each). */
export const STATEMENTS_PER_BATCH = 50;

export async function runBatches(db: Db, groups: D1PreparedStatement[][]): Promise<void> {
  let batch: D1PreparedStatement[] = [];
  for (const group of groups) {
    // A group (an order and its line items, say) always lands in one transaction.
    if (batch.length > 0 && batch.length + group.length > STATEMENTS_PER_BATCH) {
      await db.batch(batch);
      batch = [];
    }
    batch.push(...group);
  }
  if (batch.length > 0) await db.batch(batch);
}

/** Rows of `table` keyed by `keyColumn` among `keys`, read in statements of ≤ 100 parameters. */
export async function readByKeys<T>(
  db: Db,
  sql: (placeholders: string) => string,
  tenantId: string,
  keys: string[],
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += 99) {
    const group = keys.slice(i, i + 99);
    const placeholders = group.map((_, j) => `?${j + 2}`).join(", ");
    const rows = await db
      .prepare(sql(placeholders))
      .bind(tenantId, ...group)
      .all<T>();
    out.push(...rows.results);
  }
  return out;
}
