/** The statuses of a line item (API.md), apart from the zod schemas: readers check them per row. */
export const ORDER_STATUSES = ["placed", "paid", "fulfilled", "refunded", "cancelled"] as const;
