import { describe, expect, it } from "vitest";
import type { Transformation } from "../src/config";
import type { Issue } from "../src/issues";
import { ImportFileError } from "../src/issues";
import { compileTransformations, type TransformContext } from "../src/transform/index";

const ctx = (row = 2): TransformContext & { issues: Issue[] } => ({ row, issues: [] });

function applyTo(list: Transformation[], record: Record<string, unknown>, row = 2) {
  const context = ctx(row);
  const out = compileTransformations(list).apply({ ...record }, context);
  return { out, issues: context.issues };
}

describe("the product description's examples", () => {
  it('rename: "number_of_orders" becomes "completedOrders" and disappears', () => {
    const { out } = applyTo([{ op: "rename", from: "number_of_orders", to: "completedOrders" }], {
      email: "a@b.c",
      number_of_orders: "3",
    });
    expect(out).toEqual({ email: "a@b.c", completedOrders: "3" });
  });

  it('copy: "number_of_orders" is copied to "completedOrders" and left unaffected', () => {
    const { out } = applyTo([{ op: "copy", from: "number_of_orders", to: "completedOrders" }], {
      number_of_orders: "3",
    });
    expect(out).toEqual({ number_of_orders: "3", completedOrders: "3" });
  });

  it('new field: "completedOrders" with the value 0 on all lines', () => {
    const transformer = compileTransformations([{ op: "add", field: "completedOrders", value: 0 }]);
    expect(transformer.apply({ a: "x" }, ctx())).toEqual({ a: "x", completedOrders: 0 });
    expect(transformer.apply({ a: "y", completedOrders: "9" }, ctx())).toEqual({
      a: "y",
      completedOrders: 0,
    });
  });

  it('delete: "completedOrders" is removed', () => {
    const { out } = applyTo([{ op: "delete", field: "completedOrders" }], { completedOrders: 4, a: 1 });
    expect(out).toEqual({ a: 1 });
  });

  it('value mapping "1" -> "one", "2" -> "two": the table, with the config winning over the typo "dois"', () => {
    const list: Transformation[] = [
      {
        op: "rename",
        from: "v",
        to: "v",
        values: [
          {
            type: "map",
            mappings: [
              { from: "1", to: "one" },
              { from: "2", to: "two" },
            ],
          },
        ],
      },
    ];
    expect(applyTo(list, { v: "1" }).out.v).toBe("one");
    expect(applyTo(list, { v: "2" }).out.v).toBe("two");
    expect(applyTo(list, { v: "other" }).out.v).toBe("other");
    expect(applyTo(list, { v: 1 }).out.v).toBe(1);
  });

  it('timestamp "yyyy/MM/dd hh:mm" turns 2021/01/21 14:25 into 2021-01-21T14:25:00Z', () => {
    const { out, issues } = applyTo(
      [
        {
          op: "copy",
          from: "signup",
          to: "signupAt",
          values: [{ type: "timestamp", pattern: "yyyy/MM/dd hh:mm" }],
        },
      ],
      { signup: "2021/01/21 14:25" },
    );
    expect(out).toEqual({ signup: "2021/01/21 14:25", signupAt: "2021-01-21T14:25:00Z" });
    expect(issues).toEqual([]);
  });
});

