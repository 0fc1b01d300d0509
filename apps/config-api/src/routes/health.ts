import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";

const route = createRoute({
  method: "get",
  path: "/v1/health",
  tags: ["Meta"],
  summary: "Liveness check",
  responses: {
    200: {
      description: "The API is up.",
      content: { "application/json": { schema: z.object({ ok: z.literal(true) }) } },
    },
  },
});

export function registerHealth(app: App): void {
  app.openapi(route, (c) => c.json({ ok: true as const }, 200));
}
