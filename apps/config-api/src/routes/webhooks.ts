import {
  encryptSecret,
  newId,
  newWebhookSecret,
  QUEUE_BINDINGS,
  RUN_EVENT_TYPES,
  Run,
  RunEventType,
  WebhookEventType,
} from "@cdp/core";
import {
  deleteWebhook,
  getWebhook,
  insertTestEvent,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  queueSends,
  resendEvent,
  rotateWebhookSecret,
  updateWebhook,
} from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { App, AppEnv } from "../app";
import { ApiError } from "../errors";
import { ErrorResponse, errorResponses } from "../schemas";
import {
  checkWebhookUrl,
  PREVIOUS_SECRET_SECONDS,
  presentWebhook,
  testEventPayload,
  webhookNotFound,
} from "../webhooks-service";

const security = [{ apiKey: [] }];
const json = <T>(schema: T) => ({ "application/json": { schema } });
const tags = ["Webhooks"];

const EXAMPLE_ID = "wh_mb2x1k9q0a8f3k2l9xq1zz";
const EXAMPLE_URL = "https://hooks.example.com/cdp-imports";

const conflict = {
  409: {
    description: "The endpoint is disabled: enable it first (PATCH enabled: true).",
    content: json(ErrorResponse),
  },
};

const WebhookUrl = z.string().min(1).max(2048).openapi({
  description: "Where events are sent (POST). https, on the public internet.",
  example: EXAMPLE_URL,
});

const WebhookEvents = z
  .array(RunEventType)
  .min(1)
  .refine((events) => new Set(events).size === events.length, "lists an event twice")
  .openapi({ description: "The events sent to this endpoint.", example: [...RUN_EVENT_TYPES] });

const WebhookDescription = z.string().max(500).openapi({ example: "Tell the data team's alerting" });

const WebhookCreate = z
  .strictObject({ url: WebhookUrl, events: WebhookEvents, description: WebhookDescription.optional() })
  .openapi("WebhookCreate", {
    example: {
      url: EXAMPLE_URL,
      events: ["run.completed", "run.failed"],
      description: "Nightly import alerts",
    },
  });

const WebhookUpdate = z
  .strictObject({
    url: WebhookUrl,
    events: WebhookEvents,
    description: WebhookDescription.nullable(),
    enabled: z.boolean().openapi({
      description: "true enables the endpoint again (also one disabled after failing for 3 days).",
    }),
  })
  .partial()
  .openapi("WebhookUpdate", { example: { enabled: true } });

const Webhook = z
  .object({
    id: z.string().openapi({ example: EXAMPLE_ID }),
    url: z.string().openapi({ example: EXAMPLE_URL }),
    events: z.array(RunEventType),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabledAt: z.string().nullable().openapi({ description: "When the endpoint was disabled." }),
    disabledReason: z
      .string()
      .nullable()
      .openapi({ description: "Why the endpoint was disabled, when it was not disabled by hand." }),
    failingSince: z.string().nullable().openapi({
      description:
        "The first failed delivery since the last successful one; after 3 days the endpoint is disabled.",
    }),
    previousSecretExpiresAt: z.string().nullable().openapi({
      description: "After a rotation, until when the previous secret signs deliveries next to the new one.",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Webhook");

const WebhookWithSecret = Webhook.extend({
  secret: z.string().openapi({
    description: "The signing secret (Standard Webhooks). Shown only in this answer.",
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  }),
}).openapi("WebhookWithSecret");

const WebhookPage = z
  .object({ items: z.array(Webhook), nextCursor: z.string().nullable() })
  .openapi("WebhookPage");

const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: "The event (the webhook-id header of every attempt)." }),
    event: WebhookEventType,
    runId: z.string().nullable(),
    attempt: z
      .number()
      .int()
      .openapi({ description: "1 for the first attempt of the event to this endpoint." }),
    statusCode: z.number().int().nullable().openapi({ description: "null when no answer came." }),
    response: z.string().nullable().openapi({ description: "The first 1 KB of the answer." }),
    error: z.string().nullable().openapi({ description: "Why no answer came, or why it was not accepted." }),
    latencyMs: z.number().int().nullable(),
    at: z.string(),
    outcome: z.enum(["delivered", "retrying", "failed"]),
  })
  .openapi("WebhookDelivery");

