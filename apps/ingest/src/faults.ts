import { type Delivery, type FaultPoints, type Faults as FaultsOf, faultsFor } from "@cdp/core";

/**
 * The fault points of the runs consumer (see FAULT_INJECTION in @cdp/core's faults): before the
 * plan, before any chunk is sent (the plan is stored), after the first of several batches of
 * chunk messages (`mid-send`; with one batch, its crash comes before the ack), before the ack.
 */
const RUN_FAULTS: FaultPoints<"before-plan" | "before-send" | "mid-send" | "before-ack"> = {
  points: ["before-plan", "before-send", "mid-send", "before-ack"],
  middle: "mid-send",
  instead: "before-ack",
};
export type Faults = FaultsOf<(typeof RUN_FAULTS.points)[number]>;

export const NO_FAULTS: Faults = { at() {} };

/** The var, which only test stacks set (it is not declared in wrangler.jsonc). */
const faultSpec = (env: Env): string | undefined =>
  (env as unknown as { FAULT_INJECTION?: string }).FAULT_INJECTION;

/** The faults of one delivery of a run message. */
export const runFaults = (env: Env, delivery: Delivery): Faults =>
  faultsFor(faultSpec(env), RUN_FAULTS, delivery);
