import { describe, expect, it } from "vitest";
import type { ReadResult } from "../src/engine";
import { sha256Hex } from "../src/hash";
import { checkUserId, hashUserIdsOf, isMissingId, normalizeId, storedIdValue } from "../src/ids";
import type { CustomerRecord, Order } from "../src/items";

const SOME_SHA256 = "f1f4a4b9e1b0e4fa5a5a3c1a4e10cda8e2a2bffbb3b07a3fd0b0a5d0d3ae9e0c";

describe("what is an id", () => {
  it.each([
    "",
    "  ",
    "null",
    "NULL",
    " None ",
    "undefined",
    "Undefined",
    "      undefined\t\t",
    "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0null\u3000",
    null,
    undefined,
  ])("%j is not an id", (value) => {
    expect(isMissingId(value)).toBe(true);
  });

  it.each(["ann@example.com", "0", "nothing", " null@example.com ", "\u00a0undefined-1", 42])(
    "%j is an id",
    (value) => {
      expect(isMissingId(value)).toBe(false);
    },
  );

  it("normalises before hashing by trimming and lowercasing", () => {
    expect(normalizeId("  Ann@Example.COM ")).toBe("ann@example.com");
  });

  it("stores e-mails and hashes lowercased, other ids with their case", () => {
    expect(storedIdValue("email", " Ann@Example.com")).toBe("ann@example.com");
    expect(storedIdValue("customer_id", " AB-12 ")).toBe("AB-12");
  });
});

describe("checkUserId", () => {
  it("accepts a 64-hex email_sha256 and refuses anything else with invalid_email_sha256", () => {
    expect(checkUserId("email_sha256", SOME_SHA256.toUpperCase())).toBeNull();
    expect(checkUserId("email_sha256", "ann@example.com")).toEqual({
      code: "invalid_email_sha256",
      message:
        'An email_sha256 id must be a SHA-256 hash: 64 hexadecimal characters; got "ann@example.com". For plain e-mails, use the id type email with options.hashUserIds.',
    });
  });

  it("refuses a phone_sha256 that is not a hash with invalid_phone_sha256", () => {
    expect(checkUserId("phone_sha256", "abc123")?.code).toBe("invalid_phone_sha256");
    expect(checkUserId("phone_sha256", SOME_SHA256)).toBeNull();
  });

  it("checks e-mails, phones and advertising ids", () => {
    expect(checkUserId("email", "ann@example.com")).toBeNull();
    expect(checkUserId("email", "ann.example.com")?.code).toBe("invalid_id");
    expect(checkUserId("phone", "+351 912-345 678")).toBeNull();
    expect(checkUserId("phone", "351-912345678")).toBeNull();
    expect(checkUserId("phone", "call me")?.code).toBe("invalid_id");
    expect(checkUserId("gaid", "38400000-8cf0-11bd-b23e-10b96e40000d")).toBeNull();
    expect(checkUserId("idfa", "not-an-idfa")?.code).toBe("invalid_id");
  });

  it("allows any value of an unknown id type, up to the length limit", () => {
    expect(checkUserId("loyalty_card", "anything at all")).toBeNull();
    expect(checkUserId("loyalty_card", "x".repeat(513))?.code).toBe("value_too_long");
  });
});

function order(userIdType: string, userId: string): ReadResult<Order> {
  return {
    row: 2,
    key: "o1",
    issues: [],
    records: 1,
    item: {
      orderId: "o1",
      userIdType,
      userId,
      currency: "EUR",
      total: 1,
      subtotal: 1,
      tax: 0,
      shipping: 0,
      discount: 0,
      refund: 0,
      paymentMethod: null,
      shippingMethod: null,
      shippingCountry: null,
      promotions: [],
      createdAt: "2021-01-01T00:00:00Z",
      lastUpdated: null,
      lineItems: [],
    },
  };
}

const customer = (ids: CustomerRecord["ids"]): ReadResult<CustomerRecord> => ({
  row: 2,
  key: ids[0]?.value ?? null,
  issues: [],
  records: 1,
  item: { ids, attributes: { tier: "gold" } },
});

describe("hashUserIdsOf", () => {
  it("hashes the trimmed, lowercased e-mail of orders into email_sha256", async () => {
    const results = [
      order("email", " Ann@Example.com "),
      order("customer_id", "C1"),
      order("phone", "+351 912"),
    ];
    await hashUserIdsOf(results, { hashUserIds: true });
    expect(results.map((r) => [r.item?.userIdType, r.item?.userId])).toEqual([
      ["email_sha256", await sha256Hex("ann@example.com")],
      ["customer_id", "C1"],
      ["phone_sha256", await sha256Hex("+351 912")],
    ]);
  });

  it("hashes the email and phone ids of customer records and keeps one of duplicates", async () => {
    const hash = await sha256Hex("ann@example.com");
    const results = [
      customer([
        { type: "email", value: "ANN@example.com" },
        { type: "email_sha256", value: hash },
        { type: "cookie", value: "ck-1" },
      ]),
    ];
    await hashUserIdsOf(results, { hashUserIds: true });
    expect(results[0]?.item?.ids).toEqual([
      { type: "email_sha256", value: hash },
      { type: "cookie", value: "ck-1" },
    ]);
  });

  it("warns of an e-mail address left as written because its type is none that is hashed", async () => {
    const results = [
      order("E-mail", "ann@example.com"),
      order("customer_id", "C1"),
      customer([
        { type: "mail", value: "bob@example.com" },
        { type: "email", value: "bob@example.com" },
      ]),
    ];
    await hashUserIdsOf(results, { hashUserIds: true });
    expect(results.map((r) => r.issues.map((i) => [i.field, i.code, i.severity, i.value]))).toEqual([
      [["userId", "unhashed_id", "warning", "ann@example.com"]],
      [],
      [[null, "unhashed_id", "warning", "bob@example.com"]],
    ]);
    expect(results[0]?.item).toMatchObject({ userIdType: "E-mail", userId: "ann@example.com" });
    expect(results[0]?.issues[0]?.message).toBe(
      'This id is an e-mail address, but its type "E-mail" is none that hashUserIds hashes (email, phone): it is stored as written. Give it the type email to store it hashed.',
    );
  });

  it("leaves ids as they are without the option, and skips invalid items", async () => {
    const results: ReadResult<Order | CustomerRecord>[] = [
      order("email", "ann@example.com"),
      { row: 3, key: null, issues: [], records: 1, item: null },
    ];
    await hashUserIdsOf(results, {});
    expect(results[0]?.item).toMatchObject({ userIdType: "email", userId: "ann@example.com" });
    await hashUserIdsOf(results, { hashUserIds: true });
    expect(results[0]?.item).toMatchObject({ userIdType: "email_sha256" });
  });
});
