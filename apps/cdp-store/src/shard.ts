import { DurableObject } from "cloudflare:workers";
import type { CustomerRecord, Order, Product, UserId } from "@cdp/core";
import { UNSEEN_RUN, type WriteContext } from "./classify";
import type { Codec, OrderRow, ProductRow } from "./codec";
import { type ShardFaults, shardFaults } from "./faults";
import { ensureBuyers, eraseProfile, findProfile, runProfiles, writeCustomer } from "./identity";
import { parseShardName, type ShardAddress } from "./names";
import {
  buyerOrders,
  deleteOrders,
  getOrder,
  getProducts,
  runRows,
  summarize,
  writeOrders,
  writeProducts,
} from "./orders";
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

/** Thrown inside a dry run's transaction to roll it back, carrying what it would have done. */
class DryRunDone<T> {
  constructor(readonly result: T) {}
}

const SELF_SQL = "SELECT name FROM self";
const ADD_SELF_SQL = "INSERT INTO self (name) VALUES (?)";
const RUN_NO_SQL = "SELECT n FROM runs WHERE id = ?";
const ADD_RUN_SQL = "INSERT INTO runs (id) VALUES (?) RETURNING n";
const CODEC_NO_SQL = "SELECT n FROM codecs WHERE codec = ?";
const ADD_CODEC_SQL = "INSERT INTO codecs (codec) VALUES (?) RETURNING n";
const CODEC_SQL = "SELECT codec FROM codecs WHERE n = ?";

/** The store Worker's vars a shard reads (typed here: the client's users type-check this file). */
interface ShardEnv {
  FAULT_INJECTION?: string;
}

/**
 * One shard of a tenant's CDP data, in its own SQLite database. Its name (see names.ts) says
 * whose data it holds and which part: the identity shard keeps profiles and their ids, a data
 * shard the orders and products whose ids hash to it. Its methods are the store's RPC surface
 * (see client.ts for who calls what). Every method runs to its end without awaiting, and every
 * write is one transaction: what it returns is what it stored.
 */
