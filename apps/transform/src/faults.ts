import { type ChunkMessage, type FaultPoints, type Faults, faultsFor } from "@cdp/core";

/**
 * The fault points of the chunk consumer (see FAULT_INJECTION in @cdp/core's faults): before the
 * store write, once part of it has committed (`mid-write`: an order import's buyers in the
 * identity shard before its orders in the data shards, or the items read so far; a chunk written
 * at once crashes right after it instead), after the write, before the ack. `point:N` rules crash
 * every Nth chunk. The store's own points, inside a shard's write, are the cdp-store Worker's.
 */
const CHUNK_FAULTS: FaultPoints<"before-write" | "mid-write" | "after-write" | "before-ack"> = {
  points: ["before-write", "mid-write", "after-write", "before-ack"],
  middle: "mid-write",
  instead: "after-write",
};

/** The faults of one delivery of a chunk. */
export const chunkFaults = (
  env: Env,
  message: ChunkMessage,
  attempts: number,
): Faults<(typeof CHUNK_FAULTS.points)[number]> =>
  faultsFor(env.FAULT_INJECTION, CHUNK_FAULTS, {
    id: `${message.runId}|${message.chunkNo}`,
    label: `chunk ${message.chunkNo}`,
    attempts,
    nth: message.chunkNo,
  });
