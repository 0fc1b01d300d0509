import { CustomerRecord, Order, Product } from "@cdp/core";
import { enrichEvent, getOrder, getProduct, getProfile } from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ApiError } from "../errors";
import { errorResponses } from "../schemas";

const security = [{ apiKey: [] }];
const json = <T>(schema: T) => ({ "application/json": { schema } });
const pathParam = (name: string) =>
  z
    .string()
    .min(1)
    .max(1024)
    .openapi({ param: { name, in: "path" } });

const Profile = z
  .object({
    id: z.string(),
    ids: z.array(z.object({ type: z.string(), value: z.string() })),
    attributes: CustomerRecord.shape.attributes,
    orders: z.object({
      count: z.number().int(),
      revenue: z.record(z.string(), z.number()),
      firstOrderAt: z.string().nullable(),
      lastOrderAt: z.string().nullable(),
    }),
    updatedAt: z.string(),
  })
  .openapi("Profile");

const profileRoute = createRoute({
  method: "get",
  path: "/v1/profiles/{idType}/{idValue}",
  tags: ["Data"],
  summary: "A customer profile by one of its ids",
  description: "Ids given in plain form are looked up by their hash too (email → email_sha256).",
  security,
  request: { params: z.object({ idType: pathParam("idType"), idValue: pathParam("idValue") }) },
  responses: { 200: { description: "The profile.", content: json(Profile) }, ...errorResponses },
});

const orderRoute = createRoute({
  method: "get",
  path: "/v1/orders/{orderId}",
  tags: ["Data"],
  summary: "An order with its line items in file order",
  security,
  request: { params: z.object({ orderId: pathParam("orderId") }) },
  responses: { 200: { description: "The order.", content: json(Order) }, ...errorResponses },
});

const productRoute = createRoute({
  method: "get",
  path: "/v1/products/{productId}",
  tags: ["Data"],
  summary: "A product of the catalogue",
  security,
  request: { params: z.object({ productId: pathParam("productId") }) },
  responses: { 200: { description: "The product.", content: json(Product) }, ...errorResponses },
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
  .openapi("ProductEvent");

const enrichRoute = createRoute({
  method: "post",
  path: "/v1/events/enrich",
  tags: ["Data"],
  summary: "Fill in a product event from the catalogue",
  description: "Missing product attributes are filled in from the catalogue; the event's own values win.",
  security,
  request: { body: { required: true, content: json(ProductEvent) } },
  responses: { 200: { description: "The enriched event.", content: json(ProductEvent) }, ...errorResponses },
});

export function registerData(app: App): void {
  app.openapi(profileRoute, async (c) => {
    const { idType, idValue } = c.req.valid("param");
    const profile = await getProfile(c.var.services.cdp, c.var.tenant.id, idType, idValue);
    if (!profile) throw new ApiError("not_found", `No profile with ${idType} '${idValue}'.`);
    return c.json(profile, 200);
  });

  app.openapi(orderRoute, async (c) => {
    const { orderId } = c.req.valid("param");
    const order = await getOrder(c.var.services.cdp, c.var.tenant.id, orderId);
    if (!order) throw new ApiError("not_found", `No order '${orderId}'.`);
    return c.json(order, 200);
  });

  app.openapi(productRoute, async (c) => {
    const { productId } = c.req.valid("param");
    const product = await getProduct(c.var.services.cdp, c.var.tenant.id, productId);
    if (!product) throw new ApiError("not_found", `No product '${productId}'.`);
    return c.json(product, 200);
  });

  app.openapi(enrichRoute, async (c) => {
    const event = c.req.valid("json");
    return c.json(await enrichEvent(c.var.services.cdp, c.var.tenant.id, event), 200);
  });
}
