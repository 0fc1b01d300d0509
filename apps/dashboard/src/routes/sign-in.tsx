import { getCookie, setCookie } from "hono/cookie";
import { TenantApi } from "../api";
import {
  COOKIE_OPTIONS,
  type DashboardApp,
  type DashboardContext,
  endSession,
  isSameOrigin,
  requireCsrf,
  requireSession,
  startSession,
} from "../app";
import { Alert, Layout } from "../layout";
import { newSession, openSession, randomToken, SESSION_COOKIE, SIGN_IN_COOKIE, sameToken } from "../session";

/** Where signing in leads when `next` is missing or refused: the list of imports. */
const DEFAULT_PAGE = "/";

/**
 * Where to go after signing in: a page of this site only, never another host. Browsers drop tabs
 * and newlines from a Location and read a backslash as `/`, so `/%09/evil.example` would lead to
 * `//evil.example`: any control character or backslash refuses the value. A path that resolves
 * to `//host` (from `/.//host`) is refused too, as the browser would read it as another host.
 */
export function safeNext(next: string | undefined, origin: string): string {
  if (!next || /[\p{Cc}\\]/u.test(next)) return DEFAULT_PAGE;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return DEFAULT_PAGE;
  }
  if (url.origin !== origin || url.pathname.startsWith("//")) return DEFAULT_PAGE;
  return url.pathname + url.search + url.hash;
}

function SignInPage(props: { token: string; next: string; error?: string; notice?: string }) {
  return (
    <Layout title="Sign in">
      <section class="card narrow">
        <h1>Sign in</h1>
        <p class="muted">
          Use an API key of your organisation. The dashboard keeps it in a sealed session cookie.
        </p>
        {props.notice ? <Alert kind="notice">{props.notice}</Alert> : null}
        <form method="post" action="/sign-in" class="stack" novalidate>
          <input type="hidden" name="_csrf" value={props.token} />
          <input type="hidden" name="next" value={props.next} />
          <div class={`field${props.error ? " invalid" : ""}`}>
            <label for="api-key">API key</label>
            <input
              id="api-key"
              name="apiKey"
              type="password"
              autocomplete="current-password"
              required
              autofocus
              aria-invalid={props.error ? "true" : undefined}
              aria-describedby={props.error ? "api-key-error" : undefined}
            />
            {props.error ? (
              <p class="field-error" id="api-key-error">
                {props.error}
              </p>
            ) : null}
          </div>
          <button type="submit" class="button">
            Sign in
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** A fresh double-submit token for the sign-in form: cookie and hidden field must agree. */
function renderSignIn(
  c: DashboardContext,
  props: { next: string; error?: string; notice?: string },
  status: 200 | 400 | 401 | 403 | 502 = 200,
) {
  const token = randomToken();
  setCookie(c, SIGN_IN_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: 60 * 60 });
  return c.html(<SignInPage token={token} {...props} />, status);
}

export function registerSignIn(app: DashboardApp): void {
  app.get("/sign-in", async (c) => {
    const next = safeNext(c.req.query("next"), new URL(c.req.url).origin);
    if (await openSession(c.env.SESSION_SECRET, getCookie(c, SESSION_COOKIE), new Date()))
      return c.redirect(next, 303);
    const notice =
      c.req.query("signedOut") !== undefined
        ? "You are signed out."
        : c.req.query("keyRefused") !== undefined
          ? "The API no longer accepts the key of your session: sign in again."
          : undefined;
    return renderSignIn(c, { next, notice });
  });

  app.post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(typeof form.next === "string" ? form.next : undefined, new URL(c.req.url).origin);
    const token = typeof form._csrf === "string" ? form._csrf : undefined;
    const expected = getCookie(c, SIGN_IN_COOKIE);
    if (!isSameOrigin(c) || !expected || !sameToken(token, expected)) {
      return renderSignIn(
        c,
        { next, error: "This sign-in form has expired or came from another site: try again." },
        403,
      );
    }
    const apiKey = typeof form.apiKey === "string" ? form.apiKey.trim() : "";
    if (!apiKey) return renderSignIn(c, { next, error: "Enter your API key." }, 400);
    // The key is checked the way every later page uses it: a call to the API.
    const check = await new TenantApi(c.env.API, apiKey).call("GET", "/v1/imports?limit=1");
    if (!check.ok) {
      return renderSignIn(c, { next, error: check.message }, check.status === 401 ? 401 : 502);
    }
    await startSession(c, newSession(apiKey, new Date()));
    setCookie(c, SIGN_IN_COOKIE, "", { ...COOKIE_OPTIONS, maxAge: 0 });
    return c.redirect(next, 303);
  });

  app.post("/sign-out", requireSession, requireCsrf, (c) => {
    endSession(c);
    return c.redirect("/sign-in?signedOut", 303);
  });
}
