import {
  type CustomerRecord,
  HASHED_ID_TYPES,
  normalizeId,
  type Order,
  type Product,
  sha256Hex,
  storedIdValue,
  type UserId,
} from "@cdp/core";
import { CURRENT_CODEC_TEXT, type OrderRow, orderRow, productRow } from "./codec";
import { buyerOf, idKey } from "./ids";
import { type ShardRef, shardName, shardOf } from "./names";
import type { CdpShard } from "./shard";
import {
  addCounts,
  type ErasedCounts,
  noCounts,
  type OrderPosition,
  type OrderSummaryRow,
  type ShardUsage,
  type StoredProfile,
  type WriteCounts,
  type WriteScope,
} from "./types";

export { CURRENT_CODEC_TEXT, type OrderRow, orderRow } from "./codec";
export { isShardCount, MAX_SHARDS, shardName, shardOf, TENANT_ID } from "./names";
export type {
  ErasedCounts,
  OrderPosition,
  ShardUsage,
  StoredProfile,
  WriteCounts,
  WriteScope,
} from "./types";

/**
 * The binding of the shard class, as transform, egoi-sync and config-api declare it (by
 * `script_name`, so their generated Env types it loosely; the client types its calls).
 */
export type CdpShards = DurableObjectNamespace<CdpShard>;

/** A tenant as the store needs it: its id and how many data shards it has. */
export interface StoreTenant {
  id: string;
  shards: number;
}

