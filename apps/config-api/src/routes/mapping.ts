import {
  canSuggestMapping,
  DEFAULT_READ_LIMITS,
  Encoding,
  FORMATS_BY_TYPE,
  ImportFileError,
  ImportFormat,
  ImportType,
  Source,
  suggestMapping,
  Transformation,
} from "@cdp/core";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ApiError } from "../errors";
import { checkSource, sourceToRead } from "../imports-service";
import { readFileHead } from "../preview";
import { errorResponses } from "../schemas";

const MAX_SAMPLE_ROWS = 100;
const MAX_COLUMN_NAME_LENGTH = 1024;
const CSV_FORMATS = ["velocidi_csv", "shopify_csv", "csv"];

const EXAMPLE_COLUMNS = [
  "Order Number",
  "Customer Email",
  "Order Date",
  "Currency",
  "Order Total",
  "Gift wrap",
];
const EXAMPLE_SAMPLE = [
  ["1001", "ann@example.com", "16/09/2020", "EUR", "102.50", "no"],
  ["1002", "bob@example.com", "17/09/2020", "EUR", "12.00", "yes"],
];

const FileOptions = z
  .strictObject({
    encoding: Encoding.optional(),
    delimiter: z.string().length(1).optional(),
    entry: z.string().min(1).optional().openapi({ description: "For a zip archive: the entry to read." }),
  })
  .openapi("MappingFileOptions", {
    description:
      "How to read the file of a `source`, as the import's options say (velocidi_csv, shopify_csv and csv take a delimiter).",
  });

export const SuggestMappingRequest = z
  .strictObject({
    type: ImportType,
    format: ImportFormat,
    columns: z
      .array(z.string().max(MAX_COLUMN_NAME_LENGTH))
      .min(1)
      .max(DEFAULT_READ_LIMITS.maxColumns)
      .optional()
      .openapi({
        description:
          "The file's columns as it writes them (a preview's `columns`). Send these, or a `source`.",
      }),
    sample: z.array(z.array(z.unknown())).max(MAX_SAMPLE_ROWS).optional().openapi({
      description:
        "A few rows of the file, each a list of values at their columns' places: the values tell e-mails, dates, currency codes, prices and links apart, and how dates are written.",
    }),
    source: Source.optional().openapi({
      description:
        "Instead of `columns` and `sample`: the file to read them from (its header and first 10 rows), as a preview reads it. The answer then has the file's `columns` and `sample`.",
    }),
    options: FileOptions.optional(),
    importId: z.string().min(1).optional().openapi({
      description:
        'With a `source`: the stored import being edited, whose secrets stand in for each "***" of the source, as in a preview.',
    }),
  })
  .superRefine((body, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const formats: readonly string[] = FORMATS_BY_TYPE[body.type];
    if (!formats.includes(body.format)) {
      issue(
        ["format"],
        `'${body.format}' is not a format of ${body.type} imports; use one of: ${formats.join(", ")}`,
      );
    } else if (!canSuggestMapping(body.type, body.format)) {
      issue(["format"], "E-goi contact lists have fixed fields: they have no columns to map");
    }
    if (body.columns === undefined && body.source === undefined) {
      issue(["columns"], "is required: send the file's columns, or a source to read them from");
    }
    if (body.columns !== undefined && body.source !== undefined) {
      issue(["source"], "send the file's columns or its source, not both");
    }
    if (body.source === undefined) {
      for (const name of ["options", "importId"] as const) {
        if (body[name] !== undefined) issue([name], "does nothing without a source: leave it out");
      }
    } else {
      if (body.sample !== undefined) issue(["sample"], "the sample is read from the source: leave it out");
      if (body.source.type === "egoi")
        issue(["source", "type"], "an E-goi list has no file to read columns from");
      if (body.options?.delimiter !== undefined && !CSV_FORMATS.includes(body.format)) {
        issue(["options", "delimiter"], `does nothing in ${body.format} files: leave it out`);
      }
    }
    const first = new Map<string, number>();
    body.columns?.forEach((column, i) => {
      const at = first.get(column);
      if (at === undefined) first.set(column, i);
      else
        issue(
          ["columns", i],
          `names "${column}" again (as columns.${at}): a file's columns have names of their own`,
        );
    });
    const width = body.columns?.length;
    body.sample?.forEach((row, i) => {
      if (width !== undefined && row.length > width)
        issue(["sample", i], `has ${row.length} values, more than the ${width} columns`);
    });
  })
  .openapi("SuggestMappingRequest", {
    example: { type: "orders", format: "velocidi_csv", columns: EXAMPLE_COLUMNS, sample: EXAMPLE_SAMPLE },
  });

const ColumnMatch = z
  .object({
    column: z.string().openapi({ description: "The column as the file writes it.", example: "Order Date" }),
    field: z.string().openapi({ description: "The format's field it maps onto.", example: "createdAt" }),
    by: z.enum(["name", "synonym", "values"]).openapi({
      description:
        "How it was found: the field's own name (whatever its case, accents, spaces and punctuation), another name of the field (English or Portuguese), or the sample values.",
    }),
    note: z.string().optional().openapi({
      description: "What the sample values told of the column, such as how its dates are written.",
      example: "The dates are written dd/MM/yyyy: the timestamp transformation reads them.",
    }),
  })
  .openapi("ColumnMatch");

