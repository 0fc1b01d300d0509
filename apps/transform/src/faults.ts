import { type ChunkMessage, type FaultPoints, type Faults, faultsFor } from "@cdp/core";

/**
 * The fault points of the chunk consumer (see FAULT_INJECTION in @cdp/core's faults): before the
 * store write, after the first of several D1 batches of it (`mid-write`; a write of one batch
 * crashes right after it instead), after the write, before the ack. `point:N` rules crash every
 * Nth chunk.
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
