import { swaggerUI } from "@hono/swagger-ui";
import type { App } from "../app";

/**
 * The interactive API reference. Swagger UI's script and styles are served by the dashboard's
 * static assets (/swagger-ui-dist), never from a CDN.
 */
export function registerDocs(app: App): void {
  app.get("/docs", swaggerUI({ url: "/v1/openapi.json", baseUrl: "/", title: "CDP offline imports API" }));
}
