import { DurableObject } from "cloudflare:workers";
import { type CustomerRecord, newId, type Order, type Product, type UserId } from "@cdp/core";
import { type Codec, decodeOrder, type OrderRow, type ProductRow } from "./codec";
import { type ShardFaults, shardFaults } from "./faults";
import { buyerOf, idKey, storedId } from "./ids";
import { hash53, parseShardName, type ShardAddress } from "./names";
import { upgrade } from "./schema";
import {
  noCounts,
  type OrderPosition,
  type OrderSummaryRow,
  type ShardUsage,
  type StoredProfile,
  type WriteCounts,
  type WriteScope,
} from "./types";

/** What a row says of its version, to classify a write as added, updated or unchanged. */
type StoredVersion = {
  version: number;
  created_run: number;
  changed_run: number;
};

type Change = "added" | "updated" | "unchanged";

/**
 * Added / updated / unchanged of an item with version `version` in run `run`, given what the
 * shard holds. A row this run already created or changed classifies as it did the first time,
 * so a redelivered chunk reports the same numbers and writes nothing. `next` is what the shard
 * holds after the write, for a later item of the same call with the same key.
 */
function classify(
  stored: StoredVersion | undefined,
  version: number,
  run: number,
): { change: Change; write: boolean; next: StoredVersion } {
  if (stored && stored.version === version) {
    const change =
      stored.created_run === run ? "added" : stored.changed_run === run ? "updated" : "unchanged";
    return { change, write: false, next: stored };
  }
  const next = { version, created_run: stored ? stored.created_run : run, changed_run: run };
  // Created earlier in this run (another chunk, or an earlier item of this one): a replay would
  // find the row created by this run and call it added, so the first delivery does too.
  const change = !stored || stored.created_run === run ? "added" : "updated";
  return { change, write: true, next };
}

/** JSON with object keys sorted, so that equal content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The version of a profile: its attributes and its sorted ids. */
const profileVersion = (attributes: Record<string, unknown>, keys: string[]): number =>
  hash53(canonicalJson({ attributes, ids: [...keys].sort() }));

/** Thrown inside a dry run's transaction to roll it back, carrying what it would have done. */
class DryRunDone<T> {
  constructor(readonly result: T) {}
}

const RUN_NO_SQL = "SELECT n FROM runs WHERE id = ?";
const ADD_RUN_SQL = "INSERT INTO runs (id) VALUES (?) RETURNING n";
/**
 * INSERT statements of `table`'s `columns` for 1 … `most` rows, each within the 100 parameters a
 * statement may bind: rows new to a shard go in a few statements instead of one each.
 */
function insertStatements(table: string, columns: string[], most: number): string[] {
  const row = `(${columns.map(() => "?").join(", ")})`;
  return Array.from(
    { length: most + 1 },
    (_, k) => `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(k).fill(row).join(", ")}`,
  );
}

const ORDER_COLUMNS = [
  "order_id",
  "buyer",
  "placed_at",
  "version",
  "created_run",
  "changed_run",
  "codec",
  "lines",
  "data",
];
const PRODUCT_COLUMNS = ["product_id", "version", "created_run", "changed_run", "updated_at", "data"];
const INSERT_ORDERS_SQL = insertStatements("orders", ORDER_COLUMNS, Math.floor(100 / ORDER_COLUMNS.length));
const INSERT_PRODUCTS_SQL = insertStatements(
  "products",
  PRODUCT_COLUMNS,
  Math.floor(100 / PRODUCT_COLUMNS.length),
);

const CODEC_NO_SQL = "SELECT n FROM codecs WHERE codec = ?";
const ADD_CODEC_SQL = "INSERT INTO codecs (codec) VALUES (?) RETURNING n";
const CODEC_SQL = "SELECT codec FROM codecs WHERE n = ?";

const STORED_ORDERS_SQL = `SELECT order_id, version, created_run, changed_run FROM orders
  WHERE order_id IN (SELECT value FROM json_each(?))`;
const UPDATE_ORDER_SQL = `UPDATE orders SET buyer = ?, placed_at = ?, version = ?, changed_run = ?,
    codec = ?, lines = ?, data = ? WHERE order_id = ?`;
const ORDER_SQL = "SELECT codec, data FROM orders WHERE order_id = ?";
// A person's orders by the hashes of their ids, newest first; the rows are checked against the
// ids themselves, since two ids may share a hash.
const BUYER_ORDERS_SQL = `SELECT n, order_id, placed_at, codec, lines, data FROM orders
  WHERE buyer IN (SELECT value FROM json_each(?1))
    AND (?2 IS NULL OR (placed_at, order_id) < (?2, ?3))
  ORDER BY placed_at DESC, order_id DESC LIMIT ?4`;

