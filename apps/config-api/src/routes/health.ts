import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { errorResponses } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/health",
  tags: ["Meta"],
  summary: "Liveness check",
  operationId: "getHealth",
  // Open to all: no API key.
  security: [],
  responses: {
    200: {
      description: "The API is up.",
      content: { "application/json": { schema: z.object({ ok: z.literal(true) }) } },
    },
    400: errorResponses[400],
  },
});

export function registerHealth(app: App): void {
  app.openapi(route, (c) => c.json({ ok: true as const }, 200));
}