export const MappingSuggestion = z
  .object({
    transformations: z.array(Transformation).openapi({
      description:
        "Renames of the matched columns onto their fields, with the timestamp pattern a date column needs when its samples tell it; for velocidi_csv also an `add` of `userIdType` when the user id column tells its type, and a `copy` of `currency` to `lineItem_currency` when the file has one currency column. Customers rename nothing: see `options`.",
    }),
    matches: z.array(ColumnMatch),
    unmatchedColumns: z.array(z.string()).openapi({
      description:
        "Columns no field takes (for customers: every column but the user id, each imported as an attribute under its own name).",
    }),
    missingRequired: z.array(z.string()).openapi({
      description:
        "Required fields no column maps onto (for customers: `userId` when no column holds a user id, `userIdType` when nothing tells its type).",
    }),
    options: z
      .object({ userIdField: z.string(), userIdType: z.string().optional() })
      .optional()
      .openapi({ description: "Customers: the import's options.userIdField and options.userIdType." }),
    columns: z.array(z.string()).optional().openapi({ description: "With a `source`: the file's columns." }),
    sample: z
      .array(z.array(z.unknown()))
      .optional()
      .openapi({ description: "With a `source`: the file's first rows, each value at its column's place." }),
  })
  .openapi("MappingSuggestion", {
    example: {
      transformations: [
        { op: "rename", from: "Order Number", to: "orderId" },
        { op: "rename", from: "Customer Email", to: "userId" },
        {
          op: "rename",
          from: "Order Date",
          to: "createdAt",
          values: [{ type: "timestamp", pattern: "dd/MM/yyyy" }],
        },
        { op: "rename", from: "Currency", to: "currency" },
        { op: "rename", from: "Order Total", to: "total" },
        { op: "add", field: "userIdType", value: "email" },
        { op: "copy", from: "currency", to: "lineItem_currency" },
      ],
      matches: [
        { column: "Order Number", field: "orderId", by: "synonym" },
        { column: "Customer Email", field: "userId", by: "synonym" },
        {
          column: "Order Date",
          field: "createdAt",
          by: "synonym",
          note: "The dates are written dd/MM/yyyy: the timestamp transformation reads them.",
        },
        { column: "Currency", field: "currency", by: "name" },
        { column: "Order Total", field: "total", by: "synonym" },
      ],
      unmatchedColumns: ["Gift wrap"],
      missingRequired: ["subtotal", "tax", "shipping", "discount", "refund", "lineItem_productId"],
    },
  });

const route = createRoute({
  method: "post",
  path: "/v1/imports/suggest-mapping",
  tags: ["Imports"],
  summary: "Suggest how a file's columns map onto a format's fields",
  description:
    "Matches each column of a file onto a field of the import's format: by the field's name whatever its case, accents, spaces and punctuation (`_ - . / ( )`); by the names other exports and people give the field, in English and Portuguese (Shopify, WooCommerce, Magento, HubSpot, Mailchimp and E-goi exports among them); and for a field no name matched, by the sample values of the only column holding its kind of value (e-mails, ISO or other dates, ISO 4217 currency codes, prices, links). Two columns never map onto one field, and no column maps onto a field the format lacks. The answer's transformations can be sent as they are in an import or a preview. Send the file's `columns` (and a `sample`), or its `source` to read them from.",
  operationId: "suggestMapping",
  security: [{ apiKey: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: SuggestMappingRequest } } },
  },
  responses: {
    200: {
      description: "The suggested mapping.",
      content: { "application/json": { schema: MappingSuggestion } },
    },
    ...errorResponses,
    422: {
      ...errorResponses[400],
      description: "The source's file cannot be read: `details.code` is the error a run would fail with.",
    },
  },
});

export function registerMapping(app: App): void {
  app.openapi(route, async (c) => {
    const { services, tenant } = c.var;
    const body = c.req.valid("json");
    if (!body.source) {
      const columns = body.columns ?? [];
      return c.json(
        suggestMapping({ type: body.type, format: body.format, columns, sample: body.sample }),
        200,
      );
    }
    const source = await sourceToRead(services, tenant.id, body.source, body.importId);
    await checkSource(source, {
      services,
      tenantId: tenant.id,
      allowPrivate: c.env.ALLOW_PRIVATE_SOURCES === "true",
    });
    let head: { columns: string[]; rows: unknown[][] };
    try {
      head = await readFileHead(c.env, services, tenant.id, {
        format: body.format,
        source,
        options: body.options ?? {},
      });
    } catch (err) {
      // The file as a whole cannot be read: say why, as a run would.
      if (err instanceof ImportFileError)
        throw new ApiError("unprocessable", err.message, { code: err.code });
      throw err;
    }
    const suggestion = suggestMapping({
      type: body.type,
      format: body.format,
      columns: head.columns,
      sample: head.rows,
    });
    return c.json({ ...suggestion, columns: head.columns, sample: head.rows }, 200);
  });
}
