import type { CdpStore, StoreTenant } from "@cdp/cdp-store/client";
import type { SecretKeyring } from "@cdp/core";
import type { Db, Tenant } from "@cdp/store";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { ApiError } from "./errors";
import { fieldErrors, NoQuery, refuseBody, requestError, unsupportedMediaType } from "./strict";

export { fieldErrors } from "./strict";

/** Services built once per request by the services middleware; handlers never build clients. */
export interface Services {
  /** CONFIG_DB through a D1 session that continues the client's bookmark. */
  db: Db;
  /** A tenant's CDP data: its store shards (apps/cdp-store). */
  cdp(tenant: StoreTenant): CdpStore;
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

/** The parts of a route that the API makes strict (see ./strict). */
interface RouteShape {
  method: string;
  path: string;
  middleware?: MiddlewareHandler | MiddlewareHandler[];
  request?: {
    query?: unknown;
    body?: { content?: Record<string, { schema?: unknown }> };
  };
}

/**
 * The route as registered: a /v1 route without a query declares an empty strict one, and one
 * without a body refuses a body with fields.
 */
function strictRoute<R extends RouteShape>(route: R): R {
  if (!route.path.startsWith("/v1/")) return route;
  const middleware = route.middleware === undefined ? [] : [route.middleware].flat();
  return {
    ...route,
    request: { ...route.request, query: route.request?.query ?? NoQuery },
    middleware: route.request?.body ? middleware : [refuseBody, ...middleware],
  };
}

/** The hook of a route: a failure becomes the 400 envelope, told with the route's own schemas. */
function hookFor(route: RouteShape) {
  const schemas: Record<string, unknown> = {
    query: route.request?.query,
    json: route.request?.body?.content?.["application/json"]?.schema,
  };
  return (result: { success: boolean; error?: z.ZodError; data?: unknown; target?: string }) => {
    if (result.success || !result.error) return;
    const details = fieldErrors(result.error, schemas[result.target ?? ""], result.data);
    const format = details.find((d) => d.path === "format");
    throw requestError(
      details,
      format
        ? { code: "unknown_format", message: `The format is not valid: ${format.message}.` }
        : { code: "validation_failed", message: "The request is not valid: see details for each field." },
    );
  };
}

/** The API app: requests strict, zod failures the 400 envelope, every error the same JSON shape. */
export function newApp(): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      throw requestError(fieldErrors(result.error), {
        code: "validation_failed",
        message: "The request is not valid: see details for each field.",
      });
    },
  });
  // Every route registers through here: its query and body are strict, and its failures are
  // told with its own schemas (which tell the known name of an unknown field).
  const register = app.openapi;
  app.openapi = ((route: RouteShape, handler: unknown, hook?: unknown) => {
    const strict = strictRoute(route);
    return register(
      strict as Parameters<typeof register>[0],
      handler as Parameters<typeof register>[1],
      (hook ?? hookFor(strict)) as Parameters<typeof register>[2],
    );
  }) as typeof app.openapi;

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(), err.status);
    if (err instanceof HTTPException && err.status === 415) {
      const error = unsupportedMediaType();
      return c.json(error.toBody(), error.status);
    }
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