/** A profile with a summary of its orders, as GET /v1/profiles/... answers. */
export interface ProfileView {
  id: string;
  ids: UserId[];
  attributes: Record<string, unknown>;
  /** The run that last changed each attribute. */
  attributeRuns: Record<string, string>;
  orders: {
    count: number;
    /** Σ (total − refund) per currency, rounded to cents. */
    revenue: Record<string, number>;
    firstOrderAt: string | null;
    lastOrderAt: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

export type EventProduct = { id: string } & Record<string, unknown>;

/** A product event (productView, addToCart, purchase...): one product, or several. */
export interface ProductEvent {
  type: string;
  product?: EventProduct;
  products?: EventProduct[];
}

export interface OrderPage {
  items: Order[];
  /** Where the next page starts, or null after the last. */
  next: OrderPosition | null;
}

/** Where a page of a run's items ends: the data shard (0 for profiles) and the row in it. */
export interface RunItemsPosition {
  shard: number;
  n: number;
}

/** An item a run added or changed last: an order's or product's id, or a profile's with its ids. */
export interface RunItem {
  id: string;
  ids?: UserId[];
}

export interface RunItemsPage {
  items: RunItem[];
  /** Where the next page starts, or null after the last. */
  next: RunItemsPosition | null;
}

interface Shard {
  name: string;
  stub: DurableObjectStub<CdpShard>;
}

/** Calls the shards' writes make before or between them (a test's crash points). */
export interface WriteHooks {
  /** After the identity shard's write of an order import's buyers, before the data shards'. */
  afterIdentity?(): void;
}

/** A later turn of the event loop: what was sent before it goes out while the thread works on. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const DISPOSE = (Symbol as unknown as { dispose?: symbol }).dispose;

/**
 * The answer of a call to one of the tenant's objects, the call's hold on it released. workerd
 * keeps a call open until its answer is disposed when the answer is an object that can be
 * disposed, and locally every object answer is one: wrangler's dev registry relays each call to
 * the store's process through an object of its own. An answer left to the garbage collector is
 * released by a finalizer that logs a warning, and capturing that warning's stack trace in the
 * middle of a collection crashed workerd in some imports (gdb on the core: ~RpcStubDisposalGroup,
 * logWarningOnce, CurrentStackTrace, SIGTRAP), the run then waiting for a chunk that never came.
 * The answer's data stays as it is.
 */
async function answer<T>(call: PromiseLike<T>): Promise<T> {
  const value = await call;
  if (DISPOSE && typeof value === "object" && value !== null) {
    const dispose = (value as Record<symbol, unknown>)[DISPOSE];
    if (typeof dispose === "function") dispose.call(value);
  }
  return value;
}

/**
 * Sums the answers of calls made in parallel (each released, see answer), once every call has
 * ended, or throws the first error.
 */
async function settleAll<T>(calls: PromiseLike<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(calls.map(answer));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** `items` grouped by the data shard of their id. */
function byShard<T>(items: T[], idOf: (item: T) => string, shards: number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const shard = shardOf(idOf(item), shards);
    const group = groups.get(shard);
    if (group) group.push(item);
    else groups.set(shard, [item]);
  }
  return groups;
}

/**
 * One tenant's CDP data, across its identity shard and its data shards. Every write sends one
 * call per shard it touches, in parallel, with the items as they are (structured clone, no JSON
 * per row); every read goes to the one shard that holds the answer, or to all data shards in
 * parallel where a person's orders may be anywhere.
 */
export class CdpStore {
  private readonly namespace: CdpShards;

  constructor(
    namespace: DurableObjectNamespace<CdpShard> | DurableObjectNamespace,
    readonly tenant: StoreTenant,
  ) {
    this.namespace = namespace as CdpShards;
  }

  /** One of the tenant's objects, and its name, which every call to it gives. */
  private shard(ref: ShardRef): Shard {
    const name = shardName(this.tenant.id, ref);
    return { name, stub: this.namespace.get(this.namespace.idFromName(name)) };
  }

  private dataShards(): Shard[] {
    return Array.from({ length: this.tenant.shards }, (_, n) => this.shard(n));
  }

  /** Calls one of the tenant's objects, giving it its name; its answer is released (see answer). */
  private call<T>(
    ref: ShardRef,
    call: (stub: DurableObjectStub<CdpShard>, name: string) => PromiseLike<T>,
  ): Promise<T> {
    const { stub, name } = this.shard(ref);
    return answer(call(stub, name));
  }

  private allShards(): Shard[] {
    return [this.shard("identity"), ...this.dataShards()];
  }

  // Writes ------------------------------------------------------------------------------------

  /**
   * Orders: first the buyers' profiles in the identity shard, then the orders, each data shard's
   * share in one call. Both are idempotent, and the chunk is recorded as done only after both:
   * a crash between them (or inside either) leaves the chunk to be delivered again, which finds
   * the buyers already there and classifies every order exactly as the first delivery did.
   */
  writeOrders(scope: WriteScope, orders: Order[], hooks: WriteHooks = {}): Promise<WriteCounts> {
    const buyers = new Map<string, UserId>();
    for (const order of orders) {
      const buyer = buyerOf(order);
      if (buyer) buyers.set(idKey(buyer), buyer);
    }
    // While the shards write, only the orders' rows are held: the items are let go once encoded
    // (a consumer reads its next chunk meanwhile, see the transform's queue handler).
    let items: Order[] | null = orders;
    const encode = () => {
      const groups = byShard((items ?? []).map(orderRow), (row) => row[0], this.tenant.shards);
      items = null;
      return groups;
    };
    return this.sendOrders(scope, [...buyers.values()], encode, hooks);
  }

  private async sendOrders(
    scope: WriteScope,
    buyers: UserId[],
    encode: () => Map<number, OrderRow[]>,
    hooks: WriteHooks,
  ): Promise<WriteCounts> {
    const identity =
      buyers.length > 0 && !scope.dryRun
        ? this.call("identity", (s, name) => s.ensureBuyers(name, scope, buyers))
        : null;
    // The orders are encoded while the identity shard writes the buyers: that work is this
    // thread's, the buyers' the shard's. The call goes out first (a turn of the event loop), and
    // the orders are sent only once it has answered.
    const encoding = (async () => {
      if (identity) await nextTurn();
      return encode();
    })();
    await settleAll<unknown>(identity ? [encoding, identity] : [encoding]);
    const groups = await encoding;
    hooks.afterIdentity?.();
    const counts = await settleAll(
      [...groups].map(([n, rows]) =>
        this.call(
          n,
          (s, name) => s.writeOrders(name, scope, CURRENT_CODEC_TEXT, rows) as Promise<WriteCounts>,
        ),
      ),
    );
    return counts.reduce(addCounts, noCounts());
  }

  async writeProducts(scope: WriteScope, products: Product[]): Promise<WriteCounts> {
    const groups = byShard(products.map(productRow), (row) => row[0], this.tenant.shards);
    const counts = await settleAll(
      [...groups].map(([n, rows]) =>
        this.call(n, (s, name) => s.writeProducts(name, scope, rows) as Promise<WriteCounts>),
      ),
    );
    return counts.reduce(addCounts, noCounts());
  }

  /** Customers: all in the identity shard, in one call. */
  async writeCustomers(
    scope: WriteScope,
    mergeStrategy: "merge" | "replace",
    records: CustomerRecord[],
  ): Promise<WriteCounts> {
    if (records.length === 0) return noCounts();
    return this.call(
      "identity",
      (s, name) => s.writeCustomers(name, scope, mergeStrategy, records) as Promise<WriteCounts>,
    );
  }

  // Reads -------------------------------------------------------------------------------------

  /**
   * The stored profile of an id. A plain e-mail or phone is looked up by its hash too (`email`
   * → `email_sha256` of the trimmed, lowercased value), since imports may have stored only the
   * hash; the exact id wins when both are known.
   */
  async findProfile(idType: string, idValue: string): Promise<StoredProfile | null> {
    const candidates: UserId[] = [{ type: idType, value: storedIdValue(idType, idValue) }];
    const hashedType = HASHED_ID_TYPES[idType];
    if (hashedType) candidates.push({ type: hashedType, value: await sha256Hex(normalizeId(idValue)) });
    return this.call(
      "identity",
      (s, name) => s.findProfile(name, candidates) as Promise<StoredProfile | null>,
    );
  }

  /** A profile with a summary of the orders placed under any of its ids, or null. */
  async getProfile(idType: string, idValue: string): Promise<ProfileView | null> {
    const profile = await this.findProfile(idType, idValue);
    if (!profile) return null;
    const rows = (
      await settleAll(
        this.dataShards().map(
          ({ stub, name }) => stub.buyerSummary(name, profile.ids) as Promise<OrderSummaryRow[]>,
        ),
      )
    ).flat();
    const orders: ProfileView["orders"] = { count: 0, revenue: {}, firstOrderAt: null, lastOrderAt: null };
    for (const row of rows) {
      orders.count += row.count;
      orders.revenue[row.currency] = (orders.revenue[row.currency] ?? 0) + row.revenue;
      if (!orders.firstOrderAt || row.firstOrderAt < orders.firstOrderAt)
        orders.firstOrderAt = row.firstOrderAt;
      if (!orders.lastOrderAt || row.lastOrderAt > orders.lastOrderAt) orders.lastOrderAt = row.lastOrderAt;
    }
    for (const currency of Object.keys(orders.revenue))
      orders.revenue[currency] = Math.round((orders.revenue[currency] ?? 0) * 100) / 100;
    return {
      id: profile.id,
      ids: profile.ids,
      attributes: profile.attributes,
      attributeRuns: profile.attributeRuns,
      orders,
      createdAt: profile.createdAt,
      updatedAt: profile.updatedAt,
    };
  }

  /**
   * A page of the orders of a stored profile, newest first (then by id, descending): each data
   * shard gives its newest `limit` after `after`, and the page is the newest `limit` of those.
   */
  async profileOrders(
    profile: StoredProfile,
    after: OrderPosition | null,
    limit: number,
  ): Promise<OrderPage> {
    const pages = await settleAll(
      this.dataShards().map(
        ({ stub, name }) =>
          stub.buyerOrders(name, profile.ids, after, limit + 1) as Promise<
            { order: Order; at: OrderPosition }[]
          >,
      ),
    );
    const all = pages
      .flat()
      .sort((a, b) =>
        a.at.placedAt !== b.at.placedAt
          ? b.at.placedAt - a.at.placedAt
          : a.at.orderId < b.at.orderId
            ? 1
            : a.at.orderId > b.at.orderId
              ? -1
              : 0,
      );
    const page = all.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map((p) => p.order), next: all.length > limit && last ? last.at : null };
  }

  /**
   * A page of what a run added or changed last (an item a later run changed is listed under that
   * run): orders and products shard after shard, each in the order it stored them; profiles from
   * the identity shard, in the order they were made.
   */
  async runItems(
    runId: string,
    kind: "orders" | "products" | "profiles",
    after: RunItemsPosition | null,
    limit: number,
  ): Promise<RunItemsPage> {
    let rows: (RunItem & RunItemsPosition)[];
    if (kind === "profiles") {
      const found = await this.call("identity", (stub, name) =>
        stub.runProfiles(name, runId, after?.n ?? 0, limit + 1),
      );
      rows = found.map((p) => ({ id: p.id, ids: p.ids, shard: 0, n: p.n }));
    } else {
      const start = after?.shard ?? 0;
      const shards = this.dataShards().slice(start);
      const pages = await settleAll(
        shards.map(
          ({ stub, name }, i) =>
            stub.runItems(name, runId, kind, i === 0 ? (after?.n ?? 0) : 0, limit + 1) as Promise<
              { n: number; id: string }[]
            >,
        ),
      );
      rows = pages.flatMap((page, i) => page.map((r) => ({ id: r.id, shard: start + i, n: r.n })));
    }
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(({ id, ids }) => (ids ? { id, ids } : { id })),
      next: rows.length > limit && last ? { shard: last.shard, n: last.n } : null,
    };
  }

