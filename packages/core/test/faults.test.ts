import { describe, expect, it } from "vitest";
import { faultsFor } from "../src/faults";

const POINTS = { points: ["a", "mid", "b", "ack"], middle: "mid", instead: "b" } as const;
type Point = (typeof POINTS.points)[number];

/** The point at which a delivery crashes, walking the points in order, or null. */
function crashPoint(
  spec: string,
  delivery: { id: string; attempts: number; nth?: number },
  passMiddle = true,
) {
  const faults = faultsFor(spec, POINTS, { ...delivery, label: `item ${delivery.id}` });
  for (const point of POINTS.points) {
    if (point === "mid" && !passMiddle) continue;
    try {
      faults.at(point as Point);
    } catch (err) {
      expect((err as Error).message).toBe(
        `injected fault ${point} on item ${delivery.id} (attempt ${delivery.attempts})`,
      );
      return point;
    }
  }
  return null;
}

describe("faultsFor", () => {
  it("does nothing without a spec", () => {
    expect(crashPoint("", { id: "x", attempts: 1 })).toBeNull();
  });

  it("crashes the first delivery of every Nth item at the named point", () => {
    expect(crashPoint("b:3", { id: "x", attempts: 1, nth: 6 })).toBe("b");
    expect(crashPoint("b:3", { id: "x", attempts: 1, nth: 7 })).toBeNull();
    expect(crashPoint("b:3", { id: "x", attempts: 2, nth: 6 })).toBeNull();
    expect(crashPoint("a", { id: "x", attempts: 1 })).toBe("a");
  });

  it("moves a crash in the middle to its stand-in when the middle is never reached", () => {
    expect(crashPoint("mid", { id: "x", attempts: 1 })).toBe("mid");
    expect(crashPoint("mid", { id: "x", attempts: 1 }, false)).toBe("b");
  });

  it("crashes a seeded share of deliveries, the same way for the same seed and delivery", () => {
    const outcomes = Array.from({ length: 2000 }, (_, i) =>
      crashPoint("random:0.1:seed=7", { id: `d${i}`, attempts: 1 }),
    );
    const crashed = outcomes.filter((p) => p !== null).length;
    expect(crashed).toBeGreaterThan(140);
    expect(crashed).toBeLessThan(260);
    expect(new Set(outcomes.filter((p) => p !== null))).toEqual(new Set(POINTS.points));
    const again = Array.from({ length: 2000 }, (_, i) =>
      crashPoint("random:0.1:seed=7", { id: `d${i}`, attempts: 1 }),
    );
    expect(again).toEqual(outcomes);
    const otherSeed = Array.from({ length: 2000 }, (_, i) =>
      crashPoint("random:0.1:seed=8", { id: `d${i}`, attempts: 1 }),
    );
    expect(otherSeed).not.toEqual(outcomes);
  });

  it("crashes only a delivery's first N attempts with attempts=N, as it would without", () => {
    const crashed = (spec: string, attempts: number) =>
      Array.from({ length: 2000 }, (_, i) => crashPoint(spec, { id: `d${i}`, attempts })).filter(
        (p) => p !== null,
      ).length;
    for (const attempts of [1, 2, 3]) {
      expect(crashed("random:0.5:seed=7:attempts=3", attempts)).toBe(crashed("random:0.5:seed=7", attempts));
      expect(crashed("random:0.5:seed=7:attempts=3", attempts)).toBeGreaterThan(800);
    }
    expect(crashed("random:0.5:seed=7", 4)).toBeGreaterThan(800);
    expect(crashed("random:0.5:seed=7:attempts=3", 4)).toBe(0);
  });
});
