/**
 * Test hook shared by the queue consumers: crashes on purpose, to show that at-least-once
 * delivery ends as a clean run would. Never active unless the Worker's var FAULT_INJECTION is
 * set (no deployment sets it). Comma-separated rules, over the consumer's four fault points:
 *
 * - `<point>` or `<point>:N`: the first delivery (of every Nth item, with N) throws at that point;
 * - `random:R[:seed=S][:attempts=N]`: a share R of all deliveries throws, at a point picked at
 *   random among the four, from a PRNG seeded with S, the delivery's id and the attempt (so each
 *   run crashes differently, and the same run under the same seed crashes the same way). With
 *   `attempts=N`, only a delivery's first N attempts may crash: every item then gets through
 *   within the queue's retries, and a run converges whatever the draws.
 */
export interface Faults<P extends string> {
  /** Throws when the delivery is to crash at `point`. */
  at(point: P): void;
}

/** A consumer's fault points: `middle` may not be reached, and then its crash comes at `instead`. */
export interface FaultPoints<P extends string> {
  points: readonly [P, P, P, P];
  middle: P;
  instead: P;
}

/**
 * One delivery: `id` seeds the PRNG, `label` names it in the error ("chunk 3"), `nth` counts it
 * for `point:N` rules.
 */
export interface Delivery {
  id: string;
  label: string;
  attempts: number;
  nth?: number;
}

const NO_FAULTS: Faults<never> = { at() {} };

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

/** The faults of one delivery under `spec` (the FAULT_INJECTION var). */
export function faultsFor<P extends string>(
  spec: string | undefined,
  consumer: FaultPoints<P>,
  delivery: Delivery,
): Faults<P> {
  if (!spec) return NO_FAULTS;
  const { points, middle, instead } = consumer;
  const planned = new Set<P>();
  for (const rule of spec.split(",")) {
    const [name = "", arg = "", ...options] = rule.trim().split(":");
    if (name === "random") {
      const seed = options.find((o) => o.startsWith("seed="))?.slice(5) ?? "0";
      const upTo = Number(
        options.find((o) => o.startsWith("attempts="))?.slice(9) ?? Number.POSITIVE_INFINITY,
      );
      const key = `${seed}|${delivery.id}|${delivery.attempts}`;
      if (delivery.attempts <= upTo && uniform(key) < Number(arg)) {
        const point = points[Math.floor(uniform(`${key}|point`) * points.length)];
        if (point) planned.add(point);
      }
    } else if ((points as readonly string[]).includes(name) && delivery.attempts === 1) {
      if (arg === "" || (delivery.nth ?? 0) % Number(arg) === 0) planned.add(name as P);
    }
  }
  if (planned.size === 0) return NO_FAULTS;
  let middlePassed = false;
  return {
    at(point) {
      if (point === middle) middlePassed = true;
      const due = planned.has(point) || (point === instead && !middlePassed && planned.has(middle));
      if (due) throw new Error(`injected fault ${point} on ${delivery.label} (attempt ${delivery.attempts})`);
    },
  };
}
