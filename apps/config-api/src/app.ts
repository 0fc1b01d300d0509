import type { SecretKeyring } from "@cdp/core";
import type { Db, Tenant } from "@cdp/store";
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { ApiError } from "./errors";

/** Services built once per request by the services middleware; handlers never build clients. */
export interface Services {
  /** CONFIG_DB through a D1 session that continues the client's bookmark. */
  db: Db;
  /** CDP_DB through a session: replicas may serve its reads. */
  cdp: Db;
  keyring(): Promise<SecretKeyring>;
  now(): Date;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    tenant: Tenant;
    services: Services;
    /** Who calls, as the runs it starts record it: `key:<prefix>` or `dashboard:<prefix>`. */
    caller: string;
  };
}

export type App = OpenAPIHono<AppEnv>;

/** Each bad field of a zod failure, by path. */
export function fieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** The API app: zod failures become the 400 envelope, every error the same JSON shape. */
export function newApp(): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const details = fieldErrors(result.error);
      const format = details.find((d) => d.path === "format");
      if (format)
        throw new ApiError("unknown_format", `The format is not valid: ${format.message}.`, details);
      throw new ApiError(
        "validation_failed",
        "The request is not valid: see details for each field.",
        details,
      );
    },
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(), err.status);
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own 4xx, such as a body that is not JSON.
      const message = /json/i.test(err.message) ? "The request body is not valid JSON." : err.message;
      return c.json({ error: { code: "bad_request", message } }, err.status);
    }
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
