import { findTenantByApiKey } from "@cdp/store";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app";
import { ApiError } from "../errors";

/** Paths of /v1 that need no key. */
const PUBLIC_PATHS = new Set(["/v1/health", "/v1/openapi.json"]);

/** Resolves `Authorization: Bearer <key>` to the key's tenant, or answers 401. */
export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (PUBLIC_PATHS.has(c.req.path)) return next();
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    throw new ApiError("unauthorized", "An API key is required: send it as 'Authorization: Bearer <key>'.");
  }
  const tenant = await findTenantByApiKey(c.var.services.db, match[1]);
  if (!tenant) throw new ApiError("unauthorized", "The API key was refused.");
  c.set("tenant", tenant);
  return next();
};
