import * as z from "zod";

/**
 * Webhooks follow the Standard Webhooks conventions (standardwebhooks.com): a `whsec_` secret,
 * and `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, the signature being the
 * HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the secret's decoded base64 part.
 */

/** The events an endpoint can subscribe to: the end of a run, by its final status. */
export const RUN_EVENT_TYPES = ["run.completed", "run.failed", "run.cancelled"] as const;
export const RunEventType = z.enum(RUN_EVENT_TYPES);
export type RunEventType = z.infer<typeof RunEventType>;

/** Every event type a delivery carries: the run events, and `test` (POST /v1/webhooks/{id}/test). */
export const WebhookEventType = z.enum([...RUN_EVENT_TYPES, "test"]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** What an attempt to deliver an event came to. */
export const DELIVERY_OUTCOMES = ["delivered", "retrying", "failed"] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/**
 * Messages of the webhooks queue. `deliver` sends one event to one endpoint (the same event, and
 * so the same `webhook-id`, on every retry). `watch` looks at a run until it ends, then queues
 * the deliveries of its event: the Workers that end runs never send anything themselves.
 */
export const WebhookMessage = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("deliver"),
    eventId: z.string().min(1),
    webhookId: z.string().min(1),
    /** On the dead-letter queue: the attempt after which the Worker gave up. */
    gaveUpAfter: z.number().int().min(1).optional(),
  }),
  z.object({ kind: z.literal("watch"), runId: z.string().min(1), checks: z.number().int().min(0) }),
]);
export type WebhookMessage = z.infer<typeof WebhookMessage>;

export const WEBHOOK_SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** A new endpoint secret: `whsec_` and the base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
}

/** The key bytes of a `whsec_` secret. */
function secretKey(secret: string): Uint8Array<ArrayBuffer> {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error("a webhook secret starts with whsec_");
  return fromBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length));
}

/** `v1,<base64 HMAC-SHA256>` of one secret over `{id}.{timestamp}.{body}`. */
async function signWith(secret: string, content: BufferSource): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    secretKey(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return `v1,${toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, content)))}`;
}

/**
 * The `webhook-signature` header of a delivery: one `v1,<signature>` per secret, separated by
 * spaces (after a rotation, the new secret and the previous one both sign for a while).
 */
export async function signWebhook(
  secrets: readonly string[],
  message: { id: string; timestamp: number; body: string },
): Promise<string> {
  const content = new TextEncoder().encode(`${message.id}.${message.timestamp}.${message.body}`);
  const signatures = await Promise.all(secrets.map((secret) => signWith(secret, content)));
  return signatures.join(" ");
}

/** The headers of a delivery: the event id (the same on every retry), the time, and the signatures. */
export async function webhookHeaders(
  secrets: readonly string[],
  message: { id: string; timestamp: number; body: string },
): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestamp),
    "webhook-signature": await signWebhook(secrets, message),
  };
}

/** Seconds before retry number `attempt` (1 for the first retry): doubling from `base`, at most `max`. */
export function webhookRetryDelay(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}
