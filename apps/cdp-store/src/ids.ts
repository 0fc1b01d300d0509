import { type Order, storedIdValue, type UserId } from "@cdp/core";

/** The key of an id: its type and value, NUL-separated. */
export const idKey = (id: UserId): string => `${id.type}\u0000${id.value}`;

/** An id in the form it is stored and matched in (see storedIdValue). */
export const storedId = (id: UserId): UserId => ({ type: id.type, value: storedIdValue(id.type, id.value) });

/** The buyer of an order as stored, or null for an order without one (a guest's Shopify order). */
export function buyerOf(order: Order): UserId | null {
  const { userIdType: type, userId: value } = order as { userIdType: unknown; userId: unknown };
  if (typeof type !== "string" || typeof value !== "string" || type === "" || value === "") return null;
  return { type, value: storedIdValue(type, value) };
}
