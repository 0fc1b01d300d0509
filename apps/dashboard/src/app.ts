import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { type ApiBinding, TenantApi } from "./api";
import {
  csrfToken,
  MissingSessionSecret,
  openSession,
  SESSION_COOKIE,
  SESSION_SECONDS,
  type Session,
  sameToken,
  sealSession,
} from "./session";

/** The bindings the dashboard uses (the generated Env has them; tests hand in a fake API). */
export interface DashboardBindings {
  API: ApiBinding;
  ASSETS: ApiBinding;
  SESSION_SECRET: string;
}

export interface DashboardEnv {
  Bindings: DashboardBindings;
  Variables: {
    session: Session;
    /** The session's CSRF token, put in every form and sent by the client scripts. */
    csrf: string;
    api: TenantApi;
  };
}

export type DashboardApp = Hono<DashboardEnv>;
export type DashboardContext = Context<DashboardEnv>;

/** Only the dashboard's own files run, load and are posted to: a value from a file cannot run as script. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

export function newApp(): DashboardApp {
  const app = new Hono<DashboardEnv>();
  app.use("*", async (c, next) => {
    await next();
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      c.res.headers.set("content-security-policy", CONTENT_SECURITY_POLICY);
      c.res.headers.set("x-content-type-options", "nosniff");
      c.res.headers.set("referrer-policy", "same-origin");
      // Pages show a tenant's data: never from a shared cache or the back-forward cache of another user.
      c.res.headers.set("cache-control", "no-store");
    }
  });
  app.onError((error, c) => {
    if (error instanceof MissingSessionSecret) return c.text(error.message, 500);
    console.error("dashboard error", error instanceof Error ? (error.stack ?? error.message) : String(error));
    return c.text("The dashboard failed to answer this request; try again in a moment.", 500);
  });
  return app;
}

/** Secure even on http://127.0.0.1: browsers treat loopback as a secure context and keep the cookie. */
export const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: "Strict", path: "/" } as const;

export async function startSession(c: DashboardContext, session: Session): Promise<void> {
  setCookie(c, SESSION_COOKIE, await sealSession(c.env.SESSION_SECRET, session), {
    ...COOKIE_OPTIONS,
    maxAge: SESSION_SECONDS,
  });
}

export function endSession(c: DashboardContext): void {
  deleteCookie(c, SESSION_COOKIE, COOKIE_OPTIONS);
}

const FLASH_COOKIE = "cdp_flash";

/** A message for the next page (after a redirect): "Import “Orders” saved." */
export function setFlash(c: Context, message: string): void {
  setCookie(c, FLASH_COOKIE, message, { ...COOKIE_OPTIONS, maxAge: 60 });
}

export function takeFlash(c: Context): string | undefined {
  const message = getCookie(c, FLASH_COOKIE);
  if (message) deleteCookie(c, FLASH_COOKIE, COOKIE_OPTIONS);
  return message || undefined;
}

/** The answer to a client script's call without a session: a 401 with a sentence to show. */
export const signedOut = (c: Context) =>
  c.json({ error: { code: "signed_out", message: "Your session has ended: sign in again." } }, 401);

const wantsJson = (c: Context) =>
  c.req.header("accept")?.includes("application/json") === true || c.req.path.endsWith(".json");

/**
 * The API refused the session's key (revoked since sign-in): the session ends, or the sign-in
 * page would send the user straight back. A client script's call gets the 401, so it stops.
 */
export function keyRefused(c: DashboardContext): Response {
  endSession(c);
  if (wantsJson(c)) return signedOut(c);
  return c.redirect("/sign-in?keyRefused", 303);
}

/**
 * Pages need a session: without one, pages send the user to sign in (and back afterwards) and
 * the client scripts' JSON calls get a 401 with a sentence to show.
 */
export const requireSession: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  const session = await openSession(c.env.SESSION_SECRET, getCookie(c, SESSION_COOKIE), new Date());
  if (!session) {
    if (c.req.method !== "GET" || wantsJson(c)) return signedOut(c);
    const url = new URL(c.req.url);
    return c.redirect(`/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  c.set("session", session);
  c.set("csrf", await csrfToken(c.env.SESSION_SECRET, session));
  c.set("api", new TenantApi(c.env.API, session.apiKey));
  await next();
};

/** Requests from this origin only: browsers send Origin on every POST, and another site's differs. */
export function isSameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  return origin !== undefined && origin === new URL(c.req.url).origin;
}

export const refusal = (c: Context, message: string) =>
  c.json({ error: { code: "csrf_refused", message } }, 403);

/**
 * State changes need the Origin of this site and the session's CSRF token, from the form field
 * `_csrf` or the header `x-csrf-token` (client scripts).
 */
export const requireCsrf: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  if (!isSameOrigin(c)) return refusal(c, "This request came from another site and was refused.");
  let token = c.req.header("x-csrf-token");
  if (token === undefined && c.req.header("content-type")?.includes("form")) {
    const form = await c.req.parseBody();
    token = typeof form._csrf === "string" ? form._csrf : undefined;
  }
  if (!sameToken(token, c.var.csrf)) {
    return refusal(
      c,
      "This form has expired or was not sent by the dashboard: reload the page and try again.",
    );
  }
  await next();
};
