import { type FaultPoints, type Faults, faultsFor } from "@cdp/core";
import type { WriteScope } from "./types";

/**
 * The fault points of a shard's write (see FAULT_INJECTION in @cdp/core's faults), all but the
 * last inside its transaction: before its first row, half-way through its rows, after its last
 * row (each rolls the whole write back), and once it has committed, before it answers (the
 * caller sees an error for a write that is stored). Only a write that names its queue delivery
 * can crash: `point:N` rules crash the writes of every Nth chunk.
 */
const SHARD_FAULTS: FaultPoints<
  "before-shard-write" | "mid-shard-write" | "after-shard-write" | "before-shard-answer"
> = {
  points: ["before-shard-write", "mid-shard-write", "after-shard-write", "before-shard-answer"],
  middle: "mid-shard-write",
  instead: "after-shard-write",
};

export type ShardFaults = Faults<(typeof SHARD_FAULTS.points)[number]>;

const NONE: ShardFaults = { at() {} };

export function shardFaults(spec: string | undefined, scope: WriteScope, shard: string): ShardFaults {
  const delivery = scope.delivery;
  if (!spec || !delivery) return NONE;
  return faultsFor(spec, SHARD_FAULTS, {
    id: `${delivery.id}|${shard}`,
    label: `${shard} for ${delivery.label}`,
    attempts: delivery.attempts,
    ...(delivery.nth === undefined ? {} : { nth: delivery.nth }),
  });
}
