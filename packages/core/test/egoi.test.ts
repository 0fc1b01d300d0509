import { describe, expect, it } from "vitest";
import { mapEgoiContact } from "../src/formats/egoi";
import { sha256Hex } from "../src/hash";

const ctx = { accountId: "123", listId: 321 };

describe("mapEgoiContact", () => {
  it("maps contact_id, the hashed e-mail and the namespaced statuses, as the product description's table says", async () => {
    const contact = {
      base: {
        contact_id: "abc123",
        status: "active",
        consent: "legitimate_interest",
        email: "  Ann@Example.COM ",
        email_status: "active",
        cellphone: "351-912345678",
        cellphone_status: "inactive",
        phone: "351-212345678",
        phone_status: "active",
        first_name: "Ann",
      },
      extra: [{ field_id: 1, format: "text", value: "x" }],
      tags: [1],
    };
    expect(await mapEgoiContact(contact, ctx)).toEqual({
      key: "abc123",
      issues: [],
      record: {
        ids: [
          { type: "egoi_contact_id", value: "abc123" },
          { type: "email_sha256", value: await sha256Hex("ann@example.com") },
        ],
        attributes: {
          "egoi.account123.list321.status": "active",
          "egoi.account123.list321.consent": "legitimate_interest",
          "egoi.account123.list321.emailStatus": "active",
          "egoi.account123.list321.cellphoneStatus": "inactive",
          "egoi.account123.list321.phoneStatus": "active",
        },
      },
    });
  });

  it("sets only the attributes the contact has, and no e-mail id without an e-mail", async () => {
    const mapped = await mapEgoiContact(
      { base: { contact_id: "c2", status: "unconfirmed", email: "" } },
      ctx,
    );
    expect(mapped.record).toEqual({
      ids: [{ type: "egoi_contact_id", value: "c2" }],
      attributes: { "egoi.account123.list321.status": "unconfirmed" },
    });
  });

  it("imports the status of an e-mail, cellphone or phone only when the contact has one", async () => {
    const mapped = await mapEgoiContact(
      {
        base: {
          contact_id: "c3",
          email: " ",
          email_status: "inactive",
          cellphone_status: "inactive",
          phone: "null",
          phone_status: "inactive",
        },
      },
      ctx,
    );
    expect(mapped.record).toEqual({ ids: [{ type: "egoi_contact_id", value: "c3" }], attributes: {} });
  });

  it("makes a contact without contact_id an issue of that contact", async () => {
    expect(await mapEgoiContact({ base: { email: "a@b.c", status: "active" } }, { ...ctx, row: 7 })).toEqual({
      record: null,
      key: null,
      issues: [
        {
          row: 7,
          item: null,
          field: "contact_id",
          code: "missing_field",
          severity: "error",
          message: "The E-goi contact has no contact_id: it cannot be imported.",
          value: null,
        },
      ],
    });
  });

  it("refuses a contact without its base fields", async () => {
    const mapped = await mapEgoiContact([1, 2], ctx);
    expect(mapped.record).toBeNull();
    expect(mapped.issues.map((i) => [i.code, i.field])).toEqual([["not_an_object", "base"]]);
  });
});