const STORED_PRODUCTS_SQL = `SELECT product_id, version, created_run, changed_run FROM products
  WHERE product_id IN (SELECT value FROM json_each(?))`;
const UPDATE_PRODUCT_SQL = `UPDATE products SET version = ?, changed_run = ?, updated_at = ?, data = ?
  WHERE product_id = ?`;
const PRODUCTS_SQL = "SELECT data FROM products WHERE product_id IN (SELECT value FROM json_each(?))";

const OWNER_SQL = "SELECT profile FROM profile_ids WHERE id_type = ? AND id_value = ?";
// Row values (id_type, id_value) IN (...) let SQLite look each pair up by primary key.
const KNOWN_IDS_SQL = `SELECT id_type, id_value FROM profile_ids
  WHERE (id_type, id_value) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`;
const ADD_BUYER_PROFILES_SQL = `INSERT INTO profiles
    (id, attributes, version, created_run, changed_run, created_at, updated_at)
  SELECT value ->> 0, '{}', value ->> 1, ?2, ?2, ?3, ?3 FROM json_each(?1) RETURNING n, id`;
const ADD_BUYER_IDS_SQL = `INSERT INTO profile_ids (id_type, id_value, profile)
  SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)`;
const PROFILE_SQL = `SELECT n, id, attributes, attribute_runs, version, created_run, changed_run,
    created_at, updated_at FROM profiles WHERE n = ?`;
const PROFILE_BY_ID_SQL = "SELECT n FROM profiles WHERE id = ?";
const IDS_OF_SQL = "SELECT id_type, id_value FROM profile_ids WHERE profile = ? ORDER BY id_type, id_value";
const ADD_PROFILE_SQL = `INSERT INTO profiles
    (id, attributes, attribute_runs, version, created_run, changed_run, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING n`;
const UPDATE_PROFILE_SQL = `UPDATE profiles SET attributes = ?, attribute_runs = ?, version = ?,
    changed_run = ?, updated_at = ? WHERE n = ?`;
const SET_ID_SQL = `INSERT INTO profile_ids (id_type, id_value, profile) VALUES (?, ?, ?)
  ON CONFLICT (id_type, id_value) DO UPDATE SET profile = excluded.profile`;
const MOVE_IDS_SQL = "UPDATE profile_ids SET profile = ? WHERE profile = ?";
const COUNT_IDS_SQL = "SELECT COUNT(*) AS n FROM profile_ids WHERE profile = ?";
const DELETE_IDS_SQL = "DELETE FROM profile_ids WHERE profile = ?";
const DELETE_PROFILE_SQL = "DELETE FROM profiles WHERE n = ?";

type ProfileRow = StoredVersion & {
  n: number;
  id: string;
  attributes: string;
  attribute_runs: string;
  created_at: string;
  updated_at: string;
};

/** A profile being changed by a customer record. */
interface ProfileState {
  n: number | null;
  id: string;
  attributes: Record<string, unknown>;
  attributeRuns: Record<string, string>;
  stored: StoredVersion | undefined;
  createdAt: string;
  updatedAt: string;
}

/** The store Worker's vars a shard reads (typed here: the client's users type-check this file). */
interface ShardEnv {
  FAULT_INJECTION?: string;
}

/**
 * One shard of a tenant's CDP data, in its own SQLite database. Its name (see names.ts) says
 * whose data it holds and which part: the identity shard keeps profiles and their ids, a data
 * shard the orders and products whose ids hash to it. Every method runs to its end without
 * awaiting, and every write is one transaction: what it returns is what it stored.
 */
export class CdpShard extends DurableObject<ShardEnv> {
  readonly address: ShardAddress | null;
  private readonly sql: SqlStorage;
  private runNumbers = new Map<string, number>();
  private codecs = new Map<number, Codec>();
  private currentCodec: number | null = null;

  constructor(ctx: DurableObjectState, env: ShardEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.address = parseShardName(ctx.id.name);
    ctx.blockConcurrencyWhile(async () => upgrade(ctx.storage));
  }

  private get label(): string {
    const address = this.address;
    if (!address) return "an unnamed shard";
    return address.shard === "identity" ? "the identity shard" : `data shard ${address.shard}`;
  }