const WebhookDeliveryPage = z
  .object({ items: z.array(WebhookDelivery), nextCursor: z.string().nullable() })
  .openapi("WebhookDeliveryPage");

/** Routes that take no fields: a body, if sent, must be empty. */
const NoFields = z.strictObject({}).openapi("NoFields", { example: {} });
const noBody = { required: false, content: json(NoFields) };

const QueuedWebhookEvent = z
  .object({
    eventId: z.string(),
    webhookId: z.string(),
    type: WebhookEventType,
    status: z.literal("queued"),
  })
  .openapi("QueuedWebhookEvent");

const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().optional(),
});

const pathId = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: "path" }, example });
const WebhookIdParam = z.object({ id: pathId("id", EXAMPLE_ID) });

const WebhookResend = z
  .strictObject({
    eventId: z
      .string()
      .min(1)
      .max(100)
      .openapi({ description: "An event this endpoint had, from its delivery log." }),
  })
  .openapi("WebhookResend", { example: { eventId: "evt_0mxc1x3qe8kjvbgqqf289" } });

/**
 * Another tenant's endpoint, or none, is a 404 before the request is read any further: nothing
 * about it shows, not even whether a body would have been valid.
 */
const webhookOfTenant: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = c.req.param("id") ?? "";
  if (!(await getWebhook(c.var.services.db, c.var.tenant.id, id))) throw webhookNotFound(id);
  await next();
};

const createRouteDef = createRoute({
  method: "post",
  path: "/v1/webhooks",
  operationId: "createWebhook",
  tags,
  summary: "Add a webhook endpoint",
  description: "Answers the endpoint with its signing secret, which is shown only here and on rotation.",
  security,
  request: { body: { content: json(WebhookCreate), required: true } },
  responses: {
    201: { description: "The endpoint, with its secret.", content: json(WebhookWithSecret) },
    ...errorResponses,
  },
});

const listRouteDef = createRoute({
  method: "get",
  path: "/v1/webhooks",
  operationId: "listWebhooks",
  tags,
  summary: "List the webhook endpoints",
  security,
  request: { query: PageQuery },
  responses: {
    200: { description: "A page of endpoints, newest first.", content: json(WebhookPage) },
    ...errorResponses,
  },
});

const getRouteDef = createRoute({
  method: "get",
  path: "/v1/webhooks/{id}",
  middleware: [webhookOfTenant] as const,
  operationId: "getWebhook",
  tags,
  summary: "Get a webhook endpoint",
  security,
  request: { params: WebhookIdParam },
  responses: { 200: { description: "The endpoint.", content: json(Webhook) }, ...errorResponses },
});

const updateRouteDef = createRoute({
  method: "patch",
  path: "/v1/webhooks/{id}",
  middleware: [webhookOfTenant] as const,
  operationId: "updateWebhook",
  tags,
  summary: "Change a webhook endpoint, or enable it again",
  security,
  request: { params: WebhookIdParam, body: { content: json(WebhookUpdate), required: true } },
  responses: { 200: { description: "The endpoint.", content: json(Webhook) }, ...errorResponses },
});

const deleteRouteDef = createRoute({
  method: "delete",
  path: "/v1/webhooks/{id}",
  middleware: [webhookOfTenant] as const,
  operationId: "deleteWebhook",
  tags,
  summary: "Delete a webhook endpoint",
  description: "Its delivery log goes with it; events on their way to it are not sent.",
  security,
  request: { params: WebhookIdParam },
  responses: { 204: { description: "Deleted." }, ...errorResponses },
});

const rotateRouteDef = createRoute({
  method: "post",
  path: "/v1/webhooks/{id}/rotate-secret",
  middleware: [webhookOfTenant] as const,
  operationId: "rotateWebhookSecret",
  tags,
  summary: "Give a webhook endpoint a new secret",
  description:
    "Answers the new secret, shown only here. For 24 hours the previous secret signs too: each delivery's webhook-signature carries both signatures.",
  security,
  request: { params: WebhookIdParam, body: noBody },
  responses: {
    200: { description: "The endpoint, with its new secret.", content: json(WebhookWithSecret) },
    ...errorResponses,
  },
});