  async getOrder(orderId: string): Promise<Order | null> {
    return this.call(
      shardOf(orderId, this.tenant.shards),
      (s, name) => s.getOrder(name, orderId) as Promise<Order | null>,
    );
  }

  async getProduct(productId: string): Promise<Product | null> {
    const [product] = await this.call(
      shardOf(productId, this.tenant.shards),
      (s, name) => s.getProducts(name, [productId]) as Promise<Product[]>,
    );
    return product ?? null;
  }

  /**
   * The event with the attributes its products lack filled in from the catalogue; a value the
   * event gives wins; a null one counts as missing. Products not in the catalogue stay as they are.
   */
  async enrichEvent<E extends ProductEvent>(event: E): Promise<E> {
    const given = [...(event.product ? [event.product] : []), ...(event.products ?? [])];
    const groups = byShard([...new Set(given.map((p) => p.id))], (id) => id, this.tenant.shards);
    const found = await settleAll(
      [...groups].map(([n, ids]) =>
        this.call(n, (s, name) => s.getProducts(name, ids) as Promise<Product[]>),
      ),
    );
    const catalogue = new Map(found.flat().map((p) => [p.id, p as Record<string, unknown>]));
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

  // Erasure and access ------------------------------------------------------------------------

  /**
   * Everything stored about the person with this id: the profile, and every order placed under
   * any of its ids, newest first. Null when no profile has the id.
   */
  async exportProfile(
    idType: string,
    idValue: string,
  ): Promise<{ profile: ProfileView; orders: Order[] } | null> {
    const profile = await this.getProfile(idType, idValue);
    const stored = profile && (await this.findProfile(idType, idValue));
    if (!profile || !stored) return null;
    const orders: Order[] = [];
    let after: OrderPosition | null = null;
    do {
      const page = await this.profileOrders(stored, after, 500);
      orders.push(...page.items);
      after = page.next;
    } while (after);
    return { profile, orders };
  }

  /**
   * Erases a person: first their orders from every data shard, then their profile and ids. A
   * crash in between leaves the profile, so erasing again finishes the job. Null when no
   * profile has the id.
   */
  async eraseProfile(idType: string, idValue: string): Promise<ErasedCounts | null> {
    const profile = await this.findProfile(idType, idValue);
    if (!profile) return null;
    const orders = await settleAll(
      this.dataShards().map(
        ({ stub, name }) =>
          stub.eraseBuyer(name, profile.ids) as Promise<{ orders: number; lineItems: number }>,
      ),
    );
    const identity = await this.call("identity", (s, name) => s.eraseProfile(name, profile.id));
    return {
      profiles: identity.profiles,
      ids: identity.ids,
      orders: orders.reduce((sum, o) => sum + o.orders, 0),
      lineItems: orders.reduce((sum, o) => sum + o.lineItems, 0),
    };
  }

  // The tenant as a whole ---------------------------------------------------------------------

  /** What each of the tenant's objects holds: the identity shard first, then data shards 0 … S−1. */
  async usage(): Promise<ShardUsage[]> {
    return settleAll(this.allShards().map(({ stub, name }) => stub.usage(name) as Promise<ShardUsage>));
  }

  /** Deletes everything the tenant's objects hold. */
  async wipe(): Promise<void> {
    await settleAll(this.allShards().map(({ stub, name }) => stub.wipe(name)));
  }
}
