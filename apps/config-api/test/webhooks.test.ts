import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, ordersImport, seedTenants, TENANTS, upload } from "./support/api";

interface WebhookBody {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  secret?: string;
}

beforeAll(seedTenants);

const URL_OK = "https://hooks.example.com/cdp";

async function createWebhook(body: Record<string, unknown> = {}, key: string = TENANTS.acme.key) {
  const res = await call<WebhookBody>("POST", "/v1/webhooks", {
    key,
    body: { url: URL_OK, events: ["run.completed", "run.failed"], ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe("webhook endpoints", () => {
  it("creates an endpoint and shows its whsec_ secret once; lists, reads and changes it without the secret", async () => {
    const created = await createWebhook({ description: "alerts" });
    expect(created).toMatchObject({
      url: URL_OK,
      events: ["run.completed", "run.failed"],
      description: "alerts",
      enabled: true,
      disabledReason: null,
      failingSince: null,
    });
    expect(created.id).toMatch(/^wh_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const secret = created.secret ?? "";

    const list = await call<{ items: WebhookBody[] }>("GET", "/v1/webhooks");
    expect(list.body.items.map((w) => w.id)).toContain(created.id);
    const got = await call<WebhookBody>("GET", `/v1/webhooks/${created.id}`);
    expect(got.body).not.toHaveProperty("secret");
    const patched = await call<WebhookBody>("PATCH", `/v1/webhooks/${created.id}`, {
      body: { events: ["run.cancelled"], description: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ events: ["run.cancelled"], description: null, url: URL_OK });
    for (const res of [list, got, patched]) expect(res.text).not.toContain(secret.slice(6));

    // Stored sealed: neither the secret nor its key bytes are readable in the row.
    const row = await env.CONFIG_DB.prepare("SELECT secret FROM webhooks WHERE id = ?")
      .bind(created.id)
      .first<{ secret: string }>();
    expect(row?.secret).toMatch(/^enc:v2:/);
    expect(row?.secret).not.toContain(secret.slice(6));

    expect((await call("DELETE", `/v1/webhooks/${created.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/webhooks/${created.id}`)).status).toBe(404);
  });

  it("rotates the secret: the new one is shown once, and the previous one signs for 24 hours more", async () => {
    const created = await createWebhook();
    const rotated = await call<WebhookBody>("POST", `/v1/webhooks/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    const until = Date.parse(rotated.body.previousSecretExpiresAt ?? "");
    expect(until - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(until - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const got = await call<WebhookBody>("GET", `/v1/webhooks/${created.id}`);
    expect(got.body).not.toHaveProperty("secret");
    expect(got.text).not.toContain(rotated.body.secret?.slice(6));
  });

  it("refuses unknown fields (naming the field meant), empty or repeated events and unknown event types", async () => {
    const typo = await call("POST", "/v1/webhooks", {
      body: { url: URL_OK, events: ["run.failed"], evnets: ["run.failed"] },
    });
    expect(typo.status).toBe(400);
    expect(typo.body).toMatchObject({
      error: {
        code: "unknown_field",
        message:
          'The request has a field this API does not know: "evnets" (did you mean "events"?). Unknown fields are refused, not ignored.',
        details: [{ path: "evnets", suggestion: "events" }],
      },
    });
    const created = await createWebhook();
    const patchTypo = await call("PATCH", `/v1/webhooks/${created.id}`, { body: { Enabled: true } });
    expect(patchTypo.body).toMatchObject({
      error: { code: "unknown_field", details: [{ path: "Enabled" }] },
    });
    const testTypo = await call("POST", `/v1/webhooks/${created.id}/test`, { body: { dryRun: true } });
    expect(testTypo.body).toMatchObject({ error: { code: "unknown_field", details: [{ path: "dryRun" }] } });
    const queryTypo = await call("GET", "/v1/webhooks?limt=5");
    expect(queryTypo.status).toBe(400);
    expect(queryTypo.body).toMatchObject({
      error: { code: "unknown_field", details: [{ suggestion: "limit" }] },
    });
    for (const events of [[], ["run.failed", "run.failed"], ["run.started"], ["test"]]) {
      const res = await call("POST", "/v1/webhooks", { body: { url: URL_OK, events } });
      expect(res.status, JSON.stringify(events)).toBe(400);
      expect(res.body).toMatchObject({
        error: { code: "validation_failed", details: [{ path: expect.stringMatching(/^events/) }] },
      });
    }
    const missing = await call("POST", "/v1/webhooks", { body: { events: ["run.failed"] } });
    expect(missing.body).toMatchObject({ error: { details: [{ path: "url" }] } });
  });

  it("refuses URLs in private, loopback, link-local and metadata address space, http, and credentials in the URL", async () => {
    const refused: [string, RegExp][] = [
      ["https://127.0.0.1/hook", /private, loopback/],
      ["https://10.1.2.3/hook", /private/],
      ["https://192.168.0.10:8443/hook", /private/],
      ["https://169.254.169.254/latest/meta-data", /link-local/],
      ["https://metadata.google.internal/", /local or internal name/],
      ["https://localhost/hook", /local or internal name/],
      ["https://[::1]/hook", /loopback/],
      ["https://[::ffff:10.0.0.1]/hook", /private/],
      ["https://2130706433/hook", /127.0.0.1 is a private, loopback/],
      ["http://hooks.example.com/cdp", /must be an https URL/],
      ["https://user:pass@hooks.example.com/cdp", /user name or password/],
    ];
    for (const [url, reason] of refused) {
      const res = await call<{ error: { code: string; message: string } }>("POST", "/v1/webhooks", {
        body: { url, events: ["run.failed"] },
      });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe("unsafe_webhook_url");
      expect(res.body.error.message, url).toMatch(reason);
    }
    const created = await createWebhook();
    const patch = await call("PATCH", `/v1/webhooks/${created.id}`, { body: { url: "https://10.0.0.1/x" } });
    expect(patch.body).toMatchObject({ error: { code: "unsafe_webhook_url" } });
    expect((await call<WebhookBody>("GET", `/v1/webhooks/${created.id}`)).body.url).toBe(URL_OK);
  });

  it("queues a test event and resends an event the endpoint had; a disabled endpoint is enabled first", async () => {
    const created = await createWebhook();
    const test = await call<{ eventId: string; type: string; status: string }>(
      "POST",
      `/v1/webhooks/${created.id}/test`,
    );
    expect(test.status).toBe(202);
    expect(test.body).toMatchObject({ type: "test", status: "queued", webhookId: created.id });
    const event = await env.CONFIG_DB.prepare("SELECT type, payload FROM webhook_events WHERE id = ?")
      .bind(test.body.eventId)
      .first<{ type: string; payload: string }>();
    expect(event?.type).toBe("test");
    expect(JSON.parse(event?.payload ?? "{}")).toMatchObject({ id: test.body.eventId, type: "test" });

    const resent = await call("POST", `/v1/webhooks/${created.id}/resend`, {
      body: { eventId: test.body.eventId },
    });
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ eventId: test.body.eventId, type: "test" });
    const unknown = await call("POST", `/v1/webhooks/${created.id}/resend`, {
      body: { eventId: "evt_unknown" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error: { message: `Webhook '${created.id}' has no event 'evt_unknown'.` },
    });
    const typo = await call("POST", `/v1/webhooks/${created.id}/resend`, {
      body: { event_id: test.body.eventId },
    });
    expect(typo.body).toMatchObject({
      error: {
        code: "unknown_field",
        details: expect.arrayContaining([
          { path: "event_id", message: expect.any(String), suggestion: "eventId" },
        ]),
      },
    });

    await call("PATCH", `/v1/webhooks/${created.id}`, { body: { enabled: false } });
    const refused = await call("POST", `/v1/webhooks/${created.id}/test`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: "conflict", message: expect.stringMatching(/enable it/) },
    });
    const enabled = await call<WebhookBody>("PATCH", `/v1/webhooks/${created.id}`, {
      body: { enabled: true },
    });
    expect(enabled.body.enabled).toBe(true);
    expect((await call("POST", `/v1/webhooks/${created.id}/test`)).status).toBe(202);
  });

  it("shows an endpoint disabled after failing, and PATCH enabled: true starts it afresh", async () => {
    const created = await createWebhook();
    await env.CONFIG_DB.prepare(
      `UPDATE webhooks SET enabled = 0, failing_since = '2026-01-01T00:00:00.000Z',
         disabled_at = '2026-01-04T00:00:00.000Z', disabled_reason = 'Deliveries failed for 3 days.' WHERE id = ?`,
    )
      .bind(created.id)
      .run();
    const disabled = await call<WebhookBody>("GET", `/v1/webhooks/${created.id}`);
    expect(disabled.body).toMatchObject({
      enabled: false,
      disabledReason: "Deliveries failed for 3 days.",
      failingSince: "2026-01-01T00:00:00.000Z",
    });
    const enabled = await call<WebhookBody>("PATCH", `/v1/webhooks/${created.id}`, {
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });
});

describe("webhooks of another tenant", () => {
  it("are 404 to read, change, rotate, test, resend, list deliveries of and delete, and never listed", async () => {
    const theirs = await createWebhook({}, TENANTS.globex.key);
    const test = await call<{ eventId: string }>("POST", `/v1/webhooks/${theirs.id}/test`, {
      key: TENANTS.globex.key,
    });
    const attempts: [string, string, unknown?][] = [
      ["GET", `/v1/webhooks/${theirs.id}`],
      ["PATCH", `/v1/webhooks/${theirs.id}`, { url: "https://evil.example.com/" }],
      ["POST", `/v1/webhooks/${theirs.id}/rotate-secret`],
      ["POST", `/v1/webhooks/${theirs.id}/test`],
      ["POST", `/v1/webhooks/${theirs.id}/resend`, { eventId: test.body.eventId }],
      // Not even a bad body tells anything of their endpoint.
      ["POST", `/v1/webhooks/${theirs.id}/resend`, {}],
      ["PATCH", `/v1/webhooks/${theirs.id}`, { bogus: true }],
      ["GET", `/v1/webhooks/${theirs.id}/deliveries`],
      ["DELETE", `/v1/webhooks/${theirs.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, path, { body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text).not.toContain(theirs.secret?.slice(6));
    }
    const mine = await call<{ items: WebhookBody[] }>("GET", "/v1/webhooks?limit=1000");
    expect(mine.body.items.map((w) => w.id)).not.toContain(theirs.id);
    const still = await call<WebhookBody>("GET", `/v1/webhooks/${theirs.id}`, { key: TENANTS.globex.key });
    expect(still.body.url).toBe(URL_OK);
  });
});

describe("who started a run", () => {
  it("records the API key's prefix, never the key", async () => {
    const res = await call<{ id: string }>("POST", "/v1/imports", { body: ordersImport(await upload()) });
    const run = await call<{ id: string; startedBy: string }>("POST", `/v1/imports/${res.body.id}/runs`, {
      body: {},
    });
    // key_acme_0123456789 (19 characters): a third of it at most.
    expect(run.body.startedBy).toBe("key:key_ac");
    expect(run.text).not.toContain(TENANTS.acme.key);
    const got = await call<{ startedBy: string }>("GET", `/v1/runs/${run.body.id}`);
    expect(got.body.startedBy).toBe("key:key_ac");
  });
});

describe("the OpenAPI document", () => {
  it("names each webhook operation, its schemas and an example body, and documents the delivery", async () => {
    const doc = (
      await call<{
        paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
        components: { schemas: Record<string, { example?: unknown }> };
        webhooks?: Record<string, unknown>;
      }>("GET", "/v1/openapi.json")
    ).body;
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/webhooks"))
      .flatMap(([, methods]) => Object.values(methods));
    expect(operations.map((o) => o.operationId).sort()).toEqual([
      "createWebhook",
      "deleteWebhook",
      "getWebhook",
      "listWebhookDeliveries",
      "listWebhooks",
      "resendWebhookEvent",
      "rotateWebhookSecret",
      "sendWebhookTestEvent",
      "updateWebhook",
    ]);
    for (const operation of operations) {
      expect(Object.keys(operation.responses).some((status) => status.startsWith("4"))).toBe(true);
    }
    for (const name of [
      "Webhook",
      "WebhookWithSecret",
      "WebhookDelivery",
      "WebhookDeliveryPage",
      "WebhookPage",
    ]) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    expect(doc.components.schemas.WebhookCreate?.example).toMatchObject({
      url: expect.stringMatching(/^https:/),
    });
    expect(doc.webhooks).toHaveProperty("run-ended");
  });
});