const testRouteDef = createRoute({
  method: "post",
  path: "/v1/webhooks/{id}/test",
  middleware: [webhookOfTenant] as const,
  operationId: "sendWebhookTestEvent",
  tags,
  summary: "Send a test event to a webhook endpoint",
  description: "Queues a `test` event; its delivery appears in the endpoint's delivery log.",
  security,
  request: { params: WebhookIdParam, body: noBody },
  responses: {
    202: { description: "The queued event.", content: json(QueuedWebhookEvent) },
    ...errorResponses,
    ...conflict,
  },
});

const resendRouteDef = createRoute({
  method: "post",
  path: "/v1/webhooks/{id}/resend",
  middleware: [webhookOfTenant] as const,
  operationId: "resendWebhookEvent",
  tags,
  summary: "Send an event to a webhook endpoint again",
  description:
    "Sends the event this endpoint had (delivered or failed) again, with the same body and the same webhook-id, retried as a new event would be.",
  security,
  request: { params: WebhookIdParam, body: { content: json(WebhookResend), required: true } },
  responses: {
    202: { description: "The queued event.", content: json(QueuedWebhookEvent) },
    ...errorResponses,
    ...conflict,
  },
});

const deliveriesRouteDef = createRoute({
  method: "get",
  path: "/v1/webhooks/{id}/deliveries",
  middleware: [webhookOfTenant] as const,
  operationId: "listWebhookDeliveries",
  tags,
  summary: "The delivery log of a webhook endpoint",
  description: "Every attempt, newest first: its event, the answer's status and first 1 KB, and the latency.",
  security,
  request: { params: WebhookIdParam, query: PageQuery },
  responses: {
    200: { description: "A page of delivery attempts.", content: json(WebhookDeliveryPage) },
    ...errorResponses,
  },
});

/** What a delivery POSTs to the endpoint (documented in the OpenAPI document's `webhooks`). */
const RunEventData = z
  .object({
    run: Run.openapi({ description: "The run, as GET /v1/runs/{runId} answers it." }),
    import: z.object({ id: z.string(), name: z.string().nullable() }),
    links: z.object({ run: z.string(), issues: z.string(), issuesCsv: z.string() }).openapi({
      description: "The run and its issues in the API (absolute when the Worker var PUBLIC_API_URL is set).",
    }),
  })
  .openapi("RunEventData");

const TestEventData = z
  .object({ webhook: z.object({ id: z.string(), url: z.string() }), message: z.string() })
  .openapi("TestEventData");

const WebhookEventPayload = z
  .object({
    id: z.string().openapi({
      description: "The event id, also sent as webhook-id.",
      example: "evt_5fc66becbe9e8ad78a223cf1",
    }),
    type: WebhookEventType,
    timestamp: z.string().openapi({ description: "When the event happened (the run ended)." }),
    data: z.union([RunEventData, TestEventData]).openapi({
      description: "RunEventData for the run events, TestEventData for `test`.",
    }),
  })
  .openapi("WebhookEventPayload");

