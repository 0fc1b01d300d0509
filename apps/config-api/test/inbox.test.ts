import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_INBOX_KEYS } from "../src/routes/inbox";
import { BASE, call, seedTenants, TENANTS } from "./support/api";

beforeAll(seedTenants);

interface CreatedKey {
  accessKeyId: string;
  secretAccessKey: string;
  endpoint: string;
  bucket: string;
  region: string;
  description: string | null;
  createdAt: string;
}

interface KeyList {
  items: { accessKeyId: string; description: string | null; createdAt: string; lastUsedAt: string | null }[];
}

const createKey = (body?: unknown, key: string = TENANTS.acme.key) =>
  call<CreatedKey>("POST", "/v1/inbox/keys", { key, body });

describe("inbox keys", () => {
  it("are created with their secret shown once, the endpoint, bucket and region", async () => {
    const created = await createKey({ description: "nightly export" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      accessKeyId: expect.stringMatching(/^CDPI[A-Z2-7]{16}$/),
      secretAccessKey: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
      endpoint: `${BASE}/s3`,
      bucket: "inbox",
      region: "auto",
      description: "nightly export",
      createdAt: expect.any(String),
    });

    const listed = await call<KeyList>("GET", "/v1/inbox/keys");
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((k) => k.accessKeyId === created.body.accessKeyId);
    expect(item).toEqual({
      accessKeyId: created.body.accessKeyId,
      description: "nightly export",
      createdAt: created.body.createdAt,
      lastUsedAt: null,
    });
    expect(listed.text).not.toContain(created.body.secretAccessKey);

    // Stored sealed and bound to the tenant: the secret is nowhere in the row.
    const row = await env.CONFIG_DB.prepare("SELECT secret_sealed FROM inbox_keys WHERE access_key_id = ?1")
      .bind(created.body.accessKeyId)
      .first<{ secret_sealed: string }>();
    expect(row?.secret_sealed).toMatch(/^enc:v2:/);
    expect(row?.secret_sealed).not.toContain(created.body.secretAccessKey);
  });

  it("take an empty body, and refuse unknown fields and bad descriptions", async () => {
    const bare = await exports.default.fetch(`${BASE}/v1/inbox/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${TENANTS.acme.key}` },
    });
    expect(bare.status).toBe(201);
    expect(await bare.json()).toMatchObject({ description: null });

    const unknown = await createKey({ descripton: "typo" });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("descripton");
    expect((await createKey({ description: "x".repeat(201) })).status).toBe(400);
    expect((await createKey({ description: "" })).status).toBe(400);
    const query = await call("GET", "/v1/inbox/keys?limit=5");
    expect(query.status).toBe(400);
  });

  it("are revoked by their owner only; another tenant's is a 404", async () => {
    const mine = await createKey({ description: "to revoke" });
    const theirs = await call<unknown>("DELETE", `/v1/inbox/keys/${mine.body.accessKeyId}`, {
      key: TENANTS.globex.key,
    });
    expect(theirs.status).toBe(404);
    expect((await call<KeyList>("GET", "/v1/inbox/keys", { key: TENANTS.globex.key })).body.items).toEqual(
      [],
    );

    const revoked = await call("DELETE", `/v1/inbox/keys/${mine.body.accessKeyId}`);
    expect(revoked.status).toBe(204);
    const listed = await call<KeyList>("GET", "/v1/inbox/keys");
    expect(listed.body.items.map((k) => k.accessKeyId)).not.toContain(mine.body.accessKeyId);
    const again = await call("DELETE", `/v1/inbox/keys/${mine.body.accessKeyId}`);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ error: { code: "not_found" } });
  });

  it(`are at most ${MAX_INBOX_KEYS} per tenant`, async () => {
    const have = (await call<KeyList>("GET", "/v1/inbox/keys", { key: TENANTS.globex.key })).body.items
      .length;
    for (let i = have; i < MAX_INBOX_KEYS; i++)
      expect((await createKey({}, TENANTS.globex.key)).status).toBe(201);
    const over = await createKey({}, TENANTS.globex.key);
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({
      error: { code: "conflict", message: expect.stringContaining("revoke one") },
    });
  });
});

