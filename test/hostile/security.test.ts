import { hostname } from "node:os";
import { PREVIEW_PATH, PREVIEW_SIGNATURE_HEADER, SCHEDULE_CRON, uploadPath, WORKER_NAMES } from "@cdp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../scripts/openapi-document.mjs";
import { type FakeEgoi, startFakeEgoi } from "../fakes/egoi.mjs";
import { type FakeS3, startFakeS3 } from "../fakes/s3.mjs";
import { SFTP_USER, type Sshd, serveFile, startSshd } from "../sources/sshd";
import { APPS_BY_NAME } from "../support/apps";
import { ApiClient } from "../support/client";
import { RSS_FEED, VELOCIDI_HEADER, velocidiRow } from "../support/files";
import { type Stack, startStack, TEST_SECRETS } from "../support/stack";
import { planCases, recordCase } from "./report";
import {
  type Capture,
  captureOutput,
  occurrences,
  parseCsv,
  Recorder,
  startServer,
  type TestServer,
} from "./security-support";

const SUITE = "security";
const KEY_A = "key_security_alpha_0001";
const KEY_B = "key_security_beta_0002";
const TENANT_A = "sec-alpha";
const TENANT_B = "sec-beta";

/** What only tenant A's data contains: none of it may ever reach tenant B. */
const EMAIL_A = "alpha.customer@tenant-a.example";
const A_DATA = [EMAIL_A, "AlphaShirt", "AlphaMug", "Alpha orders import", "Alpha products import"];

interface Route {
  method: string;
  template: string;
  secured: boolean;
}

/** The API's routes as its OpenAPI document lists them (the signed upload URL's verbs are apart). */
function routesOf(document: unknown): Route[] {
  const paths = (document as { paths: Record<string, Record<string, { security?: unknown[] }>> }).paths;
  return Object.entries(paths)
    .filter(([template]) => template.startsWith("/v1/"))
    .flatMap(([template, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          template,
          secured: (op.security?.length ?? 0) > 0,
        })),
    );
}

/** The routes, from the document the Worker's code builds: the plan of the cases below. */
const ROUTES = routesOf(await openApiDocument());
const PUBLIC = new Set(["GET /v1/health", "GET /v1/openapi.json"]);
const KEYED = ROUTES.filter((r) => !PUBLIC.has(`${r.method} ${r.template}`));
const CALLERS: [string, { key?: string | null; authorization?: string }][] = [
  ["no key", { key: null }],
  ["a wrong key", { key: "key_wrong_0000000000" }],
  ["tenant A's key without Bearer", { authorization: KEY_A }],
];
const DASHBOARD_PAGES = [
  "/runs/{runId}",
  "/runs/{runId}/status.json",
  "/runs/{runId}/issues.csv",
  "/imports/{id}/edit",
  "/",
];
const TAMPERED = ["key", "expires", "sig", "tenant", "sig removed"] as const;
const FOREIGN_UPLOAD = ["config", "preview", "run override", "patch"] as const;
const INBOX_CLIMBS = [
  "../uploads/{upload}",
  `../../${TENANT_A}/uploads/{upload}`,
  `/tenants/${TENANT_A}/uploads/{upload}`,
];
const SECRET_PLACES = ["API answers", "logs", "stored rows"] as const;
const SOURCE_TYPES = ["url", "s3", "sftp"] as const;
const HOSTS: [string, string][] = [
  ["loopback", "127.0.0.1"],
  ["localhost", "localhost"],
  ["IPv6 loopback", "::1"],
  ["private 10/8", "10.0.0.5"],
  ["private 192.168/16", "192.168.1.20"],
  ["cloud metadata", "169.254.169.254"],
  ["metadata name", "metadata.google.internal"],
  ["unspecified", "0.0.0.0"],
  ["decimal IPv4", "2130706433"],
  ["hex IPv4", "0x7f000001"],
  ["IPv4-mapped IPv6", "::ffff:127.0.0.1"],
  ["IPv4-mapped IPv6 in hex", "::ffff:a9fe:a9fe"],
  ["unique local IPv6", "fd00::2"],
];
const REDIRECTS: [string, string, string][] = [
  ["loopback", "/to-loopback", "127.0.0.1"],
  ["cloud metadata", "/to-metadata", "169.254.169.254"],
];

planCases(SUITE, [
  ...KEYED.flatMap((r) => CALLERS.map(([who]) => `auth: ${r.method} ${r.template} with ${who}`)),
  ...KEYED.map((r) => `tenancy: ${r.method} ${r.template} with tenant B's key`),
  ...DASHBOARD_PAGES.map((page) => `tenancy: dashboard ${page} as tenant B`),
  "ingest's internal preview with a forged signature",
  ...TAMPERED.map((part) => `upload URL: ${part} changed`),
  "upload URL: expired",
  "upload URL: replayed after a completed upload",
  ...FOREIGN_UPLOAD.map((what) => `upload key of tenant A used by tenant B: ${what}`),
  ...INBOX_CLIMBS.map((key) => `r2 key outside the inbox: ${key}`),
  ...SECRET_PLACES.map((where) => `secrets: none in the ${where}`),
  "issues CSV: formula cells (= + - @ tab CR)",
  ...SOURCE_TYPES.flatMap((type) =>
    HOSTS.map(([label, host]) => `SSRF: ${type} source to ${label} (${host})`),
  ),
  ...REDIRECTS.map(([label]) => `SSRF: url redirected to ${label}`),
]);

const errorEnvelope = {
  error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) },
};

function alphaOrders(extra: { id: string; email: string; name: string; total?: string }[] = []): string {
  const orders = [
    { id: "alphaorder1", email: EMAIL_A, name: "AlphaShirt" },
    { id: "alphaorder2", email: EMAIL_A, name: "AlphaShirt", total: '"12,5"' },
    ...extra,
  ];
  return `${[VELOCIDI_HEADER, ...orders.map((o, i) => velocidiRow(o, i + 1))].join("\n")}\n`;
}

const alphaFeed = RSS_FEED.replace("<g:id>p1</g:id>", "<g:id>alphaprod1</g:id>").replace(
  "Blue mug",
  "AlphaMug",
);

