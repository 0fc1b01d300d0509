import { unsafeHostReason } from "@cdp/core";
import type { WebhookRecord } from "@cdp/store";
import { ApiError } from "./errors";

/** How long the secret before a rotation keeps signing next to the new one. */
export const PREVIOUS_SECRET_SECONDS = 24 * 60 * 60;

/** The answer to an endpoint id that is not one of the tenant's. */
export const webhookNotFound = (id: string) => new ApiError("not_found", `No webhook '${id}'.`);

/**
 * A webhook URL must be https and on the public internet, as sources are (an http URL, and
 * private, loopback, link-local and metadata addresses, only where private sources are allowed:
 * local work). It carries no user name or password. The webhooks Worker checks again when it
 * delivers, on what the name then resolves to.
 */
export function checkWebhookUrl(url: string, allowPrivate: boolean): void {
  const refuse = (message: string) => {
    throw new ApiError("unsafe_webhook_url", `This webhook URL cannot be used: ${message}.`, [
      { path: "url", message },
    ]);
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ApiError("validation_failed", "The webhook URL is not a valid URL.", [
      { path: "url", message: "is not a valid URL" },
    ]);
  }
  if (parsed.protocol !== "https:" && !(allowPrivate && parsed.protocol === "http:")) {
    refuse(allowPrivate ? "it must be an http or https URL" : "it must be an https URL");
  }
  if (parsed.username || parsed.password) refuse("it cannot carry a user name or password");
  const reason = allowPrivate ? null : unsafeHostReason(parsed.hostname);
  if (reason) refuse(`${reason}, and private addresses are not allowed`);
}

/** An endpoint as users see it: never its secrets. */
export function presentWebhook(record: WebhookRecord, now: Date) {
  const previousSigns = record.previousSecretUntil && record.previousSecretUntil > now.toISOString();
  return {
    id: record.id,
    url: record.url,
    events: record.events,
    description: record.description,
    enabled: record.enabled,
    disabledAt: record.disabledAt,
    disabledReason: record.disabledReason,
    failingSince: record.failingSince,
    previousSecretExpiresAt: previousSigns ? record.previousSecretUntil : null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** The body of a test event: what every event has, and a sentence instead of a run. */
export function testEventPayload(eventId: string, webhook: WebhookRecord, now: Date): string {
  return JSON.stringify({
    id: eventId,
    type: "test",
    timestamp: now.toISOString(),
    data: {
      webhook: { id: webhook.id, url: webhook.url },
      message: "A test event from the CDP offline imports: this endpoint receives and verifies events.",
    },
  });
}