export class CdpShard extends DurableObject<ShardEnv> {
  private address: ShardAddress | null = null;
  private name: string | null = null;
  private readonly sql: SqlStorage;
  private runNumbers = new Map<string, number>();
  private codecs = new Map<number, Codec>();
  private codecNumbers = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: ShardEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      upgrade(ctx.storage);
      this.name = this.sql.exec<{ name: string }>(SELF_SQL).toArray()[0]?.name ?? null;
    });
  }

  private get label(): string {
    const address = this.address;
    if (!address) return "an unnamed shard";
    return address.shard === "identity" ? "the identity shard" : `data shard ${address.shard}`;
  }

  /**
   * Every call names the object it is meant for (the name the client built with shardName and
   * derived the object's id from). An object answers to one name only: its own, where the
   * runtime tells it (ctx.id.name), and the first it was called by, which it keeps. A call for
   * another name, or for another kind of shard, is refused: a caller's bug, never a user's.
   */
  private enter(name: string, kind: "identity" | "data"): void {
    const own = this.ctx.id.name ?? this.name;
    if (own && own !== name)
      throw new Error(`this object is ${own}, not ${name}: a call for another object is refused`);
    this.address = parseShardName(name);
    const shard = this.address?.shard;
    if (shard === undefined || (kind === "identity") !== (shard === "identity"))
      throw new Error(`${this.label} holds no ${kind === "identity" ? "profiles" : "orders or products"}`);
    if (this.name === null) {
      this.sql.exec(ADD_SELF_SQL, name);
      this.name = name;
    }
  }

  private kindOf(name: string): "identity" | "data" {
    return parseShardName(name)?.shard === "identity" ? "identity" : "data";
  }

  /**
   * Runs `write` in one transaction. A dry run does everything a real run does and is then
   * rolled back, so that it classifies exactly as the real run would (a person twice in a call
   * included). A write that throws leaves nothing behind.
   */
  private write<T>(scope: WriteScope, write: (ctx: WriteContext) => T): T {
    const kind = this.address?.shard === "identity" ? "identity" : "data";
    const faults: ShardFaults = shardFaults(this.env.FAULT_INJECTION, scope, this.label, kind);
    let result: T;
    try {
      result = this.ctx.storage.transactionSync(() => {
        faults.at("before");
        const runNumber = (add: boolean) => this.runNumber(scope.runId, add);
        const out = write({
          sql: this.sql,
          get run() {
            return runNumber(false);
          },
          stamp: (run) => (run === UNSEEN_RUN ? runNumber(true) : run),
          now: scope.now,
          midWrite: () => faults.at("middle"),
        });
        faults.at("after");
        if (scope.dryRun) throw new DryRunDone(out);
        return out;
      });
    } catch (err) {
      // Numbers given out inside a rolled-back transaction are not in the database.
      this.runNumbers.clear();
      this.codecNumbers.clear();
      if (err instanceof DryRunDone) return err.result as T;
      throw err;
    }
    faults.at("answer");
    return result;
  }

  /** Rows name runs by a number of this shard's own, given when `add` and the run has none. */
  private runNumber(runId: string, add: boolean): number {
    let n = this.runNumbers.get(runId);
    if (n === undefined) {
      n = this.sql.exec<{ n: number }>(RUN_NO_SQL, runId).toArray()[0]?.n;
      if (n === undefined && !add) return UNSEEN_RUN;
      n ??= this.sql.exec<{ n: number }>(ADD_RUN_SQL, runId).one().n;
      this.runNumbers.set(runId, n);
    }
    return n;
  }

  private codecNumber(text: string): number {
    let n = this.codecNumbers.get(text);
    if (n === undefined) {
      n =
        this.sql.exec<{ n: number }>(CODEC_NO_SQL, text).toArray()[0]?.n ??
        this.sql.exec<{ n: number }>(ADD_CODEC_SQL, text).one().n;
      this.codecNumbers.set(text, n);
      this.codecs.set(n, JSON.parse(text) as Codec);
    }
    return n;
  }

  private readonly codecOf = (n: number): Codec => {
    let codec = this.codecs.get(n);
    if (!codec) {
      codec = JSON.parse(this.sql.exec<{ codec: string }>(CODEC_SQL, n).one().codec) as Codec;
      this.codecs.set(n, codec);
    }
    return codec;
  };

  // Data shards -------------------------------------------------------------------------------

  /** Upserts orders, encoded by the client (codec.ts) under the codec whose text is `codec`. */
  writeOrders(name: string, scope: WriteScope, codec: string, rows: OrderRow[]): WriteCounts {
    this.enter(name, "data");
    return this.write(scope, (ctx) => writeOrders(ctx, this.codecNumber(codec), rows));
  }

  /** Upserts products, encoded by the client (codec.ts). */
  writeProducts(name: string, scope: WriteScope, rows: ProductRow[]): WriteCounts {
    this.enter(name, "data");
    return this.write(scope, (ctx) => writeProducts(ctx, rows));
  }

  /** An order with its line items in file order, or null. */
  getOrder(name: string, orderId: string): Order | null {
    this.enter(name, "data");
    return getOrder(this.sql, this.codecOf, orderId);
  }

  /** The products of these ids that the shard holds. */
  getProducts(name: string, ids: string[]): Product[] {
    this.enter(name, "data");
    return getProducts(this.sql, ids);
  }

  /**
   * A person's orders (placed under any of `ids`), newest first, after `before`: at most
   * `limit`, each with where it sits in that order.
   */
  buyerOrders(
    name: string,
    ids: UserId[],
    before: OrderPosition | null,
    limit: number,
  ): { order: Order; at: OrderPosition }[] {
    this.enter(name, "data");
    return buyerOrders(this.sql, this.codecOf, ids, before, limit).map(({ order, at }) => ({ order, at }));
  }

  /**
   * The orders or products run `runId` added or changed last (an item a later run changed is that
   * run's), in the order they were first stored, after row `after`: at most `limit`.
   */
  runItems(
    name: string,
    runId: string,
    kind: "orders" | "products",
    after: number,
    limit: number,
  ): { n: number; id: string }[] {
    this.enter(name, "data");
    const run = this.sql.exec<{ n: number }>(RUN_NO_SQL, runId).toArray()[0]?.n;
    return run === undefined ? [] : runRows(this.sql, kind, run, after, limit);
  }

  /** Per currency: how many orders the person placed, Σ (total − refund), first and last. */
  buyerSummary(name: string, ids: UserId[]): OrderSummaryRow[] {
    this.enter(name, "data");
    return summarize(buyerOrders(this.sql, this.codecOf, ids, null, Number.MAX_SAFE_INTEGER));
  }

  /** Deletes a person's orders (placed under any of `ids`); says how many, and their line items. */
  eraseBuyer(name: string, ids: UserId[]): { orders: number; lineItems: number } {
    this.enter(name, "data");
    return this.ctx.storage.transactionSync(() =>
      deleteOrders(this.sql, buyerOrders(this.sql, this.codecOf, ids, null, Number.MAX_SAFE_INTEGER)),
    );
  }

  // The identity shard ------------------------------------------------------------------------

  /** Gives each buyer id (as stored) that has no profile an empty one, as an order import does. */
  ensureBuyers(name: string, scope: WriteScope, ids: UserId[]): void {
    this.enter(name, "identity");
    this.write(scope, (ctx) => ensureBuyers(ctx, ids));
  }

  /** Writes customer records, in order (see identity.ts, writeCustomer). */
  writeCustomers(
    name: string,
    scope: WriteScope,
    mergeStrategy: "merge" | "replace",
    records: CustomerRecord[],
  ): WriteCounts {
    this.enter(name, "identity");
    return this.write(scope, (ctx) => {
      const counts = noCounts();
      records.forEach((record, i) => {
        if (i === records.length >> 1) ctx.midWrite();
        counts[writeCustomer(ctx, scope.runId, mergeStrategy, record)]++;
      });
      return counts;
    });
  }

  /** The profiles run `runId` added or changed last, with their ids, after profile `after`. */
  runProfiles(
    name: string,
    runId: string,
    after: number,
    limit: number,
  ): { n: number; id: string; ids: UserId[] }[] {
    this.enter(name, "identity");
    const run = this.sql.exec<{ n: number }>(RUN_NO_SQL, runId).toArray()[0]?.n;
    return run === undefined ? [] : runProfiles(this.sql, run, after, limit);
  }

  /** The profile of the first of `candidates` that has one, or null. */
  findProfile(name: string, candidates: UserId[]): StoredProfile | null {
    this.enter(name, "identity");
    return findProfile(this.sql, candidates);
  }

  /** Deletes a profile and its ids; says how many of each. */
  eraseProfile(name: string, profileId: string): { profiles: number; ids: number } {
    this.enter(name, "identity");
    return this.ctx.storage.transactionSync(() => eraseProfile(this.sql, profileId));
  }

  // Every shard -------------------------------------------------------------------------------

  /** Deletes everything the shard holds (its tenant being deleted), leaving an empty schema. */
  async wipe(name: string): Promise<void> {
    this.enter(name, this.kindOf(name));
    await this.ctx.storage.deleteAll();
    this.runNumbers.clear();
    this.codecs.clear();
    this.codecNumbers.clear();
    this.name = null;
    upgrade(this.ctx.storage);
  }

  /** The shard's size in bytes, and its rows. */
  usage(name: string): ShardUsage {
    this.enter(name, this.kindOf(name));
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
