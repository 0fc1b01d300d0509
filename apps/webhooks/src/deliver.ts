import {
  decryptSecret,
  loadKeyring,
  newId,
  type Resolver,
  resolvedHostReason,
  resolveOverHttps,
  type SecretKeyring,
  webhookHeaders,
  webhookRetryDelay,
} from "@cdp/core";
import {
  beginAttempt,
  failSend,
  getSend,
  keepEventPayload,
  recordAttempt,
  type SendRef,
  type WebhookRecord,
} from "@cdp/store";
import { runEventBody } from "./payload";
import type { WebhookSettings } from "./settings";

/** How much of an answer the delivery log keeps. */
export const RESPONSE_BYTES = 1024;

/** What one attempt came to. */
export interface AttemptResult {
  delivered: boolean;
  statusCode: number | null;
  response: string | null;
  error: string | null;
  latencyMs: number | null;
  /** Retrying would not help: the URL cannot be used. */
  permanent: boolean;
}

/** What a delivery reaches outside the Worker: the network, and the DNS that the guard asks. */
export interface DeliveryDeps {
  fetch: typeof fetch;
  resolve: Resolver;
}

const defaultDeps: DeliveryDeps = { fetch: (input, init) => fetch(input, init), resolve: resolveOverHttps };

let keyring: { source: string; keyring: Promise<SecretKeyring> } | undefined;
function keyringOf(env: Env): Promise<SecretKeyring> {
  if (keyring?.source !== env.SECRETS_KEYS) {
    keyring = { source: env.SECRETS_KEYS, keyring: loadKeyring(env.SECRETS_KEYS) };
  }
  return keyring.keyring;
}

/** The secrets that sign now: the current one, and the previous one within its 24 hours. */
async function signingSecrets(env: Env, webhook: WebhookRecord, now: Date): Promise<string[]> {
  const ring = await keyringOf(env);
  const secrets = [await decryptSecret(ring, webhook.secret, webhook.tenantId)];
  if (
    webhook.previousSecret &&
    webhook.previousSecretUntil &&
    webhook.previousSecretUntil > now.toISOString()
  ) {
    secrets.push(await decryptSecret(ring, webhook.previousSecret, webhook.tenantId));
  }
  return secrets;
}

/** The first 1 KB of an answer, as text; the rest is not read. */
async function firstBytes(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  while (length < RESPONSE_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(length, RESPONSE_BYTES));
  let offset = 0;
  for (const part of parts) {
    const take = part.subarray(0, bytes.length - offset);
    bytes.set(take, offset);
    offset += take.byteLength;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * One attempt: the URL passes the SSRF guard again (what its name resolves to now), then the
 * signed POST, with a timeout, and without following a redirect.
 */
export async function attempt(
  env: Env,
  settings: WebhookSettings,
  webhook: WebhookRecord,
  message: { id: string; body: string },
  deps: DeliveryDeps,
): Promise<AttemptResult> {
  const refused = (error: string): AttemptResult => ({
    delivered: false,
    statusCode: null,
    response: null,
    error,
    latencyMs: null,
    permanent: true,
  });
  const url = new URL(webhook.url);
  if (url.protocol !== "https:" && !(settings.allowPrivate && url.protocol === "http:")) {
    return refused("Not sent: a webhook URL must be https.");
  }
  if (!settings.allowPrivate) {
    const reason = await resolvedHostReason(url.hostname, deps.resolve);
    if (reason) return refused(`Not sent: ${url.hostname} cannot be used: ${reason}.`);
  }
  const now = new Date();
  const headers = await webhookHeaders(await signingSecrets(env, webhook, now), {
    id: message.id,
    timestamp: Math.floor(now.getTime() / 1000),
    body: message.body,
  });
  const started = Date.now();
  try {
    const response = await deps.fetch(url, {
      method: "POST",
      headers: { ...headers, "user-agent": "CDP-Offline-Imports-Webhooks/1.0" },
      body: message.body,
      redirect: "manual",
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const latencyMs = Date.now() - started;
    const text = await firstBytes(response).catch(() => null);
    const location = response.headers.get("location");
    const redirected = response.status >= 300 && response.status < 400;
    return {
      delivered: response.status >= 200 && response.status < 300,
      statusCode: response.status,
      response: text,
      error: redirected
        ? `A redirect${location ? ` to ${location.slice(0, 200)}` : ""} is not followed: give the endpoint's final URL.`
        : null,
      latencyMs,
      permanent: false,
    };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      delivered: false,
      statusCode: null,
      response: null,
      error: timedOut
        ? `No answer within ${settings.timeoutMs / 1000} s.`
        : `Could not reach ${url.host}: ${err instanceof Error ? err.message : String(err)}`,
      latencyMs: timedOut ? null : Date.now() - started,
      permanent: false,
    };
  }
}

/** What the queue consumer does with a deliver message after the attempt. */
export type DeliverDecision = { ack: true } | { retryAfterSeconds: number } | { gaveUpAfter: number };

/**
 * Delivers one event to one endpoint, once: records the attempt in the delivery log and says
 * whether the message is done, to be retried (with its delay), or given up (the dead-letter
 * queue then marks the event failed). A send that is no longer pending, or whose endpoint is
 * gone, is done; one whose endpoint is disabled fails without an attempt.
 */
export async function deliver(
  env: Env,
  settings: WebhookSettings,
  ref: SendRef,
  deps: DeliveryDeps = defaultDeps,
): Promise<DeliverDecision> {
  const db = env.CONFIG_DB;
  const send = await getSend(db, ref);
  if (send?.status !== "pending") return { ack: true };
  if (!send.webhook.enabled) {
    await failSend(db, ref);
    return { ack: true };
  }
  const body =
    send.event.payload ??
    (await keepEventPayload(db, ref.eventId, await runEventBody(db, settings, send.event)));
  const begun = await beginAttempt(db, ref, new Date().toISOString());
  if (!begun) return { ack: true };

  const result = await attempt(env, settings, send.webhook, { id: ref.eventId, body }, deps);
  const now = new Date();
  const delay = webhookRetryDelay(begun.attempt, settings.retryBaseSeconds, settings.retryMaxDelaySeconds);
  const retryUntil = Date.parse(begun.firstAttemptAt) + settings.retryForSeconds * 1000;
  const giveUp = !result.delivered && (result.permanent || now.getTime() + delay * 1000 > retryUntil);
  await recordAttempt(db, {
    ...ref,
    id: newId("dlv", now.getTime()),
    tenantId: send.webhook.tenantId,
    attempt: begun.attempt,
    statusCode: result.statusCode,
    response: result.response,
    error: result.error,
    latencyMs: result.latencyMs,
    outcome: result.delivered ? "delivered" : giveUp ? "failed" : "retrying",
    at: now.toISOString(),
    nextAttemptAt:
      result.delivered || giveUp ? undefined : new Date(now.getTime() + delay * 1000).toISOString(),
    disableIfFailingSince: new Date(now.getTime() - settings.disableAfterSeconds * 1000).toISOString(),
    disableReason: `Disabled after its deliveries failed for ${describeSeconds(settings.disableAfterSeconds)}: fix the endpoint, then enable it again.`,
  });
  if (result.delivered) return { ack: true };
  return giveUp ? { gaveUpAfter: begun.attempt } : { retryAfterSeconds: delay };
}

/** "3 days", "2 hours", "45 seconds". */
export function describeSeconds(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}
