import type { OrderPosition, RunItemsPosition } from "@cdp/cdp-store/client";
import { CustomerRecord, Order, Product, UserId } from "@cdp/core";
import { getRun } from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ApiError } from "../errors";
import { errorResponses, RunIdParam } from "../schemas";

const security = [{ apiKey: [] }];
const json = <T>(schema: T) => ({ "application/json": { schema } });
const pathParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(1024)
    .openapi({ param: { name, in: "path" }, example });

const ProfileParams = z.object({
  idType: pathParam("idType", "email"),
  idValue: pathParam("idValue", "ann@example.com"),
});

const OrdersSummary = z
  .object({
    count: z.number().int(),
    revenue: z.record(z.string(), z.number()).openapi({ example: { EUR: 129.9 } }),
    firstOrderAt: z.string().nullable(),
    lastOrderAt: z.string().nullable(),
  })
  .openapi("OrdersSummary");

const Profile = z
  .object({
    id: z.string().openapi({ example: "prf_0mxc1eaej0twtbz1rt0mo" }),
    ids: z.array(UserId),
    attributes: CustomerRecord.shape.attributes,
    attributeRuns: z
      .record(z.string(), z.string())
      .openapi({ description: "The run that last changed each attribute.", example: { city: "run_…" } }),
    orders: OrdersSummary,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Profile");

const OrderResource = Order.openapi("Order");
const ProductResource = Product.openapi("Product");

const OrderPage = z
  .object({ items: z.array(OrderResource), nextCursor: z.string().nullable() })
  .openapi("OrderPage");

const ProfileExport = z.object({ profile: Profile, orders: z.array(OrderResource) }).openapi("ProfileExport");

const Erased = z
  .object({
    deleted: z.object({
      profiles: z.number().int(),
      ids: z.number().int(),
      orders: z.number().int(),
      lineItems: z.number().int(),
    }),
  })
  .openapi("ProfileErased");

const OrdersQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

/** The cursor of a page of a person's orders: where the page before it ended. */
const encodeOrderCursor = (at: OrderPosition): string =>
  btoa(JSON.stringify([at.placedAt, at.orderId])).replaceAll("=", "");

function decodeOrderCursor(cursor: string): OrderPosition {
  try {
    const [placedAt, orderId] = JSON.parse(atob(cursor)) as unknown[];
    if (typeof placedAt === "number" && Number.isFinite(placedAt) && typeof orderId === "string")
      return { placedAt, orderId };
  } catch {}
  throw new ApiError("validation_failed", "The cursor is not one this API gave.", [
    { path: "cursor", message: "is not a cursor of this list; use nextCursor of the previous page" },
  ]);
}

const RunItemsQuery = z
  .object({
    type: z.enum(["orders", "products", "profiles"]).openapi({
      description: "Which of the run's items: an orders import also makes its buyers' profiles.",
    }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(256).optional(),
  })
  .strict();

const RunItem = z
  .object({
    id: z.string().openapi({ example: "ord_1001" }),
    ids: z
      .array(UserId)
      .optional()
      .openapi({ description: "A profile's ids (type=profiles), to look it up by." }),
  })
  .openapi("RunItem");

const RunItemPage = z
  .object({ items: z.array(RunItem), nextCursor: z.string().nullable() })
  .openapi("RunItemPage");

/** The cursor of a page of a run's items: the shard and row where the page before it ended. */
const encodeItemsCursor = (at: RunItemsPosition): string => `${at.shard.toString(36)}.${at.n.toString(36)}`;

function decodeItemsCursor(cursor: string, shards: number): RunItemsPosition {
  const m = /^([0-9a-z]{1,4})\.([0-9a-z]{1,11})$/.exec(cursor);
  const shard = m ? Number.parseInt(m[1] ?? "", 36) : Number.NaN;
  const n = m ? Number.parseInt(m[2] ?? "", 36) : Number.NaN;
  if (Number.isSafeInteger(shard) && shard < shards && Number.isSafeInteger(n)) return { shard, n };
  throw new ApiError("validation_failed", "The cursor is not one this API gave.", [
    { path: "cursor", message: "is not a cursor of this list; use nextCursor of the previous page" },
  ]);
}

const noProfile = (idType: string, idValue: string) =>
  new ApiError("not_found", `No profile with ${idType} '${idValue}'.`);

const profileRoute = createRoute({
  method: "get",
  path: "/v1/profiles/{idType}/{idValue}",
  operationId: "getProfile",
  tags: ["Data"],
  summary: "A customer profile by one of its ids",
  description: "Ids given in plain form are looked up by their hash too (email → email_sha256).",
  security,
  request: { params: ProfileParams },
  responses: { 200: { description: "The profile.", content: json(Profile) }, ...errorResponses },
});

const profileOrdersRoute = createRoute({
  method: "get",
  path: "/v1/profiles/{idType}/{idValue}/orders",
  operationId: "listProfileOrders",
  tags: ["Data"],
  summary: "The orders of a profile, newest first",
  description: "Orders placed under any of the profile's ids, with their line items; page with `cursor`.",
  security,
  request: { params: ProfileParams, query: OrdersQuery },
  responses: { 200: { description: "A page of orders.", content: json(OrderPage) }, ...errorResponses },
});

const exportRoute = createRoute({
  method: "get",
  path: "/v1/profiles/{idType}/{idValue}/export",
  operationId: "exportProfile",
  tags: ["Data"],
  summary: "Everything stored about a person (right of access)",
  description: "The profile, its ids and attributes, and every order placed under any of its ids.",
  security,
  request: { params: ProfileParams },
  responses: {
    200: { description: "Everything stored about the person.", content: json(ProfileExport) },
    ...errorResponses,
  },
});

const eraseRoute = createRoute({
  method: "delete",
  path: "/v1/profiles/{idType}/{idValue}",
  operationId: "deleteProfile",
  tags: ["Data"],
  summary: "Erase a person (right to erasure)",
  description:
    "Deletes the profile, all its ids and every order (with its line items) placed under any of them, and says how many of each.",
  security,
  request: { params: ProfileParams },
  responses: { 200: { description: "What was deleted.", content: json(Erased) }, ...errorResponses },
});

const orderRoute = createRoute({
  method: "get",
  path: "/v1/orders/{orderId}",
  operationId: "getOrder",
  tags: ["Data"],
  summary: "An order with its line items in file order",
  security,
  request: { params: z.object({ orderId: pathParam("orderId", "or1001") }) },
  responses: { 200: { description: "The order.", content: json(OrderResource) }, ...errorResponses },
});

const productRoute = createRoute({
  method: "get",
  path: "/v1/products/{productId}",
  operationId: "getProduct",
  tags: ["Data"],
  summary: "A product of the catalogue",
  security,
  request: { params: z.object({ productId: pathParam("productId", "p1") }) },
  responses: { 200: { description: "The product.", content: json(ProductResource) }, ...errorResponses },
});

const ProductEvent = z
  .object({
    type: z.string().min(1).openapi({ example: "productView" }),
    product: z
      .object({ id: z.string().min(1) })
      .catchall(z.unknown())
      .optional(),
    products: z
      .array(z.object({ id: z.string().min(1) }).catchall(z.unknown()))
      .max(100)
      .optional(),
  })
  .catchall(z.unknown())
  .openapi("ProductEvent", { example: { type: "productView", product: { id: "p1", price: 10 } } });

const enrichRoute = createRoute({
  method: "post",
  path: "/v1/events/enrich",
  operationId: "enrichEvent",
  tags: ["Data"],
  summary: "Fill in a product event from the catalogue",
  description: "Missing product attributes are filled in from the catalogue; the event's own values win.",
  security,
  request: { body: { required: true, content: json(ProductEvent) } },
  responses: { 200: { description: "The enriched event.", content: json(ProductEvent) }, ...errorResponses },
});

const runItemsRoute = createRoute({
  method: "get",
  path: "/v1/runs/{runId}/items",
  operationId: "listRunItems",
  tags: ["Data"],
  summary: "What a run added or updated",
  description:
    "The orders, products or profiles the run added or updated, as stored (an item a later run changed is listed under that run); page with `cursor`. A dry run stored nothing, so it lists nothing.",
  security,
  request: { params: RunIdParam, query: RunItemsQuery },
  responses: {
    200: { description: "A page of the run's items.", content: json(RunItemPage) },
    ...errorResponses,
  },
});

export function registerData(app: App): void {
  app.openapi(runItemsRoute, async (c) => {
    const { services, tenant } = c.var;
    const { runId } = c.req.valid("param");
    const { type, limit, cursor } = c.req.valid("query");
    if (!(await getRun(services.db, tenant.id, runId))) throw new ApiError("not_found", `No run '${runId}'.`);
    const after = cursor ? decodeItemsCursor(cursor, type === "profiles" ? 1 : tenant.shards) : null;
    const page = await services.cdp(tenant).runItems(runId, type, after, limit);
    return c.json({ items: page.items, nextCursor: page.next ? encodeItemsCursor(page.next) : null }, 200);
  });

  app.openapi(profileRoute, async (c) => {
    const { idType, idValue } = c.req.valid("param");
    const profile = await c.var.services.cdp(c.var.tenant).getProfile(idType, idValue);
    if (!profile) throw noProfile(idType, idValue);
    return c.json(profile, 200);
  });

  app.openapi(profileOrdersRoute, async (c) => {
    const { idType, idValue } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    const after = cursor ? decodeOrderCursor(cursor) : null;
    const store = c.var.services.cdp(c.var.tenant);
    const profile = await store.findProfile(idType, idValue);
    if (!profile) throw noProfile(idType, idValue);
    const page = await store.profileOrders(profile, after, limit);
    return c.json({ items: page.items, nextCursor: page.next ? encodeOrderCursor(page.next) : null }, 200);
  });

  app.openapi(exportRoute, async (c) => {
    const { idType, idValue } = c.req.valid("param");
    const everything = await c.var.services.cdp(c.var.tenant).exportProfile(idType, idValue);
    if (!everything) throw noProfile(idType, idValue);
    return c.json(everything, 200);
  });

  app.openapi(eraseRoute, async (c) => {
    const { idType, idValue } = c.req.valid("param");
    const deleted = await c.var.services.cdp(c.var.tenant).eraseProfile(idType, idValue);
    if (!deleted) throw noProfile(idType, idValue);
    return c.json({ deleted }, 200);
  });

  app.openapi(orderRoute, async (c) => {
    const { orderId } = c.req.valid("param");
    const order = await c.var.services.cdp(c.var.tenant).getOrder(orderId);
    if (!order) throw new ApiError("not_found", `No order '${orderId}'.`);
    return c.json(order, 200);
  });

  app.openapi(productRoute, async (c) => {
    const { productId } = c.req.valid("param");
    const product = await c.var.services.cdp(c.var.tenant).getProduct(productId);
    if (!product) throw new ApiError("not_found", `No product '${productId}'.`);
    return c.json(product, 200);
  });

  app.openapi(enrichRoute, async (c) => {
    const event = c.req.valid("json");
    return c.json(await c.var.services.cdp(c.var.tenant).enrichEvent(event), 200);
  });
}
