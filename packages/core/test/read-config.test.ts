import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import { ImportFileError } from "../src/issue-codes";
import {
  CAST_TYPES,
  IMPORT_FORMATS,
  IMPORT_TYPES,
  parseReadConfig,
  ReadConfigError,
} from "../src/read-config";
import { seededRandom } from "./support/random";

/** What each side makes of a value: the config it reads, or the path of what it refuses. */
function byZod(value: unknown) {
  const result = ReadConfig.safeParse(value);
  return result.success
    ? { ok: true as const, config: result.data }
    : {
        ok: false as const,
        paths: result.error.issues.map((issue) =>
          issue.path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join(""),
        ),
      };
}

function byHand(value: unknown) {
  try {
    return { ok: true as const, config: parseReadConfig(value) };
  } catch (err) {
    if (!(err instanceof ReadConfigError)) throw err;
    return { ok: false as const, path: err.path, message: err.message };
  }
}

/** Both read the value alike: the same config, or both refuse it (the hand path among zod's). */
function expectSameAnswer(value: unknown): void {
  const zod = byZod(value);
  const hand = byHand(value);
  expect(hand.ok, JSON.stringify(value)).toBe(zod.ok);
  if (zod.ok && hand.ok) expect(hand.config).toStrictEqual(zod.config);
  if (!zod.ok && !hand.ok) {
    const path = hand.path.replace(/^(?=[^[])/, ".");
    // zod names a wrong discriminator at the object, the hand check at the key; both are fine.
    expect(
      zod.paths.some((p) => p === path || path.startsWith(`${p}.`)),
      `${JSON.stringify(value)}: ${path} vs ${zod.paths}`,
    ).toBe(true);
  }
}

const VALID = [
  { type: "orders", format: "velocidi_csv" },
  { type: "orders", format: "shopify_csv", options: { orderIdColumn: "Id", encoding: "windows-1252" } },
  {
    type: "customers",
    format: "csv",
    options: { userIdField: "email", userIdType: "email", mergeStrategy: "replace", delimiter: ";" },
    transformations: [
      {
        op: "rename",
        from: "number_of_orders",
        to: "completedOrders",
        values: [{ type: "cast", to: "integer" }],
      },
      {
        op: "copy",
        from: "signup",
        to: "signupAt",
        values: [{ type: "timestamp", pattern: "yyyy/MM/dd hh:mm" }],
      },
      { op: "add", field: "source", value: { nested: [1, "two", null] } },
      { op: "delete", field: "internal" },
      {
        op: "rename",
        from: "tier",
        to: "tier",
        values: [{ type: "map", mappings: [{ from: "G", to: "gold" }] }],
      },
    ],
  },
  { type: "products", format: "google_tsv", options: { hashUserIds: false, entry: "*.tsv" } },
];

describe("parseReadConfig reads what ReadConfig (zod) reads", () => {
  it("fills in empty options and transformations, and drops the import's other top-level keys", () => {
    expect(
      parseReadConfig({ type: "orders", format: "velocidi_csv", name: "x", source: { type: "upload" } }),
    ).toEqual({ type: "orders", format: "velocidi_csv", options: {}, transformations: [] });
    for (const value of VALID) expectSameAnswer(value);
  });

  it("names the field that is wrong, in words", () => {
    const wrong = (value: unknown) => (byHand(value) as { message: string }).message;
    expect(wrong({ type: "orders", format: "velocidi_csv", options: { delimiter: ";;" } })).toBe(
      "The import's configuration is not valid: options.delimiter must be exactly 1 character long.",
    );
    expect(wrong({ type: "orders", format: "parquet" })).toBe(
      "The import's configuration is not valid: format must be one of velocidi_csv, shopify_csv, csv, jsonl, egoi_contacts, google_rss, google_atom, google_tsv.",
    );
    expect(
      wrong({ type: "customers", format: "csv", transformations: [{ op: "rename", from: "a", to: "" }] }),
    ).toBe(
      "The import's configuration is not valid: transformations[0].to must be at least 1 character long.",
    );
    expect(wrong(null)).toBe("The import's configuration is not valid: the configuration must be an object.");
    // A typo inside options or a transformation is refused, never dropped.
    expect(wrong({ type: "orders", format: "velocidi_csv", options: { hashUserIDs: true } })).toBe(
      "The import's configuration is not valid: options.hashUserIDs is not a known field (did you mean hashUserIds?).",
    );
    expect(
      wrong({
        type: "customers",
        format: "csv",
        transformations: [{ op: "add", field: "a", value: 1, vaule: 2 }],
      }),
    ).toBe(
      "The import's configuration is not valid: transformations[0].vaule is not a known field (did you mean value?).",
    );
    expect(
      wrong({
        type: "customers",
        format: "csv",
        transformations: [
          { op: "rename", from: "a", to: "b", values: [{ type: "map", mappings: [{ from: 1 }] }] },
        ],
      }),
    ).toBe(
      "The import's configuration is not valid: transformations[0].values[0].mappings[0].to is required.",
    );
    // A run fails with it as with any file it cannot read: at once, with a code.
    const error = (() => {
      try {
        parseReadConfig({ type: "sales", format: "csv" });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error).toMatchObject({ code: "invalid_config", path: "type" });
  });

  it("gives the same answer as zod for 5,000 random configs, valid and not", () => {
    const seed = 20261129;
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const chance = (p: number) => random() < p;
    const junk = () =>
      pick<unknown>([undefined, null, 0, 1.5, -1, true, false, "", "x", [], {}, ["a"], { a: 1 }, "Ü", "🙂"]);
    const text = (min: number, max: number) =>
      chance(0.15) ? junk() : pick(["", "a", "ab", "x".repeat(max), "x".repeat(max + 1), "é".repeat(min)]);
    const maybe = <T>(make: () => T, p = 0.5) => (chance(p) ? make() : undefined);
    const withExtra = (o: Record<string, unknown>) => {
      if (chance(0.1)) o[pick(["extra", "__proto__x", "name", "constructor"])] = junk();
      for (const key of Object.keys(o)) if (o[key] === undefined && chance(0.7)) delete o[key];
      return chance(0.03) ? junk() : o;
    };
    const valueTransform = () =>
      withExtra(
        pick([
          () => ({
            type: "map",
            mappings: chance(0.1)
              ? pick<unknown>([[], "m", null])
              : Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
                  chance(0.1) ? junk() : withExtra({ from: junk(), to: junk() }),
                ),
          }),
          () => ({ type: "timestamp", pattern: text(1, 30) }),
          () => ({ type: "cast", to: chance(0.85) ? pick(CAST_TYPES) : junk() }),
          () => ({ type: chance(0.5) ? "lowercase" : junk() }),
        ])(),
      );
    const transformation = () =>
      withExtra(
        pick([
          () => ({
            op: pick(["rename", "copy"]),
            from: text(1, 256),
            to: text(1, 256),
            values: maybe(() =>
              chance(0.1) ? junk() : Array.from({ length: Math.floor(random() * 3) }, valueTransform),
            ),
          }),
          () => ({ op: "add", field: text(1, 256), value: maybe(junk) }),
          () => ({ op: "delete", field: text(1, 256) }),
          () => ({ op: chance(0.5) ? "drop" : junk(), field: "a" }),
        ])(),
      );
    const options = () =>
      withExtra({
        hashUserIds: maybe(() => (chance(0.8) ? chance(0.5) : junk()), 0.3),
        orderIdColumn: maybe(() => (chance(0.8) ? pick(["Name", "Id", "name"]) : junk()), 0.3),
        userIdField: maybe(() => text(1, 40), 0.3),
        userIdType: maybe(() => text(1, 40), 0.3),
        mergeStrategy: maybe(() => (chance(0.8) ? pick(["merge", "replace", "MERGE"]) : junk()), 0.3),
        encoding: maybe(
          () => (chance(0.8) ? pick(["utf-8", "utf-16le", "latin1", "windows-1252"]) : junk()),
          0.3,
        ),
        delimiter: maybe(() => (chance(0.8) ? pick([",", ";", "\t", ";;", ""]) : junk()), 0.3),
        entry: maybe(() => text(1, 20), 0.3),
      });
    const config = () =>
      withExtra({
        type: chance(0.9) ? pick(IMPORT_TYPES) : junk(),
        format: chance(0.9) ? pick(IMPORT_FORMATS) : chance(0.5) ? "parquet" : junk(),
        options: maybe(() => (chance(0.05) ? junk() : options()), 0.7),
        transformations: maybe(
          () =>
            chance(0.05)
              ? junk()
              : Array.from(
                  { length: chance(0.02) ? 200 + Math.floor(random() * 2) : Math.floor(random() * 4) },
                  transformation,
                ),
          0.6,
        ),
      });
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const value = config();
      expectSameAnswer(value);
      if (byHand(value).ok) accepted++;
    }
    // Both kinds are well represented, so the comparison means something either way.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(4500);
  });
});
