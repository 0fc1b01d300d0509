import { describe, expect, it } from "vitest";
import { emptyProfileHash, profileHash } from "../src/cdp/profiles";

describe("emptyProfileHash", () => {
  it("is profileHash of a profile with no attributes and that one id, for any id text", () => {
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
        expect(emptyProfileHash({ type, value })).toBe(profileHash({}, [{ type, value }]));
  });

  it("differs from the hash of a profile with attributes or another id", () => {
    const id = { type: "email", value: "customer1@example.com" };
    expect(emptyProfileHash(id)).not.toBe(profileHash({ name: "Ann" }, [id]));
    expect(emptyProfileHash(id)).not.toBe(emptyProfileHash({ ...id, value: "customer2@example.com" }));
  });
});