  /** Refuses a call meant for another kind of shard: a caller's bug, never a user's. */
  private expect(kind: "identity" | "data"): void {
    const shard = this.address?.shard;
    if (shard === undefined || (kind === "identity") !== (shard === "identity"))
      throw new Error(`${this.label} holds no ${kind === "identity" ? "profiles" : "orders or products"}`);
  }

  // Writes ------------------------------------------------------------------------------------

  /**
   * Runs `write` in one transaction with the run's number. A dry run does everything a real run
   * does and is then rolled back, so that it classifies exactly as the real run would (a
   * person twice in a call included). A write that throws leaves nothing behind.
   */
  private write<T>(scope: WriteScope, write: (run: number, faults: ShardFaults) => T): T {
    const faults = shardFaults(this.env.FAULT_INJECTION, scope, this.label);
    let result: T;
    try {
      result = this.ctx.storage.transactionSync(() => {
        faults.at("before-shard-write");
        const out = write(this.runNumber(scope.runId), faults);
        faults.at("after-shard-write");
        if (scope.dryRun) throw new DryRunDone(out);
        return out;
      });
    } catch (err) {
      // Numbers given out inside a rolled-back transaction are not in the database.
      this.runNumbers.clear();
      this.currentCodec = null;
      if (err instanceof DryRunDone) return err.result as T;
      throw err;
    }
    faults.at("before-shard-answer");
    return result;
  }

  private runNumber(runId: string): number {
    let n = this.runNumbers.get(runId);
    if (n === undefined) {
      n =
        this.sql.exec<{ n: number }>(RUN_NO_SQL, runId).toArray()[0]?.n ??
        this.sql.exec<{ n: number }>(ADD_RUN_SQL, runId).one().n;
      this.runNumbers.set(runId, n);
    }
    return n;
  }

  private codecNumber(text: string): number {
    if (this.currentCodec === null) {
      this.currentCodec =
        this.sql.exec<{ n: number }>(CODEC_NO_SQL, text).toArray()[0]?.n ??
        this.sql.exec<{ n: number }>(ADD_CODEC_SQL, text).one().n;
      this.codecs.set(this.currentCodec, JSON.parse(text) as Codec);
    }
    return this.currentCodec;
  }

  private codec(n: number): Codec {
    let codec = this.codecs.get(n);
    if (!codec) {
      codec = JSON.parse(this.sql.exec<{ codec: string }>(CODEC_SQL, n).one().codec) as Codec;
      this.codecs.set(n, codec);
    }
    return codec;
  }

  /** Runs the multi-row INSERT of `statements` over `rows` of values, as few statements as fit. */
  private insertRows(statements: string[], rows: unknown[][]): void {
    const most = statements.length - 1;
    for (let at = 0; at < rows.length; at += most) {
      const part = rows.slice(at, at + most);
      this.sql.exec(statements[part.length] as string, ...part.flat());
    }
  }

  /**
   * Upserts orders by id, each with its line items in its row (see codec.ts, whose text `codec`
   * names the rows' codec): an order re-imported as cancelled or refunded replaces the stored one
   * whole. The last version of an order given twice is the one stored.
   */
  writeOrders(scope: WriteScope, codec: string, rows: OrderRow[]): WriteCounts {
    this.expect("data");
    return this.write(scope, (run, faults) => {
      const stored = new Map<string, StoredVersion>();
      const ids = JSON.stringify([...new Set(rows.map((row) => row[0]))]);
      for (const row of this.sql.exec<StoredVersion & { order_id: string }>(STORED_ORDERS_SQL, ids))
        stored.set(row.order_id, row);
      const codecNo = this.codecNumber(codec);
      const counts = noCounts();
      const toWrite = new Map<string, { row: OrderRow; next: StoredVersion; update: boolean }>();
      for (const row of rows) {
        const before = stored.get(row[0]);
        const { change, write, next } = classify(before, row[3], run);
        counts[change]++;
        stored.set(row[0], next);
        // A row is updated when it is in the table already, inserted when this call brings it.
        if (write)
          toWrite.set(row[0], { row, next, update: toWrite.get(row[0])?.update ?? before !== undefined });
      }
      const inserts: unknown[][] = [];
      let written = 0;
      for (const { row, next, update } of toWrite.values()) {
        if (written++ === toWrite.size >> 1) faults.at("mid-shard-write");
        const [orderId, buyer, placedAt, version, lines, data] = row;
        if (update)
          this.sql.exec(
            UPDATE_ORDER_SQL,
            buyer,
            placedAt,
            version,
            next.changed_run,
            codecNo,
            lines,
            data,
            orderId,
          );
        else
          inserts.push([
            orderId,
            buyer,
            placedAt,
            version,
            next.created_run,
            next.changed_run,
            codecNo,
            lines,
            data,
          ]);
      }
      this.insertRows(INSERT_ORDERS_SQL, inserts);
      return counts;
    });
  }