describe("transformations in order", () => {
  it("runs value transformations in order on the value being renamed", () => {
    const { out } = applyTo(
      [
        {
          op: "rename",
          from: "number_of_orders",
          to: "completedOrders",
          values: [
            { type: "map", mappings: [{ from: "none", to: "0" }] },
            { type: "cast", to: "integer" },
          ],
        },
      ],
      { number_of_orders: "none" },
    );
    expect(out).toEqual({ completedOrders: 0 });
  });

  it("runs operations in order: a later op sees the earlier one's result", () => {
    const { out } = applyTo(
      [
        { op: "add", field: "tier", value: "gold" },
        { op: "copy", from: "tier", to: "tierCopy" },
        { op: "delete", field: "tier" },
        { op: "rename", from: "tierCopy", to: "level" },
      ],
      { id: "1" },
    );
    expect(out).toEqual({ id: "1", level: "gold" });
  });

  it("does nothing for a transformation naming a field the record lacks", () => {
    const { out, issues } = applyTo(
      [
        { op: "rename", from: "missing", to: "x", values: [{ type: "cast", to: "integer" }] },
        { op: "copy", from: "missing", to: "y" },
        { op: "delete", field: "missing" },
      ],
      { a: "1" },
    );
    expect(out).toEqual({ a: "1" });
    expect(issues).toEqual([]);
  });

  it("rename onto an existing field replaces its value", () => {
    const { out } = applyTo([{ op: "rename", from: "a", to: "b" }], { a: "new", b: "old" });
    expect(out).toEqual({ b: "new" });
  });

  it("a failed cast is an error issue on the target field with the original value, never a silent null", () => {
    const { out, issues } = applyTo(
      [
        {
          op: "rename",
          from: "number_of_orders",
          to: "completedOrders",
          values: [{ type: "cast", to: "integer" }],
        },
      ],
      { number_of_orders: "12.5" },
      7,
    );
    expect(out.completedOrders).toBe("12.5");
    expect(issues).toEqual([
      {
        row: 7,
        item: null,
        field: "completedOrders",
        code: "cast_failed",
        severity: "error",
        message:
          '"completedOrders" cannot be cast to integer: it must be a whole number, like 12; got "12.5".',
        value: "12.5",
      },
    ]);
  });

  it("a failed timestamp is a timestamp_failed issue naming the pattern, reported once", () => {
    const { issues } = applyTo(
      [
        {
          op: "copy",
          from: "signup",
          to: "signupAt",
          values: [
            { type: "timestamp", pattern: "yyyy/MM/dd hh:mm" },
            { type: "cast", to: "integer" },
          ],
        },
      ],
      { signup: "21/01/2021 14:25" },
    );
    expect(issues).toEqual([
      {
        row: 2,
        item: null,
        field: "signupAt",
        code: "timestamp_failed",
        severity: "error",
        message:
          '"signupAt" must be a date and time in the pattern "yyyy/MM/dd hh:mm"; got "21/01/2021 14:25".',
        value: "21/01/2021 14:25",
      },
    ]);
  });

  it("reports the value as written in the file when a mapping came first", () => {
    const { issues } = applyTo(
      [
        {
          op: "rename",
          from: "n",
          to: "count",
          values: [
            { type: "map", mappings: [{ from: "many", to: "lots" }] },
            { type: "cast", to: "float" },
          ],
        },
      ],
      { n: "many" },
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.value).toBe("many");
    expect(issues[0]?.message).toContain('got "lots"');
  });

  it("gives each record its own copy of an added object", () => {
    const transformer = compileTransformations([{ op: "add", field: "tags", value: ["a"] }]);
    const first = transformer.apply({}, ctx());
    (first.tags as string[]).push("changed");
    expect(transformer.apply({}, ctx()).tags).toEqual(["a"]);
  });

  it('maps JSON values exactly: true does not match "true", null matches null', () => {
    const list: Transformation[] = [
      {
        op: "rename",
        from: "v",
        to: "v",
        values: [
          {
            type: "map",
            mappings: [
              { from: "true", to: "text" },
              { from: null, to: "unknown" },
              { from: { a: 1 }, to: "object" },
            ],
          },
        ],
      },
    ];
    expect(applyTo(list, { v: true }).out.v).toBe(true);
    expect(applyTo(list, { v: "true" }).out.v).toBe("text");
    expect(applyTo(list, { v: null }).out.v).toBe("unknown");
    expect(applyTo(list, { v: { a: 1 } }).out.v).toBe("object");
  });

  it("refuses a timestamp pattern it cannot read when the import is compiled", () => {
    const compile = () =>
      compileTransformations([
        { op: "copy", from: "a", to: "b", values: [{ type: "timestamp", pattern: "yyyy-MM-dd QQ" }] },
      ]);
    expect(compile).toThrow(ImportFileError);
    expect(compile).toThrow(/"QQ" in the pattern "yyyy-MM-dd QQ" is not a supported pattern letter/);
  });

  it("is empty with no transformations, and then changes nothing", () => {
    const transformer = compileTransformations([]);
    expect(transformer.isEmpty).toBe(true);
    expect(transformer.forHeader(["a", "b"]).header).toEqual(["a", "b"]);
    expect(compileTransformations([{ op: "delete", field: "x" }]).isEmpty).toBe(false);
  });
});

