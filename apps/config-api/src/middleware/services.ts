import { CdpStore, type StoreTenant } from "@cdp/cdp-store/client";
import { loadKeyring, type SecretKeyring } from "@cdp/core";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Services } from "../app";

/** Clients send back the bookmark of their last response to read their own writes. */
export const BOOKMARK_HEADER = "x-d1-bookmark";

let keyringPromise: { source: string; keyring: Promise<SecretKeyring> } | undefined;

function keyringOf(env: Env): () => Promise<SecretKeyring> {
  return () => {
    if (keyringPromise?.source !== env.SECRETS_KEYS) {
      keyringPromise = { source: env.SECRETS_KEYS, keyring: loadKeyring(env.SECRETS_KEYS) };
    }
    return keyringPromise.keyring;
  };
}

/** The CDP store of a tenant, whose id and shards come from CONFIG_DB (never from the request). */
const storeOf =
  (env: Env) =>
  (tenant: StoreTenant): CdpStore =>
    new CdpStore(env.CDP_SHARDS, tenant);

/** Services outside a request (the Cron Trigger), on the primary, at a given time. */
export function buildServices(env: Env, now: Date): Services {
  return { db: env.CONFIG_DB, cdp: storeOf(env), keyring: keyringOf(env), now: () => now };
}

/**
 * Builds the request's services: a D1 session of CONFIG_DB (reads may go to replicas; writes and
 * bookmarked reads see everything the client wrote), the CDP store, the secrets keyring and the
 * clock.
 */
export const services: MiddlewareHandler<AppEnv> = async (c, next) => {
  const bookmark = c.req.header(BOOKMARK_HEADER);
  const readOnly = c.req.method === "GET" || c.req.method === "HEAD";
  const session = c.env.CONFIG_DB.withSession(
    bookmark || (readOnly ? "first-unconstrained" : "first-primary"),
  );
  c.set("services", {
    db: session,
    cdp: storeOf(c.env),
    keyring: () => {
      if (keyringPromise?.source !== c.env.SECRETS_KEYS) {
        keyringPromise = { source: c.env.SECRETS_KEYS, keyring: loadKeyring(c.env.SECRETS_KEYS) };
      }
      return keyringPromise.keyring;
    },
    now: () => new Date(),
  });
  await next();
  const latest = session.getBookmark();
  if (latest) c.header(BOOKMARK_HEADER, latest);
};
