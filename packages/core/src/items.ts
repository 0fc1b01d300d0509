import * as z from "zod";
import { ORDER_STATUSES } from "./order-statuses";

export { ORDER_STATUSES };

/** A line item of an order, with the fields of the Velocidi CSV table (API.md). */
export const LineItem = z.object({
  /** `lineItem_id`, or the 1-based position in the order when the file has none. */
  id: z.string(),
  productId: z.string(),
  itemGroupId: z.string().nullable(),
  name: z.string().nullable(),
  sku: z.string(),
  brand: z.string().nullable(),
  category: z.string().nullable(),
  categoryList: z.array(z.string()),
  currency: z.string(),
  total: z.number(),
  subtotal: z.number(),
  tax: z.number(),
  shipping: z.number(),
  discount: z.number(),
  refund: z.number(),
  quantity: z.number().int(),
  promotions: z.array(z.string()),
  adult: z.boolean(),
  subscriptionDuration: z.number().int().nullable(),
  size: z.string().nullable(),
  sizeSystem: z.string().nullable(),
  status: z.enum(ORDER_STATUSES),
});
export type LineItem = z.infer<typeof LineItem>;

export type LineItemStatus = LineItem["status"];

export const Order = z.object({
  orderId: z.string(),
  /** The buyer's id type and id; both null for an order without a buyer (a Shopify guest order). */
  userIdType: z.string().nullable(),
  userId: z.string().nullable(),
  currency: z.string(),
  total: z.number(),
  subtotal: z.number(),
  tax: z.number(),
  shipping: z.number(),
  discount: z.number(),
  refund: z.number(),
  paymentMethod: z.string().nullable(),
  shippingMethod: z.string().nullable(),
  shippingCountry: z.string().nullable(),
  promotions: z.array(z.string()),
  /** ISO 8601 in UTC. */
  createdAt: z.string(),
  lastUpdated: z.string().nullable(),
  lineItems: z.array(LineItem),
  /** Columns of a Shopify export that the Order model has no field for. */
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type Order = z.infer<typeof Order>;

export const UserId = z.object({ type: z.string(), value: z.string() });
export type UserId = z.infer<typeof UserId>;

/** A customer record: the ids that identify the person, and attributes to set on the profile. */
export const CustomerRecord = z.object({
  ids: z.array(UserId).min(1),
  attributes: z.record(z.string(), z.unknown()),
});
export type CustomerRecord = z.infer<typeof CustomerRecord>;

export const Price = z.object({ amount: z.number(), currency: z.string() });
export type Price = z.infer<typeof Price>;

/**
 * A product. Google attributes in camelCase; JSON-lines products keep their own field names
 * (only `id` is required), so the type is open.
 */
export const Product = z
  .object({
    id: z.string(),
    title: z.string().optional(),
    description: z.string().optional(),
    link: z.string().optional(),
    imageLink: z.string().optional(),
    availability: z.string().optional(),
    price: Price.optional(),
    salePrice: Price.optional(),
    brand: z.string().optional(),
    gtin: z.string().optional(),
    mpn: z.string().optional(),
    condition: z.string().optional(),
    itemGroupId: z.string().optional(),
    googleProductCategory: z.string().optional(),
    productType: z.string().optional(),
    color: z.string().optional(),
    size: z.string().optional(),
    gender: z.string().optional(),
    ageGroup: z.string().optional(),
    adult: z.boolean().optional(),
    extra: z.record(z.string(), z.unknown()).optional(),
  })
  .catchall(z.unknown());
export type Product = z.infer<typeof Product>;
