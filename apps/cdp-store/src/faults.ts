import { type FaultPoints, type Faults, faultsFor } from "@cdp/core";
import type { WriteScope } from "./types";

/**
 * The fault points of a shard's write (see FAULT_INJECTION in @cdp/core's faults), all but the
 * last inside its transaction: before its first row, half-way through its rows, after its last
 * row (each rolls the whole write back), and once it has committed, before it answers (the
 * caller sees an error for a write that is stored). A data shard's points are `*-shard-*`, the
 * identity shard's `*-identity-*`, so that a rule can crash the one and not the other. Only a
 * write that names its queue delivery can crash: `point:N` rules crash the writes of every Nth
 * chunk.
 */
const DATA_FAULTS: FaultPoints<
  "before-shard-write" | "mid-shard-write" | "after-shard-write" | "before-shard-answer"
> = {
  points: ["before-shard-write", "mid-shard-write", "after-shard-write", "before-shard-answer"],
  middle: "mid-shard-write",
  instead: "after-shard-write",
};

const IDENTITY_FAULTS: FaultPoints<
  "before-identity-write" | "mid-identity-write" | "after-identity-write" | "before-identity-answer"
> = {
  points: ["before-identity-write", "mid-identity-write", "after-identity-write", "before-identity-answer"],
  middle: "mid-identity-write",
  instead: "after-identity-write",
};

/** A write's four points, by where they are: before, middle, after, answer. */
export interface ShardFaults {
  at(point: "before" | "middle" | "after" | "answer"): void;
}

const NONE: ShardFaults = { at() {} };

export function shardFaults(
  spec: string | undefined,
  scope: WriteScope,
  shard: string,
  kind: "identity" | "data",
): ShardFaults {
  const delivery = scope.delivery;
  if (!spec || !delivery) return NONE;
  const consumer = kind === "identity" ? IDENTITY_FAULTS : DATA_FAULTS;
  const faults = faultsFor(spec, consumer as FaultPoints<string>, {
    id: `${delivery.id}|${shard}`,
    label: `${shard} for ${delivery.label}`,
    attempts: delivery.attempts,
    ...(delivery.nth === undefined ? {} : { nth: delivery.nth }),
  }) as Faults<string>;
  const [before, middle, after, answer] = consumer.points;
  const byPlace = { before, middle, after, answer };
  return { at: (place) => faults.at(byPlace[place]) };
}
