import type { Delivery, UserId } from "@cdp/core";

/** What a write belongs to. */
export interface WriteScope {
  runId: string;
  /** ISO time of the write. */
  now: string;
  /** Classify as a real run would, then keep nothing. */
  dryRun: boolean;
  /** The queue delivery the write is part of: only FAULT_INJECTION (tests) reads it. */
  delivery?: Delivery;
}

export interface WriteCounts {
  added: number;
  updated: number;
  unchanged: number;
}

export const noCounts = (): WriteCounts => ({ added: 0, updated: 0, unchanged: 0 });

export function addCounts(into: WriteCounts, more: WriteCounts): WriteCounts {
  into.added += more.added;
  into.updated += more.updated;
  into.unchanged += more.unchanged;
  return into;
}

/** A profile as its identity shard holds it. */
export interface StoredProfile {
  id: string;
  ids: UserId[];
  attributes: Record<string, unknown>;
  /** The run that last changed each attribute. */
  attributeRuns: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** One currency of a person's orders in one data shard. */
export interface OrderSummaryRow {
  currency: string;
  count: number;
  /** Σ (total − refund). */
  revenue: number;
  firstOrderAt: string;
  lastOrderAt: string;
}

/** Where a page of a person's orders ends: the last order's time (ms) and id, newest first. */
export interface OrderPosition {
  placedAt: number;
  orderId: string;
}

/** What a shard holds: its database's size in bytes and its rows. */
export interface ShardUsage {
  bytes: number;
  orders: number;
  lineItems: number;
  products: number;
  profiles: number;
  ids: number;
}

export interface ErasedCounts {
  profiles: number;
  ids: number;
  orders: number;
  lineItems: number;
}
