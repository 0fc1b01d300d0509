import { findTenantByApiKey, type Tenant } from "@cdp/store";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app";
import { ApiError } from "../errors";

/** Paths of /v1 that need no key. */
const PUBLIC_PATHS = new Set(["/v1/health", "/v1/openapi.json"]);

/**
 * How long an isolate trusts a key it has already looked up, for reading. A revoked key (or a
 * deleted tenant's) stops reading within this time; it cannot write even once, because a request
 * that changes something looks its key up every time. Unknown keys are never remembered, so a new
 * key works at once.
 */
export const KEY_CACHE_MS = 30_000;
const KEY_CACHE_ENTRIES = 1_000;

/**
 * Keys this isolate accepted recently, with their tenant. The map holds the keys themselves only
 * in memory of the isolate that received them, as the request did; oldest entries go first.
 */
const accepted = new Map<string, { tenant: Tenant; until: number }>();

/** Forgets every remembered key (tests; or after revoking keys in this isolate). */
export function forgetAcceptedKeys(): void {
  accepted.clear();
}

/** Forgets the remembered keys of one tenant (it is being deleted). */
export function forgetTenantKeys(tenantId: string): void {
  for (const [key, entry] of accepted) if (entry.tenant.id === tenantId) accepted.delete(key);
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

async function tenantOf(c: Parameters<MiddlewareHandler<AppEnv>>[0], key: string): Promise<Tenant | null> {
  const now = Date.now();
  const hit = accepted.get(key);
  if (hit && hit.until > now && READS.has(c.req.method)) return hit.tenant;
  accepted.delete(key);
  const tenant = await findTenantByApiKey(c.var.services.db, key);
  if (tenant) {
    if (accepted.size >= KEY_CACHE_ENTRIES) {
      const oldest = accepted.keys().next().value;
      if (oldest !== undefined) accepted.delete(oldest);
    }
    accepted.set(key, { tenant, until: now + KEY_CACHE_MS });
  }
  return tenant;
}

/** Requests that came through the dashboard's own entrypoint (see DashboardApi). */
const fromDashboard = new WeakSet<Request>();

/** Marks a request as the dashboard's: the runs it starts are started by "dashboard". */
export function markFromDashboard(request: Request): void {
  fromDashboard.add(request);
}

/**
 * How a key is named where people see it (who started a run): its first 8 characters, and never
 * more than a third of it, so that a short key (a local or test one) is not shown nearly whole.
 */
export function keyPrefix(key: string): string {
  return key.slice(0, Math.min(8, Math.floor(key.length / 3)));
}

/** Resolves `Authorization: Bearer <key>` to the key's tenant, or answers 401. */
export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (PUBLIC_PATHS.has(c.req.path)) return next();
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    throw new ApiError("unauthorized", "An API key is required: send it as 'Authorization: Bearer <key>'.");
  }
  const tenant = await tenantOf(c, match[1]);
  if (!tenant) throw new ApiError("unauthorized", "The API key was refused.");
  c.set("tenant", tenant);
  c.set("caller", `${fromDashboard.has(c.req.raw) ? "dashboard" : "key"}:${keyPrefix(match[1])}`);
  return next();
};