  /** Upserts products by id, classified like orders. */
  writeProducts(scope: WriteScope, rows: ProductRow[]): WriteCounts {
    this.expect("data");
    return this.write(scope, (run, faults) => {
      const stored = new Map<string, StoredVersion>();
      const ids = JSON.stringify([...new Set(rows.map((row) => row[0]))]);
      for (const row of this.sql.exec<StoredVersion & { product_id: string }>(STORED_PRODUCTS_SQL, ids))
        stored.set(row.product_id, row);
      const counts = noCounts();
      const toWrite = new Map<string, { row: ProductRow; next: StoredVersion; update: boolean }>();
      for (const row of rows) {
        const before = stored.get(row[0]);
        const { change, write, next } = classify(before, row[1], run);
        counts[change]++;
        stored.set(row[0], next);
        if (write)
          toWrite.set(row[0], { row, next, update: toWrite.get(row[0])?.update ?? before !== undefined });
      }
      const inserts: unknown[][] = [];
      let written = 0;
      for (const { row, next, update } of toWrite.values()) {
        if (written++ === toWrite.size >> 1) faults.at("mid-shard-write");
        const [productId, version, data] = row;
        if (update) this.sql.exec(UPDATE_PRODUCT_SQL, version, next.changed_run, scope.now, data, productId);
        else inserts.push([productId, version, next.created_run, next.changed_run, scope.now, data]);
      }
      this.insertRows(INSERT_PRODUCTS_SQL, inserts);
      return counts;
    });
  }

  /**
   * Gives each buyer id (type and value, as stored) that has no profile an empty one, as an
   * order import does: the known ids in one look-up, the new profiles and ids in one statement each.
   */
  ensureBuyers(scope: WriteScope, ids: [string, string][]): void {
    this.expect("identity");
    this.write(scope, (run, faults) => {
      const known = new Set<string>();
      for (const row of this.sql.exec<{ id_type: string; id_value: string }>(
        KNOWN_IDS_SQL,
        JSON.stringify(ids),
      ))
        known.add(idKey({ type: row.id_type, value: row.id_value }));
      const fresh = new Map<string, [string, string]>();
      for (const id of ids) {
        const key = idKey({ type: id[0], value: id[1] });
        if (!known.has(key)) fresh.set(key, id);
      }
      if (fresh.size === 0) return;
      faults.at("mid-shard-write");
      const profiles = new Map<string, [string, string]>();
      for (const id of fresh.values()) profiles.set(newId("prf"), id);
      const added = this.sql
        .exec<{ n: number; id: string }>(
          ADD_BUYER_PROFILES_SQL,
          JSON.stringify(
            [...profiles].map(([profileId, id]) => [
              profileId,
              profileVersion({}, [idKey({ type: id[0], value: id[1] })]),
            ]),
          ),
          run,
          scope.now,
        )
        .toArray();
      this.sql.exec(
        ADD_BUYER_IDS_SQL,
        JSON.stringify(added.map((row) => [...(profiles.get(row.id) as [string, string]), row.n])),
      );
    });
  }

  /**
   * Writes customer records. A record's ids resolve to one profile, created when none of them
   * is known. Ids in one record belong to the same person: when they point to several
   * profiles, those merge into the oldest, which takes over their ids; on conflicting attributes
   * the more recently updated profile wins, and the record wins over both. `merge` keeps the
   * attributes the record does not mention, `replace` keeps only the record's. Records apply in
   * order, so several records of one person in a call work.
   */
  writeCustomers(
    scope: WriteScope,
    mergeStrategy: "merge" | "replace",
    records: CustomerRecord[],
  ): WriteCounts {
    this.expect("identity");
    return this.write(scope, (run, faults) => {
      const counts = noCounts();
      records.forEach((record, i) => {
        if (i === records.length >> 1) faults.at("mid-shard-write");
        counts[this.writeCustomer(scope, run, mergeStrategy, record)]++;
      });
      return counts;
    });
  }

