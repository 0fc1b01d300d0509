import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import { headerWarnings } from "../src/pipeline";

const warnings = (config: unknown, header: string[]) =>
  headerWarnings(ReadConfig.parse(config), header).map((issue) => [issue.field, issue.message]);

describe("headerWarnings", () => {
  it("names a transformation whose column the file does not have, following the ones before it", () => {
    const config = {
      type: "customers",
      format: "csv",
      options: { userIdField: "email", userIdType: "email" },
      transformations: [
        { op: "rename", from: "Order Date", to: "orderDate" },
        { op: "copy", from: "mail", to: "email" },
        { op: "add", field: "source", value: "crm" },
        { op: "delete", field: "source" },
        { op: "delete", field: "source" },
        { op: "rename", from: "orderDate", to: "date" },
      ],
    };
    expect(warnings(config, ["OrderDate", "mail"])).toEqual([
      [
        "Order Date",
        'Transformation 1 renames "Order Date", but the file has no column "Order Date": it changes nothing. Did you mean "OrderDate"?',
      ],
      [
        "source",
        'Transformation 5 deletes "source", but the file has no column "source": it changes nothing.',
      ],
      [
        "orderDate",
        'Transformation 6 renames "orderDate", but the file has no column "orderDate": it changes nothing. Did you mean "OrderDate"?',
      ],
    ]);
  });

  it("names a velocidi_csv column that is ignored though it is close to one the format reads", () => {
    const header = ["orderId", "userId", "lineItem_nmae", "gift_note", "userID"];
    expect(warnings({ type: "orders", format: "velocidi_csv" }, header)).toEqual([
      [
        "lineItem_nmae",
        'The column "lineItem_nmae" is not a velocidi_csv column, so it is not imported. Did you mean "lineItem_name"?',
      ],
    ]);
  });

  it("says nothing of JSON lines and XML, whose fields the beginning of a file does not all show", () => {
    const config = {
      type: "products",
      format: "jsonl",
      transformations: [{ op: "rename", from: "sku", to: "id" }],
    };
    expect(warnings(config, ["id"])).toEqual([]);
  });
});
