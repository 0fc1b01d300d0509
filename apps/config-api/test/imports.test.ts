import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, ordersImport, seedTenants, TENANTS, upload, urlImport } from "./support/api";

interface ImportBody {
  id: string;
  name: string;
  source: Record<string, unknown>;
  schedule: { everyDays: number; nextRunAt: string | null; consecutiveFailures: number } | null;
  createdAt: string;
  updatedAt: string;
}

beforeAll(seedTenants);

describe("POST /v1/uploads", () => {
  it("issues a signed PUT URL on the API's origin that expires", async () => {
    const res = await call<{ key: string; uploadUrl: string; method: string; expiresAt: string }>(
      "POST",
      "/v1/uploads",
      {
        body: { filename: "../../etc/Orders 2026.csv" },
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.method).toBe("PUT");
    expect(res.body.key).toMatch(/^up_[0-9a-z]+\/Orders 2026\.csv$/);
    const url = new URL(res.body.uploadUrl);
    expect(url.origin).toBe("http://api.test");
    expect(url.pathname.startsWith("/uploads/")).toBe(true);
    expect(url.searchParams.get("sig")).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("refuses a body without a filename", async () => {
    const res = await call("POST", "/v1/uploads", { body: {} });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "validation_failed", details: [{ path: "filename" }] } });
  });
});