export function registerWebhooks(app: App): void {
  const now = (c: { var: { services: { now(): Date } } }) => c.var.services.now();
  const allowPrivate = (env: Env) => env.ALLOW_PRIVATE_SOURCES === "true";

  app.openAPIRegistry.registerComponent("securitySchemes", "webhookSignature", {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description:
      "Deliveries are signed (Standard Webhooks): verify webhook-signature with the endpoint's secret before trusting a delivery.",
  });
  app.openAPIRegistry.registerWebhook({
    method: "post",
    path: "run-ended",
    operationId: "receiveRunEvent",
    security: [{ webhookSignature: [] }],
    summary: "A run ended (run.completed, run.failed, run.cancelled) or a test event",
    description:
      "Standard Webhooks: the headers webhook-id (the event id, the same on every retry), webhook-timestamp (Unix seconds) and webhook-signature (`v1,<base64 HMAC-SHA256 of {webhook-id}.{webhook-timestamp}.{body}>`, keyed with the secret's base64 part decoded; two space-separated signatures for 24 hours after a rotation). Any answer but 2xx is retried with backoff for 24 hours; a redirect is not followed.",
    request: { body: { content: json(WebhookEventPayload), required: true } },
    responses: { 200: { description: "Any 2xx answer means the event was received." } },
  });

  app.openapi(createRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const body = c.req.valid("json");
    checkWebhookUrl(body.url, allowPrivate(c.env));
    const secret = newWebhookSecret();
    const id = newId("wh", now(c).getTime());
    await insertWebhook(services.db, {
      id,
      tenantId: tenant.id,
      url: body.url,
      events: body.events,
      description: body.description ?? null,
      secret: await encryptSecret(await services.keyring(), secret, tenant.id),
      now: now(c).toISOString(),
    });
    const record = await getWebhook(services.db, tenant.id, id);
    if (!record) throw webhookNotFound(id);
    return c.json({ ...presentWebhook(record, now(c)), secret }, 201);
  });

  app.openapi(listRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const page = await listWebhooks(services.db, tenant.id, c.req.valid("query"));
    return c.json(
      { items: page.items.map((item) => presentWebhook(item, now(c))), nextCursor: page.nextCursor },
      200,
    );
  });

  app.openapi(getRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const record = await getWebhook(services.db, tenant.id, id);
    if (!record) throw webhookNotFound(id);
    return c.json(presentWebhook(record, now(c)), 200);
  });

  app.openapi(updateRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.url !== undefined) checkWebhookUrl(body.url, allowPrivate(c.env));
    if (!(await updateWebhook(services.db, tenant.id, id, body, now(c).toISOString()))) {
      throw webhookNotFound(id);
    }
    const record = await getWebhook(services.db, tenant.id, id);
    if (!record) throw webhookNotFound(id);
    return c.json(presentWebhook(record, now(c)), 200);
  });

  app.openapi(deleteRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    if (!(await deleteWebhook(services.db, tenant.id, id))) throw webhookNotFound(id);
    return c.body(null, 204);
  });

  app.openapi(rotateRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const secret = newWebhookSecret();
    const rotated = await rotateWebhookSecret(services.db, tenant.id, id, {
      secret: await encryptSecret(await services.keyring(), secret, tenant.id),
      previousUntil: new Date(now(c).getTime() + PREVIOUS_SECRET_SECONDS * 1000).toISOString(),
      now: now(c).toISOString(),
    });
    if (!rotated) throw webhookNotFound(id);
    const record = await getWebhook(services.db, tenant.id, id);
    if (!record) throw webhookNotFound(id);
    return c.json({ ...presentWebhook(record, now(c)), secret }, 200);
  });

  app.openapi(testRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const record = await getWebhook(services.db, tenant.id, id);
    if (!record) throw webhookNotFound(id);
    if (!record.enabled) {
      throw new ApiError("conflict", "This endpoint is disabled: enable it first (PATCH enabled: true).");
    }
    const eventId = newId("evt", now(c).getTime());
    await insertTestEvent(services.db, {
      id: eventId,
      tenantId: tenant.id,
      webhookId: id,
      payload: testEventPayload(eventId, record, now(c)),
      now: now(c).toISOString(),
    });
    await queueSends(c.env[QUEUE_BINDINGS.webhooks], [{ eventId, webhookId: id }]);
    return c.json({ eventId, webhookId: id, type: "test" as const, status: "queued" as const }, 202);
  });

  app.openapi(resendRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    const { eventId } = c.req.valid("json");
    const record = await getWebhook(services.db, tenant.id, id);
    if (!record) throw webhookNotFound(id);
    if (!record.enabled) {
      throw new ApiError("conflict", "This endpoint is disabled: enable it first (PATCH enabled: true).");
    }
    const type = await resendEvent(services.db, tenant.id, id, eventId, now(c).toISOString());
    if (!type) throw new ApiError("not_found", `Webhook '${id}' has no event '${eventId}'.`);
    await queueSends(c.env[QUEUE_BINDINGS.webhooks], [{ eventId, webhookId: id }]);
    return c.json({ eventId, webhookId: id, type, status: "queued" as const }, 202);
  });

  app.openapi(deliveriesRouteDef, async (c) => {
    const { services, tenant } = c.var;
    const { id } = c.req.valid("param");
    if (!(await getWebhook(services.db, tenant.id, id))) throw webhookNotFound(id);
    return c.json(await listDeliveries(services.db, tenant.id, id, c.req.valid("query")), 200);
  });
}
