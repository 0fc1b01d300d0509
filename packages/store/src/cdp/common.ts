import type { Db } from "../db";

export interface WriteScope {
  tenantId: string;
  runId: string;
  dryRun: boolean;
  now: string;
  /** Called between the D1 batches of one write, once some have committed and some have not. */
  afterBatch?: () => void;
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

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");

/** One lane of versionHash's final avalanche, folding in another lane. */
const mix = (x: number, y: number): number =>
  Math.imul(x ^ (x >>> 16), 0x85ebca6b) ^ Math.imul(y ^ (y >>> 13), 0xc2b2ae35);

/**
 * A 128-bit hash of a row's JSON text, to tell versions of one stored row apart (added /
 * updated / unchanged). Not cryptographic: it guards against change, not against an adversary,
 * and only ever compares a row with its own earlier version. Four multiply-xor lanes over the
 * UTF-16 code units, then a final avalanche; it runs at about one code unit per nanosecond,
 * where SHA-256 of canonical JSON cost tens of µs per order, more than the order's whole write.
 * The text must be produced the same way each time (JSON.stringify of an item the readers
 * build with a fixed key order), which is what a second import of the same file does.
 */
export function versionHash(text: string): string {
  let a = 0xdeadbeef ^ text.length;
  let b = 0x41c6ce57;
  let c = 0x9e3779b9;
  let d = 0x85ebca6b ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x9e3779b1);
    b = Math.imul(b ^ ch, 0x5f356495);
    c = Math.imul(c ^ ch, 0x85ebca77);
    d = Math.imul(d ^ ch, 0xc2b2ae3d);
  }
  const a2 = mix(a, b);
  const b2 = mix(b, a2);
  const c2 = mix(c, d);
  const d2 = mix(d, c2);
  return hex8(a2 ^ d2) + hex8(b2) + hex8(c2 ^ a2) + hex8(d2);
}

/** What the store holds of a row, as far as classification needs it. */
export interface StoredVersion {
  content_hash: string;
  created_run: string | null;
  changed_run: string | null;
}

/**
 * Added / updated / unchanged of an item with content hash `hash` in run `runId`, given what
 * the store holds. A row this run already created or changed classifies as it did the first
 * time, so a redelivered chunk reports the same numbers and writes nothing. `next` is what the
 * store holds after the write, so that a later item of the same call with the same key is
 * classified against it.
 */
export function classify(
  stored: StoredVersion | undefined,
  hash: string,
  runId: string,
): { change: Change; write: boolean; next: StoredVersion | undefined } {
  if (stored && stored.content_hash === hash) {
    const change =
      stored.created_run === runId ? "added" : stored.changed_run === runId ? "updated" : "unchanged";
    return { change, write: false, next: stored };
  }
  const next = { content_hash: hash, created_run: stored ? stored.created_run : runId, changed_run: runId };
  // Created earlier in this run (another chunk, or an earlier item of this one): a replay would
  // find the row created by this run and call it added, so the first delivery does too.
  const change = !stored || stored.created_run === runId ? "added" : "updated";
  return { change, write: true, next };
}

export function count(changes: Change[]): WriteCounts {
  const counts = { added: 0, updated: 0, unchanged: 0 };
  for (const change of changes) counts[change]++;
  return counts;
}

/**
 * Bytes of row data bound to one statement. Rows travel as one JSON array parameter that the
 * statement expands with json_each, so a statement has a handful of bound parameters whatever
 * its row count. D1's 100 KB limit is on the SQL text, which stays short; a bound string may
 * take 2 MB (SQLITE_MAX_LENGTH), and half of that leaves room. Fewer, larger statements cost
 * less: at 90 KB each, storing 100,000 rows took a third longer (bench:store).
 */
export const STATEMENT_PAYLOAD_BYTES = 1_000_000;

/**
 * Statements per D1 batch; a batch is one transaction. With statements of up to
 * STATEMENT_PAYLOAD_BYTES, a batch carries at most about 10 MB (a group of statements that must
 * land together is never split), so no single transaction holds the database for long.
 */
export const STATEMENTS_PER_BATCH = 10;

const NON_ASCII = /[\u0080-\uffff]/;

function utf8Length(text: string): number {
  // Most rows are ASCII: a native scan answers for them.
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    // A surrogate pair is 4 bytes in UTF-8: 2 + 2 counted over its two halves.
    else if (code >= 0xd800 && code < 0xe000) bytes += 2;
    else bytes += 3;
  }
  return bytes;
}

/**
 * `items` in consecutive groups whose sizes add up to at most `budget` bytes (an item larger
 * than the budget makes a group of its own).
 */
export function packBySize<T>(items: readonly T[], sizeOf: (item: T) => number, budget: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (group.length > 0 && size + itemSize > budget) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(item);
    size += itemSize;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Rows already encoded as JSON, as JSON array parameters of at most STATEMENT_PAYLOAD_BYTES each. */
export function encodedParts(encoded: readonly string[]): string[] {
  return packBySize(encoded, encodedSize, STATEMENT_PAYLOAD_BYTES).map((part) => `[${part.join(",")}]`);
}

/** The size of a row encoded as JSON text, in bytes, with its separator. */
export const encodedSize = (text: string): number => utf8Length(text) + 1;

/** The JSON size of a row, in bytes, to pack rows before encoding them. */
export const jsonSize = (row: unknown): number => encodedSize(JSON.stringify(row));

/**
 * One statement per JSON part of `rows`: `sql` reads the tenant as ?1 and the rows as ?2
 * (through json_each), plus `extra` parameters from ?3 on.
 */
export function statementsFor(
  db: Db,
  sql: string,
  tenantId: string,
  rows: readonly unknown[],
  ...extra: (string | number | null)[]
): D1PreparedStatement[] {
  return statementsForEncoded(
    db,
    sql,
    tenantId,
    rows.map((row) => JSON.stringify(row)),
    ...extra,
  );
}

/** statementsFor with rows already encoded as JSON text, each row encoded once. */
export function statementsForEncoded(
  db: Db,
  sql: string,
  tenantId: string,
  encoded: readonly string[],
  ...extra: (string | number | null)[]
): D1PreparedStatement[] {
  return encodedParts(encoded).map((part) => db.prepare(sql).bind(tenantId, part, ...extra));
}

/** Runs a read over many keys as one round trip: `sql` takes the tenant as ?1 and the keys as ?2. */
export async function readRows<T>(
  db: Db,
  sql: string,
  tenantId: string,
  keys: readonly unknown[],
): Promise<T[]> {
  if (keys.length === 0) return [];
  const results = await db.batch<T>(statementsFor(db, sql, tenantId, keys));
  return results.flatMap((result) => result.results);
}

/**
 * Runs groups of statements in as few batches as possible. A group (orders and their line
 * items, say) always lands in one batch, so it is written whole or not at all.
 */
export async function runBatches(
  db: Db,
  groups: D1PreparedStatement[][],
  afterBatch?: () => void,
): Promise<void> {
  let batch: D1PreparedStatement[] = [];
  for (const group of groups) {
    if (batch.length > 0 && batch.length + group.length > STATEMENTS_PER_BATCH) {
      await db.batch(batch);
      afterBatch?.();
      batch = [];
    }
    batch.push(...group);
  }
  if (batch.length > 0) await db.batch(batch);
}

/** `json_extract(value, '$[i]')`: column i of a row of a json_each parameter. */
export const col = (i: number) => `json_extract(value, '$[${i}]')`;