describe("imports", () => {
  it("creates, reads, lists, updates and deletes an import", async () => {
    const key = await upload();
    const created = await call<ImportBody>("POST", "/v1/imports", {
      body: ordersImport(key, { schedule: { everyDays: 1, startAt: "2026-12-01T02:00:00Z" } }),
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^imp_/);
    expect(created.body).toMatchObject({
      name: "Historic orders",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
      options: { hashUserIds: true },
      transformations: [],
      schedule: { everyDays: 1, startAt: "2026-12-01T02:00:00Z", enabled: true, consecutiveFailures: 0 },
    });
    expect(created.body.schedule?.nextRunAt).toMatch(/T02:00:00.000Z$/);

    const got = await call<ImportBody>("GET", `/v1/imports/${created.body.id}`);
    expect(got.body).toEqual(created.body);

    const list = await call<{ items: ImportBody[]; nextCursor: string | null }>("GET", "/v1/imports");
    expect(list.body.items.map((i) => i.id)).toContain(created.body.id);

    const patched = await call<ImportBody>("PATCH", `/v1/imports/${created.body.id}`, {
      body: { name: "Renamed", schedule: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "Renamed", schedule: null, format: "velocidi_csv" });

    const deleted = await call("DELETE", `/v1/imports/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect((await call("GET", `/v1/imports/${created.body.id}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/imports/${created.body.id}`)).status).toBe(404);
  });

  it("pages the list with a cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await call<ImportBody>("POST", "/v1/imports", {
            key: TENANTS.globex.key,
            body: ordersImport(await upload("a.csv", TENANTS.globex.key)),
          })
        ).body.id,
      );
    }
    const first = await call<{ items: ImportBody[]; nextCursor: string | null }>(
      "GET",
      "/v1/imports?limit=2",
      { key: TENANTS.globex.key },
    );
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await call<{ items: ImportBody[]; nextCursor: string | null }>(
      "GET",
      `/v1/imports?limit=2&cursor=${first.body.nextCursor}`,
      { key: TENANTS.globex.key },
    );
    const all = [...first.body.items, ...second.body.items].map((i) => i.id);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(second.body.nextCursor).toBeNull();
  });

  it("names the formats of the type when the format is unknown", async () => {
    const key = await upload();
    const wrongForType = await call("POST", "/v1/imports", { body: ordersImport(key, { format: "csv" }) });
    expect(wrongForType.status).toBe(400);
    expect(wrongForType.body).toMatchObject({ error: { code: "unknown_format" } });
    expect(JSON.stringify(wrongForType.body)).toContain("velocidi_csv, shopify_csv");

    const unknown = await call("POST", "/v1/imports", { body: ordersImport(key, { format: "xml" }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: "unknown_format" } });
    expect(JSON.stringify(unknown.body)).toContain("google_rss");
  });

  it("refuses at creation what could never run", async () => {
    const key = await upload();
    const cases: [unknown, string, string][] = [
      [
        ordersImport(key, { schedule: { everyDays: 0, startAt: "2026-12-01T02:00:00Z" } }),
        "validation_failed",
        "schedule.everyDays",
      ],
      [
        {
          name: "E-goi",
          type: "customers",
          format: "egoi_contacts",
          source: { type: "egoi", apiKey: "k", listId: 3 },
          transformations: [{ op: "delete", field: "x" }],
        },
        "validation_failed",
        "transformations",
      ],
      [ordersImport("up_someone_else/x.csv"), "upload_not_found", "source.key"],
      [
        urlImport({ source: { type: "url", url: "http://169.254.169.254/latest/meta-data" } }),
        "unsafe_source",
        "source.url",
      ],
      [
        urlImport({ source: { type: "url", url: "ftp://example.com/a.csv" } }),
        "validation_failed",
        "source.url",
      ],
      [urlImport({ options: { userIdType: "email" } }), "validation_failed", "options.userIdField"],
      [{ ...ordersImport(key), name: "" }, "validation_failed", "name"],
    ];
    for (const [body, code, path] of cases) {
      const res = await call<{ error: { code: string; details: { path: string }[] } }>(
        "POST",
        "/v1/imports",
        { body },
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.details.map((d) => d.path)).toContain(path);
    }
    const count = await env.CONFIG_DB.prepare(
      "SELECT COUNT(*) AS n FROM imports WHERE name = 'E-goi'",
    ).first();
    expect(count).toEqual({ n: 0 });
  });

  it("refuses an upload key of another tenant", async () => {
    const theirs = await upload("theirs.csv", TENANTS.globex.key);
    const res = await call("POST", "/v1/imports", { body: ordersImport(theirs) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "upload_not_found" } });
  });
});

describe("secrets in sources", () => {
  it("stores them encrypted and shows them as ***", async () => {
    const created = await call<ImportBody>("POST", "/v1/imports", { body: urlImport() });
    expect(created.status).toBe(201);
    expect(created.body.source).toEqual({
      type: "url",
      url: "https://exports.example.com/customers.csv",
      headers: { Authorization: "***" },
    });
    const row = await env.CONFIG_DB.prepare("SELECT config FROM imports WHERE id = ?")
      .bind(created.body.id)
      .first<{ config: string }>();
    expect(row?.config).not.toContain("s3cr3t-header");
    expect(row?.config).toMatch(/enc:v2:k1:/);
  });

  it("keeps the stored secret when a PATCH sends *** back, and replaces it when a new one is sent", async () => {
    const created = await call<ImportBody>("POST", "/v1/imports", { body: urlImport() });
    const stored = async () =>
      (
        await env.CONFIG_DB.prepare("SELECT config FROM imports WHERE id = ?")
          .bind(created.body.id)
          .first<{ config: string }>()
      )?.config;
    const before = await stored();
    const kept = await call<ImportBody>("PATCH", `/v1/imports/${created.body.id}`, {
      body: { source: { ...created.body.source, url: "https://exports.example.com/v2.csv" } },
    });
    expect(kept.status).toBe(200);
    const after = JSON.parse((await stored()) ?? "{}");
    expect(after.source.url).toBe("https://exports.example.com/v2.csv");
    expect(after.source.headers.Authorization).toBe(JSON.parse(before ?? "{}").source.headers.Authorization);

    const replaced = await call<ImportBody>("PATCH", `/v1/imports/${created.body.id}`, {
      body: {
        source: {
          type: "url",
          url: "https://exports.example.com/v2.csv",
          headers: { Authorization: "new-secret" },
        },
      },
    });
    expect(replaced.body.source).toMatchObject({ headers: { Authorization: "***" } });
    expect(await stored()).not.toContain("new-secret");
    expect(JSON.parse((await stored()) ?? "{}").source.headers.Authorization).not.toBe(
      after.source.headers.Authorization,
    );
  });

  it("asks for the secrets again when a PATCH points the source elsewhere", async () => {
    const storedConfig = async (id: string) =>
      (
        await env.CONFIG_DB.prepare("SELECT config FROM imports WHERE id = ?")
          .bind(id)
          .first<{ config: string }>()
      )?.config;
    const url = await call<ImportBody>("POST", "/v1/imports", { body: urlImport() });
    const before = await storedConfig(url.body.id);
    const moved = await call("PATCH", `/v1/imports/${url.body.id}`, {
      body: { source: { ...url.body.source, url: "https://collector.example.net/customers.csv" } },
    });
    expect(moved.status).toBe(400);
    expect(moved.body).toMatchObject({
      error: { code: "validation_failed", details: [{ path: "source.headers.Authorization" }] },
    });
    expect(await storedConfig(url.body.id)).toBe(before);

    const sftp = {
      type: "sftp",
      host: "sftp.example.com",
      username: "exports",
      password: "sftp-password-value",
      path: "/a.csv",
    };
    const created = await call<ImportBody>("POST", "/v1/imports", { body: urlImport({ source: sftp }) });
    const patch = (source: Record<string, unknown>) =>
      call("PATCH", `/v1/imports/${created.body.id}`, { body: { source } });
    const masked = { ...sftp, password: "***" };
    for (const elsewhere of [
      { ...masked, host: "sftp.collector.example.net" },
      { ...masked, port: 2222 },
      { ...masked, username: "someone-else" },
    ]) {
      expect((await patch(elsewhere)).body).toMatchObject({
        error: { code: "validation_failed", details: [{ path: "source.password" }] },
      });
    }
    expect(
      (await patch({ type: "url", url: "https://exports.example.com/a.csv", headers: { A: "***" } })).status,
    ).toBe(400);
    // The same server and user keep the stored password; a new one is accepted anywhere.
    expect((await patch({ ...masked, path: "/b.csv" })).status).toBe(200);
    expect((await patch({ ...sftp, host: "sftp.collector.example.net" })).status).toBe(200);
  });

  it("refuses a secret sent in its stored, encrypted form", async () => {
    const created = await call<ImportBody>("POST", "/v1/imports", { body: urlImport() });
    const row = await env.CONFIG_DB.prepare("SELECT config FROM imports WHERE id = ?")
      .bind(created.body.id)
      .first<{ config: string }>();
    const sealed = JSON.parse(row?.config ?? "{}").source.headers.Authorization as string;
    expect(sealed).toMatch(/^enc:v2:/);
    const replay = { type: "url", url: "https://collector.example.net/x.csv", headers: { "X-Echo": sealed } };
    const refused = { error: { code: "validation_failed", details: [{ path: "source.headers.X-Echo" }] } };
    const answers = [
      await call("POST", "/v1/imports", { body: urlImport({ source: replay }) }),
      await call("PATCH", `/v1/imports/${created.body.id}`, { body: { source: replay } }),
      await call("POST", "/v1/imports/preview", { body: { config: urlImport({ source: replay }) } }),
      await call("POST", `/v1/imports/${created.body.id}/runs`, { body: { source: replay } }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject(refused);
    }
  });

  it("refuses credentials inside a URL, and S3 bucket or region names that are not names", async () => {
    const inUrl = await call("POST", "/v1/imports", {
      body: urlImport({ source: { type: "url", url: "https://user:pass@exports.example.com/c.csv" } }),
    });
    expect(inUrl.status).toBe(400);
    expect(inUrl.body).toMatchObject({ error: { details: [{ path: "source.url" }] } });
    expect(inUrl.text).not.toContain("pass@");
    const s3 = { type: "s3", bucket: "exports", key: "k.csv", accessKeyId: "AKIA", secretAccessKey: "s" };
    for (const [field, value] of [
      ["bucket", "2130706433:8443#"],
      ["bucket", "a/b"],
      ["region", "x@169.254.169.254/#"],
      ["region", "eu-west-1.evil.example/"],
    ]) {
      const res = await call("POST", "/v1/imports/preview", {
        body: { config: urlImport({ source: { ...s3, [field as string]: value } }) },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: { code: "validation_failed", details: [{ path: `source.${field}` }] },
      });
    }
  });

  it("masks every secret field of every source type", async () => {
    const sources = [
      { type: "s3", bucket: "b", key: "k.csv", accessKeyId: "AKIA", secretAccessKey: "s3-secret-value" },
      {
        type: "sftp",
        host: "sftp.example.com",
        username: "u",
        password: "sftp-password-value",
        path: "/x.csv",
      },
      {
        type: "sftp",
        host: "sftp.example.com",
        username: "u",
        privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nBEGIN KEY\n-----END OPENSSH PRIVATE KEY-----",
        path: "/x.csv",
      },
    ];
    for (const source of sources) {
      const res = await call<ImportBody>("POST", "/v1/imports", { body: urlImport({ source }) });
      expect(res.status).toBe(201);
      expect(res.text).not.toMatch(/s3-secret-value|sftp-password-value|BEGIN KEY/);
      expect(Object.values(res.body.source)).toContain("***");
    }
    const egoi = await call<ImportBody>("POST", "/v1/imports", {
      body: {
        name: "E-goi",
        type: "customers",
        format: "egoi_contacts",
        source: { type: "egoi", apiKey: "egoi-api-key-value", listId: 1 },
      },
    });
    expect(egoi.body.source).toEqual({ type: "egoi", apiKey: "***", listId: 1 });
    const list = await call("GET", "/v1/imports?limit=100");
    expect(list.text).not.toMatch(
      /s3-secret-value|sftp-password-value|BEGIN KEY|egoi-api-key-value|s3cr3t-header/,
    );
  });
});