describe("the inbox", () => {
  it("says where the bucket is", async () => {
    const res = await call("GET", "/v1/inbox");
    expect(res.body).toEqual({ endpoint: `${BASE}/s3`, bucket: "inbox", region: "auto" });
  });

  it("lists the newest files of the tenant only, with the runs each started", async () => {
    const put = (tenant: string, key: string) => env.FILES.put(`tenants/${tenant}/inbox/${key}`, "a,b\n");
    await put("acme", "daily/1.csv");
    await put("acme", "daily/2.csv");
    await put("acme", "weekly/3.csv");
    await put("globex", "daily/theirs.csv");
    const files = await call<{ items: { key: string; size: number; runs: unknown[] }[]; complete: boolean }>(
      "GET",
      "/v1/inbox/files?limit=2",
    );
    expect(files.status).toBe(200);
    expect(files.body.complete).toBe(true);
    expect(files.body.items.map((f) => f.key)).toEqual(["weekly/3.csv", "daily/2.csv"]);
    expect(files.body.items[0]).toMatchObject({ size: 4, runs: [] });
    const daily = await call<{ items: { key: string }[] }>("GET", "/v1/inbox/files?prefix=daily/");
    expect(daily.body.items.map((f) => f.key)).toEqual(["daily/2.csv", "daily/1.csv"]);
    expect((await call("GET", "/v1/inbox/files?limt=2")).status).toBe(400);
  });

  it("documents each route with an operation id, a named schema and its refusals", async () => {
    const doc = (await (await exports.default.fetch(`${BASE}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { example?: unknown }> };
    };
    const ops = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/inbox"))
      .flatMap(([, methods]) => Object.values(methods));
    expect(ops.map((op) => op.operationId).sort()).toEqual([
      "createInboxKey",
      "getInbox",
      "listInboxFiles",
      "listInboxKeys",
      "revokeInboxKey",
    ]);
    for (const op of ops)
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["400", "401", "404"]));
    expect(doc.components.schemas.InboxKeyRequest?.example).toEqual({ description: "nightly export" });
    for (const name of [
      "Inbox",
      "InboxKey",
      "InboxKeyCreated",
      "InboxKeyList",
      "InboxFile",
      "InboxFileList",
    ]) {
      expect(doc.components.schemas).toHaveProperty(name);
    }
  });
});

describe("the front door", () => {
  it("sends the S3 endpoint's requests to the s3-inbox Worker, path style and virtual-hosted", async () => {
    const path = await exports.default.fetch(`${BASE}/s3/inbox/daily/a.csv`, { method: "PUT", body: "x" });
    expect(await path.json()).toEqual({
      worker: "cdp-s3-inbox",
      method: "PUT",
      path: "/s3/inbox/daily/a.csv",
    });
    const virtual = await exports.default.fetch("http://inbox.api.test/s3/daily/a.csv");
    expect(await virtual.json()).toMatchObject({ worker: "cdp-s3-inbox", path: "/s3/daily/a.csv" });
    // Paths that only start like it are the dashboard's.
    const other = await exports.default.fetch(`${BASE}/s3x`);
    expect(await other.json()).toMatchObject({ worker: "cdp-dashboard" });
    // A SigV4-signed request is the bucket's wherever its path went ('..' resolved before it came).
    const resolved = await exports.default.fetch(`${BASE}/globex/inbox/x.csv`, {
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=CDPIX/20261120/auto/s3/aws4_request" },
    });
    expect(await resolved.json()).toMatchObject({ worker: "cdp-s3-inbox", path: "/globex/inbox/x.csv" });
    const presigned = await exports.default.fetch(`${BASE}/v1/imports?X-Amz-Credential=x`);
    expect(await presigned.json()).toMatchObject({ worker: "cdp-s3-inbox" });
  });
});
