import type { ChunkMessage } from "@cdp/core";

/**
 * Test hook: crashes of the chunk consumer on purpose, to show that at-least-once delivery ends
 * with the store and stats of a clean run. Never active unless the var FAULT_INJECTION is set
 * (it is empty in every real deployment). Comma-separated rules:
 *
 * - `before-write:N`, `mid-write:N`, `after-write:N`, `before-ack:N`: the first delivery of
 *   every Nth chunk throws at that point (`mid-write`: after the first of several D1 batches of
 *   the chunk's store writes committed, before the rest);
 * - `random:R[:seed=S]`: a share R of all deliveries throws, at a point picked at random among
 *   the four, from a PRNG seeded with S, the run id, the chunk and the attempt (so each run
 *   crashes differently, and the same run under the same seed crashes the same way).
 */
export const FAULT_POINTS = ["before-write", "mid-write", "after-write", "before-ack"] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export interface Faults {
  /** Throws when the delivery is to crash at `point`. */
  at(point: FaultPoint): void;
}

const NO_FAULTS: Faults = { at() {} };

/** FNV-1a then a murmur finaliser: a uniform number in [0, 1) from text. */
export function uniform(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** The faults of one delivery of a chunk. */
export function faultsFor(spec: string | undefined, message: ChunkMessage, attempts: number): Faults {
  if (!spec) return NO_FAULTS;
  const planned = new Set<FaultPoint>();
  for (const rule of spec.split(",")) {
    const [name = "", arg = "", ...options] = rule.trim().split(":");
    if (name === "random") {
      const seed = options.find((o) => o.startsWith("seed="))?.slice(5) ?? "0";
      const key = `${seed}|${message.runId}|${message.chunkNo}|${attempts}`;
      if (uniform(key) < Number(arg)) {
        const point = FAULT_POINTS[Math.floor(uniform(`${key}|point`) * FAULT_POINTS.length)];
        if (point) planned.add(point);
      }
    } else if ((FAULT_POINTS as readonly string[]).includes(name)) {
      if (attempts === 1 && message.chunkNo % Number(arg) === 0) planned.add(name as FaultPoint);
    }
  }
  if (planned.size === 0) return NO_FAULTS;
  let midWritePassed = false;
  return {
    at(point) {
      // A write of one batch has no middle: its crash comes right after it instead.
      if (point === "mid-write") midWritePassed = true;
      const due =
        planned.has(point) || (point === "after-write" && !midWritePassed && planned.has("mid-write"));
      if (due) throw new Error(`injected fault ${point} on chunk ${message.chunkNo} (attempt ${attempts})`);
    },
  };
}
