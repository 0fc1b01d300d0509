import { sha256HexSync } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../src/cdp/common";
import { idKey, profileHash } from "../src/cdp/profiles";

/** profileHash as it is defined: SHA-256 of the canonical JSON of attributes and sorted ids. */
const byDefinition = (attributes: Record<string, unknown>, ids: { type: string; value: string }[]) =>
  sha256HexSync(canonicalJson({ attributes, ids: ids.map(idKey).sort() }));

describe("profileHash", () => {
  it("hashes a profile with no attributes and one id as its canonical JSON, for any id text", () => {
    const values = [
      "customer1@example.com",
      "a".repeat(64),
      'quote " backslash \\ and \u0000 control',
      "caf\u00e9 \u{1f600} \u2028",
      "",
      "x".repeat(300),
    ];
    for (const type of ["email", "email_sha256", "phone_sha256", "customer_id", 'type "odd"'])
      for (const value of values)
        expect(profileHash({}, [{ type, value }])).toBe(byDefinition({}, [{ type, value }]));
  });

  it("tells that profile from one with attributes, with another id or with two ids", () => {
    const id = { type: "email", value: "customer1@example.com" };
    const other = { ...id, value: "customer2@example.com" };
    expect(profileHash({ name: "Ann" }, [id])).toBe(byDefinition({ name: "Ann" }, [id]));
    expect(profileHash({ a: undefined }, [id])).toBe(byDefinition({}, [id]));
    expect(profileHash({}, [other, id])).toBe(byDefinition({}, [id, other]));
    expect(profileHash({}, [id])).not.toBe(profileHash({ name: "Ann" }, [id]));
    expect(profileHash({}, [id])).not.toBe(profileHash({}, [other]));
  });
});