describe("CSV column plan (forHeader)", () => {
  const list: Transformation[] = [
    {
      op: "rename",
      from: "number_of_orders",
      to: "completedOrders",
      values: [{ type: "cast", to: "integer" }],
    },
    { op: "copy", from: "email", to: "contact" },
    { op: "add", field: "source", value: "crm" },
    { op: "delete", field: "unused" },
  ];

  it("computes the output header once and maps each row's values onto it", () => {
    const plan = compileTransformations(list).forHeader(["email", "number_of_orders", "unused"]);
    expect(plan.header).toEqual(["email", "completedOrders", "contact", "source"]);
    const context = ctx(3);
    expect(plan.apply(["a@b.c", "4", "x"], context)).toEqual(["a@b.c", 4, "a@b.c", "crm"]);
    expect(context.issues).toEqual([]);
  });

  it("gives the same result as the record form for every row", () => {
    const header = ["email", "number_of_orders", "unused"];
    const rows = [
      ["a@b.c", "4", "x"],
      ["d@e.f", "", ""],
      ["g@h.i", "2.5", "y"],
    ];
    const transformer = compileTransformations(list);
    const plan = transformer.forHeader(header);
    for (const row of rows) {
      const viaPlan = ctx();
      const values = plan.apply(row, viaPlan);
      const viaRecord = ctx();
      const record = transformer.apply(Object.fromEntries(header.map((h, i) => [h, row[i]])), viaRecord);
      expect(Object.fromEntries(plan.header.map((h, i) => [h, values[i]]))).toEqual(record);
      expect(viaPlan.issues).toEqual(viaRecord.issues);
    }
  });

  it("applyOwned answers what apply does, for plans that keep columns in place and plans that move them", () => {
    const header = ["id", "note", "count"];
    const lists: Transformation[][] = [
      [
        {
          op: "rename",
          from: "note",
          to: "comment",
          values: [{ type: "map", mappings: [{ from: "a", to: "A" }] }],
        },
        { op: "rename", from: "count", to: "n", values: [{ type: "cast", to: "integer" }] },
      ],
      [{ op: "rename", from: "id", to: "key" }],
      [{ op: "delete", field: "note" }],
      [{ op: "copy", from: "id", to: "copy" }],
      [{ op: "add", field: "source", value: "crm" }],
      [{ op: "rename", from: "note", to: "count" }],
    ];
    const rows = [["1", "a", "2"], ["2", "b", "x"], ["3", "a"], ["4"], ["5", "a", "3", "extra", "more"]];
    for (const list of lists) {
      const plan = compileTransformations(list).forHeader(header);
      for (const row of rows) {
        const input = row.slice();
        const viaApply = ctx(2);
        const expected = plan.apply(input, viaApply);
        expect(input, "apply leaves its input as it was").toEqual(row);
        const viaOwned = ctx(2);
        const owned = plan.applyOwned(row.slice(), viaOwned);
        expect(owned).toStrictEqual(expected);
        expect(owned).toHaveLength(plan.header.length);
        expect(viaOwned.issues).toEqual(viaApply.issues);
      }
    }
  });

  it("treats an empty cell as a value (the empty string) and an absent column as missing", () => {
    const transformer = compileTransformations([
      {
        op: "rename",
        from: "note",
        to: "comment",
        values: [{ type: "map", mappings: [{ from: "", to: "none" }] }],
      },
      { op: "copy", from: "absent", to: "copied" },
    ]);
    const plan = transformer.forHeader(["id", "note"]);
    expect(plan.header).toEqual(["id", "comment"]);
    expect(plan.apply(["1", ""], ctx())).toEqual(["1", "none"]);
  });

  it("rename onto an existing column keeps that column's place and drops the old one", () => {
    const plan = compileTransformations([{ op: "rename", from: "a", to: "c" }]).forHeader(["a", "b", "c"]);
    expect(plan.header).toEqual(["b", "c"]);
    expect(plan.apply(["1", "2", "3"], ctx())).toEqual(["2", "1"]);
  });

  it("reports a failed cast in a row with that row's number", () => {
    const plan = compileTransformations(list).forHeader(["email", "number_of_orders"]);
    const context = ctx(9);
    plan.apply(["a@b.c", "12.5"], context);
    expect(context.issues.map((i) => [i.row, i.field, i.code, i.value])).toEqual([
      [9, "completedOrders", "cast_failed", "12.5"],
    ]);
  });
});
