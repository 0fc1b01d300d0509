import { describe, expect, it } from "vitest";
import { WRITE_EVERY_ITEMS, writeNow } from "../src/chunk";

const MiB = 1024 * 1024;

describe("writeNow", () => {
  it("holds items until there are WRITE_EVERY_ITEMS of them", () => {
    const bytes = { read: 2 * MiB, atLastWrite: 0, chunk: 64 * MiB };
    expect(writeNow(WRITE_EVERY_ITEMS - 1, bytes)).toBe(false);
    expect(writeNow(WRITE_EVERY_ITEMS, bytes)).toBe(true);
  });

  it("keeps the end of a chunk with the items before it when it is small, so that a chunk of 4 MiB is one write", () => {
    // A chunk of 4 MiB reads into about 6,000 orders: the last 28 joined the first 6,000.
    expect(writeNow(WRITE_EVERY_ITEMS, { read: 4 * MiB - 20_000, atLastWrite: 0, chunk: 4 * MiB })).toBe(
      false,
    );
    // Past the first write, the same: 1 MiB left after 2 MiB written since.
    expect(writeNow(WRITE_EVERY_ITEMS, { read: 7 * MiB, atLastWrite: 5 * MiB, chunk: 8 * MiB - 1 })).toBe(
      false,
    );
  });

  it("writes as it reads when at least half of what the items took is still to come", () => {
    expect(writeNow(WRITE_EVERY_ITEMS, { read: 4 * MiB, atLastWrite: 0, chunk: 6 * MiB })).toBe(true);
    expect(writeNow(WRITE_EVERY_ITEMS, { read: 7 * MiB, atLastWrite: 5 * MiB, chunk: 8 * MiB })).toBe(true);
  });

  it("writes at once when the whole chunk is read and the items reach a write", () => {
    expect(writeNow(WRITE_EVERY_ITEMS, { read: 4 * MiB, atLastWrite: 4 * MiB, chunk: 4 * MiB })).toBe(true);
  });
});