// ---------------------------------------------------------------------------------------------
// Stack 1: private sources allowed, so that the test servers on loopback can be sources.
// ---------------------------------------------------------------------------------------------
describe("security of the API, uploads and secrets", () => {
  let stack: Stack;
  let rec: Recorder;
  let capture: Capture;
  let egoi: FakeEgoi;
  let s3: FakeS3;
  let sshd: Sshd;
  let web: TestServer;
  let apiA: ApiClient;
  let apiB: ApiClient;
  const a = {
    importId: "",
    productsImportId: "",
    runId: "",
    uploadKey: "",
    profileId: "",
    webhookId: "",
    inboxKeyId: "",
  };
  let importB = "";

  beforeAll(async () => {
    capture = captureOutput();
    [egoi, s3, sshd, web] = await Promise.all([
      startFakeEgoi({ lists: { 321: 3 } }),
      startFakeS3({ region: "eu-west-1", credentials: { AKIDSECURITY: "the-right-secret" } }),
      startSshd(),
      startServer((req, res) => {
        if (req.url === "/secret-orders.csv" && req.headers.authorization === `Bearer ${CANARY.header}`) {
          res.writeHead(200, { "content-type": "text/csv" }).end(alphaOrders());
          return;
        }
        res.writeHead(401, { "content-type": "text/plain" }).end("Unauthorized");
      }),
    ]);
    stack = await startStack({
      vars: { "config-api": { EGOI_API_BASE: egoi.url }, "egoi-sync": { EGOI_API_BASE: egoi.url } },
    });
    await stack.createTenant(TENANT_A, KEY_A);
    await stack.createTenant(TENANT_B, KEY_B);
    rec = new Recorder(stack.url);
    apiA = new ApiClient(stack.url, KEY_A);
    apiB = new ApiClient(stack.url, KEY_B);

    a.uploadKey = await apiA.upload("alpha-orders.csv", alphaOrders());
    a.importId = await apiA.createImport({
      name: "Alpha orders import",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key: a.uploadKey },
    });
    const run = await apiA.run(a.importId);
    expect(run.stats).toMatchObject({ itemsValid: 1, itemsInvalid: 1 });
    a.runId = run.id;
    const feed = await apiA.upload("alpha-feed.xml", alphaFeed);
    a.productsImportId = await apiA.createImport({
      name: "Alpha products import",
      type: "products",
      format: "google_rss",
      source: { type: "upload", key: feed },
    });
    expect((await apiA.run(a.productsImportId)).status).toBe("completed");
    const profile = await apiA.call<{ id: string }>("GET", `/v1/profiles/email/${EMAIL_A}`);
    expect(profile.status).toBe(200);
    a.profileId = profile.body.id;
    const webhook = await apiA.call<{ id: string }>("POST", "/v1/webhooks", {
      url: "https://hooks.example.com/alpha",
      events: ["run.failed"],
    });
    expect(webhook.status).toBe(201);
    a.webhookId = webhook.body.id;
    const inboxKey = await apiA.call<{ accessKeyId: string }>("POST", "/v1/inbox/keys", {
      description: "alpha nightly",
    });
    expect(inboxKey.status).toBe(201);
    a.inboxKeyId = inboxKey.body.accessKeyId;

    const betaUpload = await apiB.upload("beta.csv", `${VELOCIDI_HEADER}\n`);
    importB = await apiB.createImport({
      name: "Beta orders",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key: betaUpload },
    });
  });

  afterAll(async () => {
    capture?.stop();
    await Promise.all([stack?.close(), egoi?.close(), s3?.close(), sshd?.close(), web?.close()]);
  });

  describe("every route of the API needs a key of the right tenant", () => {
    /** The routes of the document the stack serves. */
    let served: Route[] = [];

    beforeAll(async () => {
      const spec = await rec.call("GET", "/v1/openapi.json");
      expect(spec.status).toBe(200);
      served = routesOf(spec.body);
    });

    /** A JSON answer of the API, as far as the checks below read it. */
    type Answer = {
      error?: { code?: string };
      items?: { id?: string; accessKeyId?: string; key?: string }[];
      uploadUrl?: string;
      bucket?: string;
      endpoint?: string;
    };

    /**
     * What tenant B gets from each route without path parameters, sent `bodyFor`'s body: its
     * own answer, exactly (a route with path parameters answers 404 for each of A's ids).
     */
    const OWN_ANSWERS: Record<string, { expected: string; ok: (status: number, answer: Answer) => boolean }> =
      {
        "POST /v1/uploads": {
          expected: "201 with an upload URL of tenant B",
          ok: (status, answer) =>
            status === 201 &&
            new URL(answer.uploadUrl ?? "", stack.url).searchParams.get("tenant") === TENANT_B,
        },
        "POST /v1/imports": {
          expected: "400 upload_not_found for tenant A's upload key",
          ok: (status, answer) => status === 400 && answer.error?.code === "upload_not_found",
        },
        "POST /v1/imports/preview": {
          expected: "400 upload_not_found for tenant A's upload key",
          ok: (status, answer) => status === 400 && answer.error?.code === "upload_not_found",
        },
        "POST /v1/imports/suggest-mapping": {
          expected: "400 upload_not_found for tenant A's upload key",
          ok: (status, answer) => status === 400 && answer.error?.code === "upload_not_found",
        },
        "GET /v1/imports": {
          expected: "200 with tenant B's one import",
          ok: (status, answer) =>
            status === 200 && JSON.stringify(answer.items?.map((i) => i.id)) === JSON.stringify([importB]),
        },
        "POST /v1/events/enrich": {
          expected: "200 with the event as sent (tenant B's catalogue has no alphaprod1)",
          ok: (status, answer) =>
            status === 200 && JSON.stringify(answer) === JSON.stringify(bodyFor("POST", "/v1/events/enrich")),
        },
        "POST /v1/webhooks": {
          expected: "400 validation_failed (no url)",
          ok: (status, answer) => status === 400 && answer.error?.code === "validation_failed",
        },
        "POST /v1/inbox/keys": {
          expected: "201 with a new key of tenant B",
          ok: (status, answer) =>
            status === 201 &&
            typeof (answer as { accessKeyId?: string }).accessKeyId === "string" &&
            (answer as { accessKeyId?: string }).accessKeyId !== a.inboxKeyId,
        },
        "GET /v1/inbox/keys": {
          expected: "200 with tenant B's keys only",
          ok: (status, answer) =>
            status === 200 && !(answer.items ?? []).some((k) => k.accessKeyId === a.inboxKeyId),
        },
        "GET /v1/inbox": {
          expected: "200 with the bucket inbox",
          ok: (status, answer) => status === 200 && answer.bucket === "inbox",
        },
        "GET /v1/inbox/files": {
          expected: "200 with no files (tenant B's inbox is empty)",
          ok: (status, answer) => status === 200 && JSON.stringify(answer.items) === "[]",
        },
        "GET /v1/webhooks": {
          expected: "200 with none of tenant B's own",
          ok: (status, answer) => status === 200 && JSON.stringify(answer.items) === "[]",
        },
      };

    function fill(template: string): string {
      const values: Record<string, string> = {
        // {id} is an import's, or under /v1/webhooks a webhook endpoint's.
        id: template.startsWith("/v1/webhooks/") ? a.webhookId : a.importId,
        importId: a.importId,
        runId: a.runId,
        key: a.uploadKey,
        uploadKey: a.uploadKey,
        idType: "email",
        idValue: EMAIL_A,
        profileId: a.profileId,
        orderId: "alphaorder1",
        productId: "alphaprod1",
        accessKeyId: a.inboxKeyId,
      };
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = values[name];
        if (value === undefined)
          throw new Error(`${template}: no id of tenant A for the path parameter {${name}}; add one here`);
        return encodeURIComponent(value);
      });
      // A route whose query has a required parameter gets one that finds tenant A's data.
      const query = REQUIRED_QUERY[template];
      return query ? `${path}?${query}` : path;
    }
    const REQUIRED_QUERY: Record<string, string> = { "/v1/runs/{runId}/items": "type=orders" };

    function bodyFor(method: string, template: string): unknown {
      if (method === "GET" || method === "DELETE") return undefined;
      const known: Record<string, unknown> = {
        "POST /v1/imports": {
          name: "Taken",
          type: "orders",
          format: "velocidi_csv",
          source: { type: "upload", key: a.uploadKey },
        },
        "POST /v1/imports/preview": {
          config: { type: "orders", format: "velocidi_csv", source: { type: "upload", key: a.uploadKey } },
        },
        "POST /v1/uploads": { filename: "mine.csv" },
        "POST /v1/imports/suggest-mapping": {
          type: "orders",
          format: "velocidi_csv",
          source: { type: "upload", key: a.uploadKey },
        },
        "POST /v1/events/enrich": { type: "productView", product: { id: "alphaprod1" } },
        "PATCH /v1/imports/{id}": { name: "Renamed by another tenant" },
      };
      return known[`${method} ${template}`] ?? {};
    }

    it("reads a route list that covers the API, and only health and the spec are open", () => {
      expect(served).toEqual(ROUTES);
      expect(ROUTES.length).toBeGreaterThanOrEqual(17);
      const open = ROUTES.filter((r) => !r.secured).map((r) => `${r.method} ${r.template}`);
      expect(open).toContain("GET /v1/health");
      expect(open.filter((r) => !PUBLIC.has(r))).toEqual([]);
    });

    it("answers 401 with the error envelope and no data to no key, a wrong key and a malformed header", async () => {
      const failures: string[] = [];
      for (const route of KEYED) {
        const path = fill(route.template);
        for (const [who, auth] of CALLERS) {
          const res = await rec.call(route.method, path, {
            ...auth,
            body: bodyFor(route.method, route.template),
          });
          const leaks = occurrences(res.text, A_DATA).count;
          const ok =
            res.status === 401 &&
            res.headers["content-type"]?.includes("application/json") === true &&
            Object.keys(res.body as object).join() === "error" &&
            (res.body as { error: { code: string } }).error.code === "unauthorized" &&
            leaks === 0;
          recordCase({
            suite: SUITE,
            name: `auth: ${route.method} ${route.template} with ${who}`,
            expected: "401 unauthorized, the error envelope, no data",
            asExpected: ok,
            crossTenantLeaks: leaks,
          });
          if (!ok) failures.push(`${route.method} ${route.template} (${who}): ${res.status} ${res.text}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it("shows tenant B nothing of tenant A: 404 on A's resources, A's ids never in B's lists", async () => {
      const aIds = [
        a.importId,
        a.productsImportId,
        a.runId,
        a.uploadKey,
        a.profileId,
        a.webhookId,
        a.inboxKeyId,
        "alphaorder1",
        "alphaprod1",
      ];
      const failures: string[] = [];
      const before = await apiA.call<{ items: unknown[] }>("GET", `/v1/imports/${a.importId}/runs`);
      for (const route of KEYED) {
        const path = fill(route.template);
        const body = bodyFor(route.method, route.template);
        const sent = `${path} ${JSON.stringify(body ?? "")}`;
        // A's data never; A's ids only where B itself named them (a 404 may repeat the id asked for).
        const markers = [...A_DATA, ...aIds].filter(
          (m) => !sent.includes(m) && !sent.includes(encodeURIComponent(m)),
        );
        const res = await rec.call(route.method, path, { key: KEY_B, body });
        const leaks = occurrences(res.text, markers).count;
        const own = route.template.includes("{")
          ? {
              expected: "404 not_found",
              ok: (status: number, answer: Answer) => status === 404 && answer.error?.code === "not_found",
            }
          : OWN_ANSWERS[`${route.method} ${route.template}`];
        if (!own)
          throw new Error(
            `${route.method} ${route.template}: no answer of tenant B known; add it to OWN_ANSWERS`,
          );
        const expected = `${own.expected}, nothing of tenant A`;
        const ok = own.ok(res.status, res.body as Answer) && leaks === 0;
        recordCase({
          suite: SUITE,
          name: `tenancy: ${route.method} ${route.template} with tenant B's key`,
          expected,
          asExpected: ok,
          crossTenantLeaks: leaks,
        });
        if (!ok) failures.push(`${route.method} ${route.template}: ${res.status} ${res.text.slice(0, 300)}`);
      }
      expect(failures).toEqual([]);

      // B's own list shows B's import; nothing B tried changed A's import or its runs.
      const listB = await rec.call("GET", "/v1/imports?limit=100", { key: KEY_B });
      expect((listB.body as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([importB]);
      const stillA = await apiA.call<{ name: string }>("GET", `/v1/imports/${a.importId}`);
      expect(stillA.status).toBe(200);
      expect(stillA.body.name).toBe("Alpha orders import");
      const after = await apiA.call<{ items: unknown[] }>("GET", `/v1/imports/${a.importId}/runs`);
      expect(after.body.items.length).toBe(before.body.items.length);
    });

    it("shows tenant B nothing of tenant A in the dashboard either", async () => {
      const session = await rec.signIn(KEY_B);
      const failures: string[] = [];
      for (const page of DASHBOARD_PAGES) {
        const path = page.replace("{runId}", a.runId).replace("{id}", a.importId);
        const res = await rec.page(path, session);
        const markers = [...A_DATA, a.importId, a.runId, a.uploadKey, "alphaorder1"].filter(
          (m) => !path.includes(m),
        );
        const leaks = occurrences(res.text, markers).count;
        const ok = (path === "/" ? res.status === 200 : res.status === 404) && leaks === 0;
        recordCase({
          suite: SUITE,
          name: `tenancy: dashboard ${page} as tenant B`,
          expected: path === "/" ? "tenant B's own list, nothing of tenant A" : "404, nothing of tenant A",
          asExpected: ok,
          crossTenantLeaks: leaks,
        });
        if (!ok) failures.push(`${path}: ${res.status} ${res.text.slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
    });

    it("keeps ingest's internal preview out of reach: not through the front door, never unsigned", async () => {
      const ask = JSON.stringify({
        tenantId: TENANT_A,
        source: { type: "upload", key: a.uploadKey },
        maxBytes: 4096,
        expires: Math.floor(Date.now() / 1000) + 600,
      });
      const init = {
        method: "POST",
        headers: { "content-type": "application/json", [PREVIEW_SIGNATURE_HEADER]: "0".repeat(64) },
        body: ask,
      };
      const front = await fetch(new URL(PREVIEW_PATH, stack.url), { ...init, redirect: "manual" });
      const frontText = await front.text();
      const direct = await stack.server.getWorker(WORKER_NAMES.ingest).fetch(PREVIEW_PATH, init);
      const directText = await direct.text();
      const leaks = occurrences(`${frontText}${directText}`, ["alphaorder1", ...A_DATA]).count;
      recordCase({
        suite: SUITE,
        name: "ingest's internal preview with a forged signature",
        expected: "not served through the front door; 403 from ingest itself; no file bytes",
        asExpected: front.status !== 200 && direct.status === 403 && leaks === 0,
        crossTenantLeaks: leaks,
      });
      expect(front.status).not.toBe(200);
      expect(direct.status).toBe(403);
      expect(leaks).toBe(0);
    });

    it("gives tenant A its own data on the same paths (the ids above are real)", async () => {
      for (const route of KEYED.filter((r) => r.method === "GET")) {
        const res = await rec.call("GET", fill(route.template), { key: KEY_A });
        expect(res.status, `${route.template}: ${res.text}`).toBe(200);
      }
    });
  });

  describe("signed upload URLs", () => {
    async function issue(filename: string) {
      const res = await rec.call("POST", "/v1/uploads", { key: KEY_A, body: { filename } });
      expect(res.status).toBe(201);
      return res.body as { key: string; uploadUrl: string };
    }

    async function ordersIn(key: string) {
      const importId = await apiA.createImport({
        name: "Upload check",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "upload", key },
      });
      return apiA.run(importId);
    }

    it("refuses a URL with any signed part changed (403) and stores nothing; the real URL still works", async () => {
      const { key, uploadUrl } = await issue("tampered.csv");
      const original = new URL(uploadUrl);
      const tampered: [string, URL][] = [];
      const withPath = new URL(original);
      withPath.pathname = original.pathname.replace("tampered.csv", "other.csv");
      tampered.push(["key", withPath]);
      for (const [part, value] of [
        ["expires", String(Number(original.searchParams.get("expires")) + 3600)],
        ["sig", `${(original.searchParams.get("sig") ?? "").slice(0, -2)}AA`],
        ["tenant", TENANT_B],
      ] as const) {
        const url = new URL(original);
        url.searchParams.set(part, value);
        tampered.push([part, url]);
      }
      const noSig = new URL(original);
      noSig.searchParams.delete("sig");
      tampered.push(["sig removed", noSig]);

      const files = (await stack.server.getWorker(WORKER_NAMES.ingest).getEnv()).FILES as R2Like;
      /** Every object of the bucket under tenants/, by key. */
      const objects = async () => {
        const keys: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await files.list({ prefix: "tenants/", ...(cursor ? { cursor } : {}) });
          keys.push(...page.objects.map((o) => o.key));
          cursor = page.truncated ? page.cursor : undefined;
        } while (cursor);
        return keys;
      };
      for (const [part, url] of tampered) {
        const before = new Set(await objects());
        const res = await fetch(url, { method: "PUT", body: alphaOrders() });
        const body = await res.json();
        const stored = (await objects()).filter((k) => !before.has(k));
        const ok =
          res.status === 403 &&
          (body as { error?: { code?: string } }).error?.code === "forbidden" &&
          stored.length === 0;
        recordCase({
          suite: SUITE,
          name: `upload URL: ${part} changed`,
          expected: "403 forbidden, nothing stored",
          asExpected: ok,
          detail: `${res.status}; ${stored.length} object(s) stored`,
        });
        expect(res.status, part).toBe(403);
        expect(body).toMatchObject(errorEnvelope);
        expect(stored, part).toEqual([]);
      }
      expect(await files.get(`tenants/${TENANT_B}/uploads/${key}`)).toBeNull();
      expect(await files.get(`tenants/${TENANT_A}/uploads/${key}`)).toBeNull();
      const put = await fetch(uploadUrl, { method: "PUT", body: alphaOrders() });
      expect(put.status).toBe(201);
    });

    it("refuses an expired URL with 403 and says so", async () => {
      const { key } = await issue("late.csv");
      const expires = Math.floor(Date.now() / 1000) - 60;
      const path = await uploadPath(
        { method: "PUT", key, tenantId: TENANT_A, expires },
        TEST_SECRETS.UPLOAD_SIGNING_SECRET,
      );
      const res = await fetch(new URL(path, stack.url), { method: "PUT", body: "x" });
      const body = (await res.json()) as { error: { code: string; message: string } };
      recordCase({
        suite: SUITE,
        name: "upload URL: expired",
        expected: "403 forbidden, message says expired",
        asExpected: res.status === 403 && /expired/.test(body.error.message),
      });
      expect(res.status).toBe(403);
      expect(body.error.message).toMatch(/expired/);
    });

    it("uses a URL once: a replayed PUT is a 409 and the file an import read stays as it was", async () => {
      const { key, uploadUrl } = await issue("once.csv");
      expect((await fetch(uploadUrl, { method: "PUT", body: alphaOrders() })).status).toBe(201);
      const first = await ordersIn(key);
      const held = await stack.storeCounts(TENANT_A);
      const replay = await fetch(uploadUrl, {
        method: "PUT",
        body: alphaOrders([{ id: "replayedorder", email: "x@tenant-a.example", name: "Swapped" }]),
      });
      const body = (await replay.json()) as { error: { code: string; message: string } };
      const second = await ordersIn(key);
      const replayed = await apiA.call("GET", "/v1/orders/replayedorder");
      // What the store holds is what the first file made: its order, with its one line item, and
      // not a row more (counted in tenant A's shards).
      const kept = await apiA.call<{ lineItems?: unknown[] }>("GET", "/v1/orders/alphaorder1");
      const after = await stack.storeCounts(TENANT_A);
      const kinds = ["orders", "lineItems", "profiles", "ids", "products"] as const;
      const itemsLost =
        (kept.status === 200 && kept.body.lineItems?.length === 1 ? 0 : 1) +
        kinds.reduce((n, k) => n + Math.max(0, held[k] - after[k]), 0);
      const duplicates = kinds.reduce((n, k) => n + Math.max(0, after[k] - held[k]), 0);
      const ok =
        replay.status === 409 &&
        body.error.code === "upload_already_used" &&
        second.stats.itemsRead === first.stats.itemsRead &&
        second.stats.added === 0 &&
        replayed.status === 404 &&
        itemsLost === 0 &&
        duplicates === 0;
      recordCase({
        suite: SUITE,
        name: "upload URL: replayed after a completed upload",
        expected: "409 upload_already_used, the stored file unchanged",
        asExpected: ok,
        itemsLost,
        duplicates,
        detail: `store before ${JSON.stringify(held)}, after ${JSON.stringify(after)}`,
      });
      expect(replay.status).toBe(409);
      expect(body.error).toMatchObject({
        code: "upload_already_used",
        message: expect.stringMatching(/POST \/v1\/uploads/),
      });
      expect(second.stats).toMatchObject({ itemsRead: first.stats.itemsRead, added: 0, updated: 0 });
      expect(replayed.status).toBe(404);
      expect({ itemsLost, duplicates }).toEqual({ itemsLost: 0, duplicates: 0 });
    });

    it("keeps an upload to its tenant: B cannot name A's upload key in a config, a preview or a run", async () => {
      const attempts: [string, string, string, unknown][] = [
        [
          "config",
          "POST",
          "/v1/imports",
          {
            name: "Theirs",
            type: "orders",
            format: "velocidi_csv",
            source: { type: "upload", key: a.uploadKey },
          },
        ],
        [
          "preview",
          "POST",
          "/v1/imports/preview",
          {
            config: { type: "orders", format: "velocidi_csv", source: { type: "upload", key: a.uploadKey } },
          },
        ],
        [
          "run override",
          "POST",
          `/v1/imports/${importB}/runs`,
          { source: { type: "upload", key: a.uploadKey } },
        ],
        ["patch", "PATCH", `/v1/imports/${importB}`, { source: { type: "upload", key: a.uploadKey } }],
      ];
      for (const [what, method, path, body] of attempts) {
        const res = await rec.call(method, path, { key: KEY_B, body });
        const leaks = occurrences(res.text, A_DATA).count;
        const error = (res.body as { error?: { code?: string; message?: string } }).error;
        const ok =
          res.status === 400 &&
          error?.code === "upload_not_found" &&
          error.message?.includes(a.uploadKey) === true &&
          leaks === 0;
        recordCase({
          suite: SUITE,
          name: `upload key of tenant A used by tenant B: ${what}`,
          expected: "400 upload_not_found, the key named in the message",
          asExpected: ok,
          crossTenantLeaks: leaks,
        });
        expect(res.status, what).toBe(400);
        expect(error?.code).toBe("upload_not_found");
        expect(error?.message).toContain(a.uploadKey);
      }
      // An R2 source reads only the tenant's inbox: a key that climbs out of it is refused.
      for (const climb of INBOX_CLIMBS) {
        const source = { type: "r2", key: climb.replace("{upload}", a.uploadKey) };
        const attemptsR2 = [
          await rec.call("POST", "/v1/imports", {
            key: KEY_B,
            body: { name: "Climb", type: "orders", format: "velocidi_csv", source },
          }),
          await rec.call("POST", "/v1/imports/preview", {
            key: KEY_B,
            body: { config: { type: "orders", format: "velocidi_csv", source } },
          }),
          await rec.call("POST", `/v1/imports/${importB}/runs`, { key: KEY_B, body: { source } }),
        ];
        const leaks = occurrences(attemptsR2.map((r) => r.text).join(""), ["alphaorder1", ...A_DATA]).count;
        const ok = attemptsR2.every((r) => r.status === 400 && r.text.includes("inbox")) && leaks === 0;
        recordCase({
          suite: SUITE,
          name: `r2 key outside the inbox: ${climb}`,
          expected: "400 on config, preview and run override, naming the inbox",
          asExpected: ok,
          crossTenantLeaks: leaks,
        });
        expect(attemptsR2.map((r) => `${r.status} ${r.text.includes("inbox")}`)).toEqual(
          Array(3).fill("400 true"),
        );
      }
      const runsB = await apiB.call<{ items: unknown[] }>("GET", `/v1/imports/${importB}/runs`);
      expect(runsB.body.items).toEqual([]);
    });
  });

  describe("secrets never come back", () => {
    it("keeps every source secret out of answers, issues, logs and the stored rows", async () => {
      const files = { orders: serveFile(sshd, "orders.csv", alphaOrders()) };
      const urlSource = (path: string, port?: number) => ({
        type: "url",
        url: port ? `http://127.0.0.1:${port}${path}` : `${web.url}${path}`,
        headers: { Authorization: `Bearer ${CANARY.header}`, "X-Api-Token": CANARY.header2 },
      });
      const sources: [string, string, string, Record<string, unknown>][] = [
        ["url accepted", "orders", "velocidi_csv", urlSource("/secret-orders.csv")],
        ["url refused", "orders", "velocidi_csv", urlSource("/refused.csv")],
        ["url unreachable", "orders", "velocidi_csv", urlSource("/x.csv", 1)],
        [
          "s3 wrong secret",
          "orders",
          "velocidi_csv",
          {
            type: "s3",
            bucket: "exports",
            key: "orders.csv",
            region: "eu-west-1",
            endpoint: s3.url,
            accessKeyId: "AKIDSECURITY",
            secretAccessKey: CANARY.s3,
          },
        ],
        [
          "s3 unreachable",
          "orders",
          "velocidi_csv",
          {
            type: "s3",
            bucket: "exports",
            key: "orders.csv",
            endpoint: "http://127.0.0.1:1",
            accessKeyId: "AKIDSECURITY",
            secretAccessKey: CANARY.s3,
          },
        ],
        [
          "sftp wrong password",
          "orders",
          "velocidi_csv",
          {
            type: "sftp",
            host: sshd.host,
            port: sshd.port,
            username: SFTP_USER,
            password: CANARY.password,
            path: files.orders,
          },
        ],
        [
          "sftp unreadable private key",
          "orders",
          "velocidi_csv",
          {
            type: "sftp",
            host: sshd.host,
            port: sshd.port,
            username: SFTP_USER,
            privateKey: CANARY.privateKey,
            path: files.orders,
          },
        ],
        [
          "sftp unreachable",
          "orders",
          "velocidi_csv",
          {
            type: "sftp",
            host: "127.0.0.1",
            port: 1,
            username: SFTP_USER,
            password: CANARY.password,
            path: "/x",
          },
        ],
        ["egoi wrong key", "customers", "egoi_contacts", { type: "egoi", apiKey: CANARY.egoi, listId: 321 }],
      ];
      s3.put("exports", "orders.csv", alphaOrders());

      const outcomes: string[] = [];
      const made: { importId: string; runId: string }[] = [];
      for (const [what, type, format, source] of sources) {
        await rec.call("POST", "/v1/imports/preview", {
          key: KEY_A,
          body: { config: { type, format, source }, limit: 5 },
        });
        const created = await rec.call("POST", "/v1/imports", {
          key: KEY_A,
          body: { name: `Secret ${what}`, type, format, source },
        });
        expect(created.status, `${what}: ${created.text}`).toBe(201);
        const id = (created.body as { id: string }).id;
        const shown = await rec.call("GET", `/v1/imports/${id}`, { key: KEY_A });
        const masked = (shown.body as { source: Record<string, unknown> }).source;
        await rec.call("PATCH", `/v1/imports/${id}`, {
          key: KEY_A,
          body: { name: `Secret ${what} (renamed)` },
        });
        const patched = await rec.call("PATCH", `/v1/imports/${id}`, {
          key: KEY_A,
          body: { source: masked },
        });
        expect(patched.status, `${what}: ${patched.text}`).toBe(200);
        const started = await rec.call("POST", `/v1/imports/${id}/runs`, { key: KEY_A, body: {} });
        expect(started.status, `${what}: ${started.text}`).toBe(202);
        const runId = (started.body as { id: string }).id;
        const run = await apiA.waitForRun(runId);
        made.push({ importId: id, runId });
        outcomes.push(`${what}: ${run.status}${run.error ? ` (${run.error.code})` : ""}`);
        await rec.call("GET", `/v1/runs/${runId}`, { key: KEY_A });
        await rec.call("GET", `/v1/imports/${id}/runs`, { key: KEY_A });
        await rec.call("GET", `/v1/runs/${runId}/issues`, { key: KEY_A });
        await rec.call("GET", `/v1/runs/${runId}/issues?format=csv`, { key: KEY_A });
        const clone = await rec.call("POST", `/v1/runs/${runId}/clone`, {
          key: KEY_A,
          body: { dryRun: true },
        });
        if (clone.status === 202) {
          const cloned = await apiA.waitForRun((clone.body as { id: string }).id);
          await rec.call("GET", `/v1/runs/${cloned.id}`, { key: KEY_A });
        }
        if (what === "url accepted") expect(run.status).toBe("completed");
        else {
          expect(run.status, `${what}: ${JSON.stringify(run.error)}`).toBe("failed");
          expect(run.error?.message.length).toBeGreaterThan(10);
        }
      }
      await rec.call("GET", "/v1/imports?limit=100", { key: KEY_A });

      // The dashboard's pages of the same imports and runs: the list, the edit wizard (which
      // shows the source), the run page, its status and its issues download.
      const session = await rec.signIn(KEY_A);
      expect((await rec.page("/", session)).status).toBe(200);
      for (const { importId, runId } of made) {
        expect((await rec.page(`/imports/${importId}/edit`, session)).status).toBe(200);
        expect((await rec.page(`/runs/${runId}`, session)).status).toBe(200);
        await rec.page(`/runs/${runId}/status.json`, session);
        await rec.page(`/runs/${runId}/issues.csv`, session);
      }

      // The stored secrets were used: the server saw the header on both runs of the accepted
      // source (the second after a PATCH that sent "***" back), and the clone's.
      const withHeader = web.requests.filter((r) => r.headers.authorization === `Bearer ${CANARY.header}`);
      expect(withHeader.length).toBeGreaterThanOrEqual(3);
      expect(egoi.state.requests.length).toBeGreaterThan(0);

      // Bad configs carrying secrets: the 400 names the bad field, never the secret.
      const invalid: Record<string, unknown>[] = [
        { type: "url", url: "not a url", headers: { Authorization: CANARY.header } },
        { type: "s3", bucket: "", key: "k", accessKeyId: "a", secretAccessKey: CANARY.s3 },
        { type: "sftp", host: "h", username: "u", password: CANARY.password },
        { type: "sftp", host: "h", username: "u", privateKey: CANARY.privateKey, path: 7 },
        { type: "egoi", apiKey: CANARY.egoi, listId: "a list" },
      ];
      for (const source of invalid) {
        const res = await rec.call("POST", "/v1/imports", {
          key: KEY_A,
          body: { name: "Bad", type: "orders", format: "velocidi_csv", source },
        });
        expect(res.status, res.text).toBe(400);
      }

      // The logs are really captured: a Worker's own console line is in them.
      await stack.server.getWorker(WORKER_NAMES.configApi).scheduled({ cron: SCHEDULE_CRON });
      const workerLogs = () => JSON.stringify(stack.server.getLogs());
      await expect.poll(() => workerLogs().includes("scheduled imports:"), { timeout: 10_000 }).toBe(true);
      stack.server.debug();
      const logs = `${workerLogs()}\n${capture.text()}`;
      expect(capture.text()).toContain("scheduled imports:");

      const env = await stack.server.getWorker(WORKER_NAMES.configApi).getEnv();
      const db = env.CONFIG_DB as D1Like;
      const rows: unknown[] = [];
      const tables = await db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
        )
        .all();
      const names = (tables.results as { name: string }[]).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["imports", "runs"]));
      for (const table of names) {
        rows.push((await db.prepare(`SELECT * FROM ${table}`).all()).results);
      }

      const canaries = Object.values(CANARY).flatMap((c) => c.split("\n").filter((l) => l.includes("cnry")));
      const searched: Record<(typeof SECRET_PLACES)[number], string> = {
        "API answers": rec.transcript(),
        logs,
        "stored rows": JSON.stringify(rows),
      };
      const places = SECRET_PLACES.map((where) => [where, searched[where]] as const);
      const hits = places.map(([where, text]) => ({ where, ...occurrences(text, canaries) }));
      for (const hit of hits) {
        recordCase({
          suite: SUITE,
          name: `secrets: none in the ${hit.where}`,
          expected: "no source secret (url headers, S3 secret, SFTP password and key, E-goi key)",
          asExpected: hit.count === 0,
          detail:
            hit.where === "API answers"
              ? `${rec.exchanges.length} answers (API and dashboard); ${outcomes.join(", ")}`
              : `${places.find(([w]) => w === hit.where)?.[1].length} characters searched`,
        });
      }
      expect(hits.filter((h) => h.count > 0)).toEqual([]);
      // The searches see what they should: what is not secret is there to be found.
      expect(rec.transcript()).toContain("AKIDSECURITY");
      expect(rec.transcript()).toContain(SFTP_USER);
      expect(JSON.stringify(rows)).toContain("Secret url accepted");
      expect(rec.exchanges.length).toBeGreaterThan(60);
    });
  });

  describe("issues CSV download", () => {
    it("neutralises cells a spreadsheet would run as formulas", async () => {
      const payloads = [
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
      ];
      const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
      const csv = [
        "email,orders_count",
        ...payloads.map((p, i) => `c${i}@tenant-a.example,${quote(p)}`),
        `${quote("=2+5@tenant-a.example")},seven`,
        "",
      ].join("\n");
      const key = await apiA.upload("formulas.csv", csv);
      const importId = await apiA.createImport({
        name: "Formulas",
        type: "customers",
        format: "csv",
        source: { type: "upload", key },
        options: { userIdField: "email", userIdType: "email" },
        transformations: [
          {
            op: "rename",
            from: "orders_count",
            to: "completedOrders",
            values: [{ type: "cast", to: "integer" }],
          },
        ],
      });
      const run = await apiA.run(importId);
      expect(run.status).toBe("completed");
      const issues = await apiA.issues(run.id);
      const download = await rec.call("GET", `/v1/runs/${run.id}/issues?format=csv`, { key: KEY_A });
      expect(download.status).toBe(200);
      expect(download.headers["content-type"]).toMatch(/text\/csv/);
      const [header, ...lines] = parseCsv(download.text);
      expect(header).toEqual(["row", "item", "field", "code", "severity", "message", "value", "column"]);
      expect(lines).toHaveLength(issues.length);
      expect(issues.map((i) => i.item)).toContain("=2+5@tenant-a.example");
      const dangerous = lines.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell));
      const values = lines.map((l) => l[6]);
      const missing = payloads.filter((p) => !values.includes(`'${p}`));
      recordCase({
        suite: SUITE,
        name: "issues CSV: formula cells (= + - @ tab CR)",
        expected: "every such cell starts with an apostrophe",
        asExpected: dangerous.length === 0 && missing.length === 0,
        detail: `${lines.length} issue lines`,
      });
      expect(dangerous).toEqual([]);
      expect(missing).toEqual([]);
      // The JSON keeps the values as they were in the file.
      expect(issues.map((i) => i.value)).toEqual(expect.arrayContaining(payloads));
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Stack 2: private sources refused, as deployed.
// ---------------------------------------------------------------------------------------------
describe("server-side request forgery, with private sources refused", () => {
  let stack: Stack;
  let api: ApiClient;
  let publicImport = "";
  let web: TestServer;

  // The test harness sends the Workers' outbound requests through this process's fetch, which
  // follows redirects whatever the Worker asked for; workerd honours `redirect: "manual"`. For
  // the redirecting test server, answers go back to the Worker as the server gave them.
  const nodeFetch = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = (input, init) => {
      const outbound = typeof input === "string" && init !== undefined && "redirect" in init;
      if (outbound && web && new URL(input).port === String(web.port)) {
        const manual = new Proxy(init, {
          get: (target, name) => (name === "redirect" ? "manual" : Reflect.get(target, name)),
        });
        return nodeFetch(input, manual);
      }
      return nodeFetch(input, init);
    };
  });
  afterAll(() => {
    globalThis.fetch = nodeFetch;
  });

  beforeAll(async () => {
    const vars = Object.fromEntries(
      Object.keys(APPS_BY_NAME).map((app) => [app, { ALLOW_PRIVATE_SOURCES: "false" }]),
    );
    [stack, web] = await Promise.all([
      startStack({ vars }),
      startServer((req, res) => {
        const port = (req.socket.localPort ?? 0).toString();
        if (req.url === "/to-loopback")
          res.writeHead(302, { location: `http://127.0.0.1:${port}/private.csv` }).end();
        else if (req.url === "/to-metadata")
          res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" }).end();
        else res.writeHead(200, { "content-type": "text/csv" }).end(alphaOrders());
      }, "0.0.0.0"),
    ]);
    await stack.createTenant(TENANT_A, KEY_A);
    api = new ApiClient(stack.url, KEY_A);
    publicImport = await api.createImport({
      name: "Public orders",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "url", url: "https://files.shop.example/orders.csv" },
    });
  });
  afterAll(async () => {
    await Promise.all([stack?.close(), web?.close()]);
  });

  const inUrl = (host: string) => (host.includes(":") ? `[${host}]` : host);
  const sourceFor = (type: string, host: string): Record<string, unknown> =>
    type === "url"
      ? { type: "url", url: `http://${inUrl(host)}/orders.csv` }
      : type === "s3"
        ? {
            type: "s3",
            bucket: "b",
            key: "orders.csv",
            endpoint: `http://${inUrl(host)}:9000`,
            accessKeyId: "AKID",
            secretAccessKey: "s",
          }
        : { type: "sftp", host, username: "u", password: "p", path: "/orders.csv" };

  describe.each(SOURCE_TYPES)("%s sources", (type) => {
    it.each(HOSTS)(
      "refuses %s (%s) at config time, in a preview, a run override and a PATCH",
      async (label, host) => {
        const source = sourceFor(type, host);
        const config = { type: "orders", format: "velocidi_csv", source };
        const attempts = [
          await api.call("POST", "/v1/imports", { name: "Inside", ...config }),
          await api.call("POST", "/v1/imports/preview", { config }),
          await api.call("POST", `/v1/imports/${publicImport}/runs`, { source }),
          await api.call("PATCH", `/v1/imports/${publicImport}`, { source }),
        ];
        const refused = attempts.filter(
          (r) =>
            r.status === 400 &&
            (r.body as { error?: { code?: string } }).error?.code === "unsafe_source" &&
            / cannot be used: .*Sources must be reachable on the public internet\./.test(
              (r.body as { error: { message: string } }).error.message,
            ),
        );
        recordCase({
          suite: SUITE,
          name: `SSRF: ${type} source to ${label} (${host})`,
          expected: "400 unsafe_source on create, preview, run override and PATCH",
          asExpected: refused.length === attempts.length,
        });
        expect(attempts.filter((r) => !refused.includes(r)).map((r) => `${r.status} ${r.text}`)).toEqual([]);
      },
    );
  });

  it("keeps the import that a refused PATCH or run override named unchanged, with no run", async () => {
    const shown = await api.call<{ source: { url: string } }>("GET", `/v1/imports/${publicImport}`);
    expect(shown.body.source.url).toBe("https://files.shop.example/orders.csv");
    const runs = await api.call<{ items: unknown[] }>("GET", `/v1/imports/${publicImport}/runs`);
    expect(runs.body.items).toEqual([]);
  });

  it.each(REDIRECTS)(
    "stops a redirect from an allowed server to %s, in a run and in a preview",
    async (label, path, target) => {
      // The machine's own name passes the config-time check (it is no literal private address);
      // the server behind it answers with a redirect to a private address.
      const url = `http://${hostname()}:${web.port}${path}`;
      const importId = await api.createImport({
        name: "Redirected",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "url", url },
      });
      const run = await api.run(importId);
      const preview = await api.call<{ error: { code: string; message: string } }>(
        "POST",
        "/v1/imports/preview",
        {
          config: { type: "orders", format: "velocidi_csv", source: { type: "url", url } },
        },
      );
      const asked = web.requests.filter((r) => r.path === path).length;
      const leaked = web.requests.filter((r) => r.path === "/private.csv").length;
      const ok =
        run.status === "failed" &&
        run.error?.code === "source_refused" &&
        run.error.message.includes(target) &&
        preview.status === 422 &&
        preview.body.error.message.includes(target) &&
        asked >= 2 &&
        leaked === 0;
      recordCase({
        suite: SUITE,
        name: `SSRF: url redirected to ${label}`,
        expected:
          "the run fails source_refused naming the address; the preview answers 422; nothing private is fetched",
        asExpected: ok,
      });
      expect(
        asked,
        `the test server was not reached as ${hostname()}: that name must resolve to this machine`,
      ).toBeGreaterThanOrEqual(2);
      expect(run.error).toMatchObject({ code: "source_refused", message: expect.stringContaining(target) });
      expect(preview.status).toBe(422);
      expect(preview.body.error.message).toContain(target);
      expect(leaked).toBe(0);
    },
  );
});

/** Distinctive secret values: none of them may appear anywhere a user or an operator can read. */
const CANARY = {
  header: "cnry-hdr-5b1e9c0d7a",
  header2: "cnry-hdr2-81f0aa2e4c",
  s3: "cnry-s3secret-0a7d41b9e2",
  password: "cnry-sftppass-93cc20f1d6",
  privateKey: [
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "cnry-sftpkey-44f1ab7e0c9d2b5a1f3e6c8d0a2b4c6e8f0a1b3c5d7e9f",
    "-----END OPENSSH PRIVATE KEY-----",
    "",
  ].join("\n"),
  egoi: "cnry-egoikey-7e21d5c3b8",
};

interface R2Like {
  get(key: string): Promise<unknown>;
  list(options: { prefix: string; cursor?: string }): Promise<{
    objects: { key: string }[];
    truncated: boolean;
    cursor?: string;
  }>;
}
interface D1Like {
  prepare(sql: string): { all(): Promise<{ results: unknown[] }> };
}
