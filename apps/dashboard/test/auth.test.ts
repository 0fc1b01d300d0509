import { describe, expect, it } from "vitest";
import { safeNext } from "../src/routes/sign-in";
import {
  cookieOf,
  dashboardWith,
  FakeApi,
  GOOD_KEY,
  hiddenField,
  ORIGIN,
  sampleImport,
  signIn,
} from "./fake-api";

describe("sign-in", () => {
  it("sends a visitor without a session to the sign-in page, and back afterwards", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const res = await fetchDashboard("/runs/run_1");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?next=%2Fruns%2Frun_1");
    const page = await (await fetchDashboard("/sign-in?next=%2Fruns%2Frun_1")).text();
    expect(page).toContain('<label for="api-key">API key</label>');
    expect(hiddenField(page, "next")).toBe("/runs/run_1");
  });

  it("shows the API's own message next to the key when the key is refused, and starts no session", async () => {
    const { response } = await signIn(dashboardWith(new FakeApi()), "key_wrong");
    expect(response.status).toBe(401);
    expect(cookieOf(response, "cdp_session")).toBeUndefined();
    const html = await response.text();
    expect(html).toMatch(/<p class="field-error" id="api-key-error">The API key was refused.<\/p>/);
    expect(html).toContain('aria-describedby="api-key-error"');
  });

  it("keeps the key in a sealed HttpOnly, Secure, SameSite=Strict cookie", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const { response, cookie } = await signIn(fetchDashboard);
    expect(response.status).toBe(303);
    const header = response.headers.getSetCookie().find((h) => h.startsWith("cdp_session="));
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/Secure/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).not.toContain(GOOD_KEY);
    expect(atob(cookie.slice("cdp_session=".length).replaceAll("-", "+").replaceAll("_", "/"))).not.toContain(
      GOOD_KEY,
    );
    expect((await fetchDashboard("/", { headers: { cookie } })).status).toBe(200);
  });

  it("does not take a session cookie that was changed", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const { cookie } = await signIn(fetchDashboard);
    const last = cookie.at(-2) === "A" ? "B" : "A";
    const tampered = `${cookie.slice(0, -2)}${last}${cookie.at(-1)}`;
    const res = await fetchDashboard("/", { headers: { cookie: tampered } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/sign-in/);
  });

  it("refuses a sign-in posted from another site", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const res = await fetchDashboard("/sign-in", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: "x", apiKey: GOOD_KEY }),
    });
    expect(res.status).toBe(403);
    expect(cookieOf(res, "cdp_session")).toBeUndefined();
    expect(await res.text()).toContain("came from another site");
  });

  it("goes back only to paths of this site after signing in", () => {
    expect(safeNext("/runs/run_1?cursor=a", ORIGIN)).toBe("/runs/run_1?cursor=a");
    expect(safeNext(`${ORIGIN}/runs/run_1`, ORIGIN)).toBe("/runs/run_1");
    expect(safeNext(undefined, ORIGIN)).toBe("/");
    expect(safeNext("http://[", ORIGIN)).toBe("/");
  });

  it("says which secret is missing instead of sealing sessions without it", async () => {
    const { response } = await signIn(dashboardWith(new FakeApi(), ""));
    expect(response.status).toBe(500);
    expect(cookieOf(response, "cdp_session")).toBeUndefined();
    expect(await response.text()).toContain("set the Worker secret SESSION_SECRET");
  });

  it("ends the session when the API stops accepting its key", async () => {
    const api = new FakeApi();
    const fetchDashboard = dashboardWith(api);
    const { cookie } = await signIn(fetchDashboard);
    api.keys.clear();
    const res = await fetchDashboard("/", { headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?keyRefused");
    expect(res.headers.getSetCookie().find((h) => h.startsWith("cdp_session="))).toMatch(/Max-Age=0/);
  });

  it("signs out: the cookie is cleared", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const { cookie, csrf } = await signIn(fetchDashboard);
    const res = await fetchDashboard("/sign-out", {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/sign-in?signedOut");
    expect(res.headers.getSetCookie().find((h) => h.startsWith("cdp_session="))).toMatch(/Max-Age=0/);
  });
});

describe("sign-in redirect (next)", () => {
  // Browsers drop tab/newline from a Location and read a backslash as `/`: each of these would leave the site.
  const offSite = [
    ["another host", "//evil.example"],
    ["a tab", "/\t/evil.example"],
    ["a newline", "/\n/evil.example"],
    ["a backslash", "/\\evil.example"],
    ["a dot segment before //", "/.//evil.example"],
    ["an absolute URL", "https://evil.example/x"],
    ["a script URL", "javascript:alert(1)"],
  ];
  const kept = "/imports/imp_1?tab=runs";

  async function signedInRedirect(next: string) {
    const fetchDashboard = dashboardWith(new FakeApi());
    const { cookie } = await signIn(fetchDashboard);
    return fetchDashboard(`/sign-in?next=${encodeURIComponent(next)}`, { headers: { cookie } });
  }

  async function signInRedirect(next: string) {
    const fetchDashboard = dashboardWith(new FakeApi());
    const form = await fetchDashboard(`/sign-in?next=${encodeURIComponent(next)}`);
    return fetchDashboard("/sign-in", {
      method: "POST",
      headers: {
        origin: ORIGIN,
        cookie: `cdp_sign_in=${cookieOf(form, "cdp_sign_in")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: hiddenField(await form.text(), "_csrf"), apiKey: GOOD_KEY, next }),
    });
  }

  it.each(offSite)("sends a signed-in visitor home, not off the site, for next with %s", async (_, next) => {
    const res = await signedInRedirect(next);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });

  it.each(offSite)(
    "sends a visitor home after signing in, not off the site, for next with %s",
    async (_, next) => {
      const res = await signInRedirect(next);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/");
    },
  );

  it("keeps a page of this site with its query, signed in already or after signing in", async () => {
    for (const res of [await signedInRedirect(kept), await signInRedirect(kept)]) {
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(kept);
    }
  });

  it("does not put a refused next in the sign-in form", async () => {
    const page = await dashboardWith(new FakeApi())(
      `/sign-in?next=${encodeURIComponent("/\t/evil.example")}`,
    );
    expect(hiddenField(await page.text(), "next")).toBe("/");
  });
});

describe("CSRF", () => {
  async function startRun(headers: Record<string, string>, form: Record<string, string>) {
    const api = new FakeApi();
    api.imports.push(sampleImport());
    const fetchDashboard = dashboardWith(api);
    const session = await signIn(fetchDashboard);
    const res = await fetchDashboard("/imports/imp_1/runs", {
      method: "POST",
      headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ dryRun: "false", ...form, _csrf: form._csrf ?? session.csrf }),
    });
    return { res, api };
  }

  it("starts a run from a form of the dashboard", async () => {
    const { res, api } = await startRun({ origin: ORIGIN }, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/runs/run_1");
    expect(api.runs).toHaveLength(1);
  });

  it("refuses a form without the session's token", async () => {
    const { res, api } = await startRun({ origin: ORIGIN }, { _csrf: "forged" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("reload the page");
    expect(api.runs).toHaveLength(0);
  });

  it("refuses a form from another origin even with the token", async () => {
    const { res, api } = await startRun({ origin: "https://evil.example" }, {});
    expect(res.status).toBe(403);
    expect(api.runs).toHaveLength(0);
  });

  it("refuses the client scripts' calls without the token header", async () => {
    const fetchDashboard = dashboardWith(new FakeApi());
    const { cookie } = await signIn(fetchDashboard);
    const res = await fetchDashboard("/imports/upload-url", {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ filename: "orders.csv" }),
    });
    expect(res.status).toBe(403);
  });
});