  private writeCustomer(
    scope: WriteScope,
    run: number,
    mergeStrategy: "merge" | "replace",
    record: CustomerRecord,
  ): Change {
    const ids = [...new Map(record.ids.map(storedId).map((id) => [idKey(id), id])).values()];
    const owners = new Set<number>();
    for (const id of ids)
      for (const row of this.sql.exec<{ profile: number }>(OWNER_SQL, id.type, id.value))
        owners.add(row.profile);
    const targets = [...owners]
      .map((n) => this.loadProfile(n))
      .sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
      );
    const profile: ProfileState = targets[0] ?? {
      n: null,
      id: newId("prf"),
      attributes: {},
      attributeRuns: {},
      stored: undefined,
      createdAt: scope.now,
      updatedAt: scope.now,
    };
    const others = targets.slice(1);
    if (others.length > 0) {
      // Newer profiles win on conflicting attributes: apply from least to most recently updated.
      const byAge = [...targets].sort((a, b) =>
        a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0,
      );
      profile.attributes = Object.assign({}, ...byAge.map((p) => p.attributes));
      profile.attributeRuns = Object.assign({}, ...byAge.map((p) => p.attributeRuns));
      for (const other of others) {
        this.sql.exec(MOVE_IDS_SQL, profile.n, other.n);
        this.sql.exec(DELETE_PROFILE_SQL, other.n);
      }
    }
    const before = profile.attributes;
    const attributes =
      mergeStrategy === "replace" ? { ...record.attributes } : { ...before, ...record.attributes };
    // Which run last changed each attribute: this one for a value it sets anew.
    const attributeRuns: Record<string, string> = {};
    for (const key of Object.keys(attributes)) {
      const changed =
        key in record.attributes && canonicalJson(record.attributes[key]) !== canonicalJson(before[key]);
      attributeRuns[key] = (changed ? undefined : profile.attributeRuns[key]) ?? scope.runId;
    }
    const keys = new Set(ids.map(idKey));
    if (profile.n !== null)
      for (const row of this.sql.exec<{ id_type: string; id_value: string }>(IDS_OF_SQL, profile.n))
        keys.add(idKey({ type: row.id_type, value: row.id_value }));
    const { change, write, next } = classify(profile.stored, profileVersion(attributes, [...keys]), run);
    if (!write) return change;
    const runs = JSON.stringify(attributeRuns);
    if (profile.n === null) {
      profile.n = this.sql
        .exec<{ n: number }>(
          ADD_PROFILE_SQL,
          profile.id,
          JSON.stringify(attributes),
          runs,
          next.version,
          next.created_run,
          next.changed_run,
          scope.now,
          scope.now,
        )
        .one().n;
    } else {
      this.sql.exec(
        UPDATE_PROFILE_SQL,
        JSON.stringify(attributes),
        runs,
        next.version,
        next.changed_run,
        scope.now,
        profile.n,
      );
    }
    for (const id of ids) this.sql.exec(SET_ID_SQL, id.type, id.value, profile.n);
    return change;
  }

  private loadProfile(n: number): ProfileState & { n: number } {
    const row = this.sql.exec<ProfileRow>(PROFILE_SQL, n).one();
    return {
      n,
      id: row.id,
      attributes: JSON.parse(row.attributes) as Record<string, unknown>,
      attributeRuns: JSON.parse(row.attribute_runs) as Record<string, string>,
      stored: { version: row.version, created_run: row.created_run, changed_run: row.changed_run },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  // Reads -------------------------------------------------------------------------------------

  /** An order with its line items in file order, or null. */
  getOrder(orderId: string): Order | null {
    this.expect("data");
    const row = this.sql.exec<{ codec: number; data: string }>(ORDER_SQL, orderId).toArray()[0];
    return row ? decodeOrder(row.data, this.codec(row.codec)) : null;
  }

  /** The products of these ids that the shard holds. */
  getProducts(ids: string[]): Product[] {
    this.expect("data");
    if (ids.length === 0) return [];
    return this.sql
      .exec<{ data: string }>(PRODUCTS_SQL, JSON.stringify(ids))
      .toArray()
      .map((row) => JSON.parse(row.data) as Product);
  }

  /** The profile of the first of `candidates` that has one, or null. */
  findProfile(candidates: UserId[]): StoredProfile | null {
    this.expect("identity");
    for (const id of candidates.map(storedId)) {
      const owner = this.sql.exec<{ profile: number }>(OWNER_SQL, id.type, id.value).toArray()[0];
      if (!owner) continue;
      const profile = this.loadProfile(owner.profile);
      return {
        id: profile.id,
        ids: this.sql
          .exec<{ id_type: string; id_value: string }>(IDS_OF_SQL, owner.profile)
          .toArray()
          .map((row) => ({ type: row.id_type, value: row.id_value })),
        attributes: profile.attributes,
        attributeRuns: profile.attributeRuns,
        createdAt: profile.createdAt,
        updatedAt: profile.updatedAt,
      };
    }
    return null;
  }

  /**
   * A person's orders (placed under any of `ids`), newest first, after `before`: at most
   * `limit` of them, each with where it sits in that order.
   */
  buyerOrders(
    ids: UserId[],
    before: OrderPosition | null,
    limit: number,
  ): { order: Order; at: OrderPosition }[] {
    this.expect("data");
    const out: { order: Order; at: OrderPosition }[] = [];
    for (const row of this.buyerRows(ids, before, limit)) {
      out.push({ order: row.order, at: { placedAt: row.placed_at, orderId: row.order_id } });
    }
    return out;
  }

  /** Per currency: how many orders the person placed, Σ (total − refund), first and last. */
  buyerSummary(ids: UserId[]): OrderSummaryRow[] {
    this.expect("data");
    const byCurrency = new Map<string, OrderSummaryRow>();
    for (const { order } of this.buyerRows(ids, null, Number.MAX_SAFE_INTEGER)) {
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

  /** The rows of a person's orders, checked against the ids themselves, newest first. */
  private *buyerRows(ids: UserId[], before: OrderPosition | null, limit: number) {
    const wanted = new Set(ids.map(storedId).map(idKey));
    const hashes = JSON.stringify([...new Set([...wanted].map(hash53))]);
    let after = before;
    let found = 0;
    for (;;) {
      const rows = this.sql
        .exec<{ n: number; order_id: string; placed_at: number; codec: number; lines: number; data: string }>(
          BUYER_ORDERS_SQL,
          hashes,
          after?.placedAt ?? null,
          after?.orderId ?? null,
          Math.min(limit - found, 1000),
        )
        .toArray();
      for (const row of rows) {
        const order = decodeOrder(row.data, this.codec(row.codec));
        const buyer = buyerOf(order);
        if (!buyer || !wanted.has(idKey(buyer))) continue;
        found++;
        yield { ...row, order };
      }
      const last = rows.at(-1);
      if (!last || found >= limit) return;
      after = { placedAt: last.placed_at, orderId: last.order_id };
    }
  }

  // Erasure -----------------------------------------------------------------------------------

  /** Deletes a person's orders (placed under any of `ids`); says how many, and their line items. */
  eraseBuyer(ids: UserId[]): { orders: number; lineItems: number } {
    this.expect("data");
    return this.ctx.storage.transactionSync(() => {
      const rows = [...this.buyerRows(ids, null, Number.MAX_SAFE_INTEGER)];
      for (const row of rows) this.sql.exec("DELETE FROM orders WHERE n = ?", row.n);
      return { orders: rows.length, lineItems: rows.reduce((sum, row) => sum + row.lines, 0) };
    });
  }

  /** Deletes a profile and its ids; says how many of each. */
  eraseProfile(profileId: string): { profiles: number; ids: number } {
    this.expect("identity");
    return this.ctx.storage.transactionSync(() => {
      const row = this.sql.exec<{ n: number }>(PROFILE_BY_ID_SQL, profileId).toArray()[0];
      if (!row) return { profiles: 0, ids: 0 };
      const ids = this.sql.exec<{ n: number }>(COUNT_IDS_SQL, row.n).one().n;
      this.sql.exec(DELETE_IDS_SQL, row.n);
      this.sql.exec(DELETE_PROFILE_SQL, row.n);
      return { profiles: 1, ids };
    });
  }

  /** Deletes everything the shard holds (a tenant being deleted). */
  async wipe(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.runNumbers.clear();
    this.codecs.clear();
    this.currentCodec = null;
    upgrade(this.ctx.storage);
  }

  /** The shard's size in bytes, and its rows. */
  usage(): ShardUsage {
    const count = (sql: string) => this.sql.exec<{ n: number | null }>(sql).one().n ?? 0;
    return {
      bytes: this.sql.databaseSize,
      orders: count("SELECT COUNT(*) AS n FROM orders"),
      lineItems: count("SELECT SUM(lines) AS n FROM orders"),
      products: count("SELECT COUNT(*) AS n FROM products"),
      profiles: count("SELECT COUNT(*) AS n FROM profiles"),
      ids: count("SELECT COUNT(*) AS n FROM profile_ids"),
    };
  }
}
