/**
 * Test hook: crashes of the runs consumer on purpose, to show that a redelivered run message
 * ends with the same chunks, each imported once. Never active unless the var FAULT_INJECTION is
 * set on this Worker (no deployment sets it). Comma-separated rules:
 *
 * - `before-plan`, `before-send`, `mid-send`, `before-ack`: the first delivery of every run
 *   throws at that point (`before-send`: the plan is stored, no chunk is on the queue yet;
 *   `mid-send`: after the first batch of chunk messages, when there are several);
 * - `random:R[:seed=S]`: a share R of all deliveries throws, at a point picked at random among
 *   the four, from a PRNG seeded with S, the run id and the attempt.
 */
export const FAULT_POINTS = ["before-plan", "before-send", "mid-send", "before-ack"] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export interface Faults {
  /** Throws when the delivery is to crash at `point`. */
  at(point: FaultPoint): void;
}

export const NO_FAULTS: Faults = { at() {} };

/** FNV-1a then a murmur finaliser: a uniform number in [0, 1) from text. */
function uniform(text: string): number {
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

/** The var, which only test stacks set (it is not declared in wrangler.jsonc). */
export const faultSpec = (env: Env): string | undefined =>
  (env as unknown as { FAULT_INJECTION?: string }).FAULT_INJECTION;

/** The faults of one delivery of a run message. */
export function faultsFor(spec: string | undefined, runId: string, attempts: number): Faults {
  if (!spec) return NO_FAULTS;
  const planned = new Set<FaultPoint>();
  for (const rule of spec.split(",")) {
    const [name = "", arg = "", ...options] = rule.trim().split(":");
    if (name === "random") {
      const seed = options.find((o) => o.startsWith("seed="))?.slice(5) ?? "0";
      const key = `${seed}|${runId}|${attempts}`;
      if (uniform(key) < Number(arg)) {
        const point = FAULT_POINTS[Math.floor(uniform(`${key}|point`) * FAULT_POINTS.length)];
        if (point) planned.add(point);
      }
    } else if ((FAULT_POINTS as readonly string[]).includes(name) && attempts === 1) {
      planned.add(name as FaultPoint);
    }
  }
  if (planned.size === 0) return NO_FAULTS;
  let midSendPassed = false;
  return {
    at(point) {
      // A plan of one batch of messages has no middle: its crash comes before the ack instead.
      if (point === "mid-send") midSendPassed = true;
      const due = planned.has(point) || (point === "before-ack" && !midSendPassed && planned.has("mid-send"));
      if (due) throw new Error(`injected fault ${point} on run ${runId} (attempt ${attempts})`);
    },
  };
}
