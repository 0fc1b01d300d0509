import type { Tenant } from "@cdp/store";
import { OpenAPIHono } from "@hono/zod-openapi";
import { ApiError } from "./errors";

export interface AppEnv {
  Bindings: Env;
  Variables: { tenant: Tenant };
}

export type App = OpenAPIHono<AppEnv>;

/** The API app: zod failures become the 400 envelope, every error the same JSON shape. */
export function newApp(): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({
          path: issue.path.map(String).join("."),
          message: issue.message,
        }));
        throw new ApiError(
          "validation_failed",
          "The request is not valid: see details for each field.",
          details,
        );
      }
    },
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(), err.status);
    console.error("unhandled error", err instanceof Error ? (err.stack ?? err.message) : String(err));
    return c.json({ error: { code: "internal_error", message: "An internal error occurred." } }, 500);
  });

  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}.` } }, 404),
  );

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key of your tenant.",
  });

  return app;
}
