import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type EgoiMessage, loadKeyring, QUEUE_NAMES, sealSource } from "@cdp/core";
import { getRun, insertRun, type RunRecord } from "@cdp/store";
import { vi } from "vitest";
import { rateLimitHeaders } from "../../../test/fakes/egoi-limits.mjs";
import worker from "../src/index";

/** A contact as E-goi lists it (only what the mapping reads). */
export const contact = (listId: number, n: number) => ({
  base: {
    contact_id: `${listId}${n}`,
    status: "active",
    consent: "consent",
    email: `c${n}.l${listId}@example.com`,
  },
  extra: [],
  tags: [],
});

export interface FakeEgoiOptions {
  /** `general_info.client_id` of /my-account; undefined leaves it out. */
  clientId?: unknown;
  /** Contacts of each list. */
  lists: Record<number, number>;
  /** The most contacts one page answers, whatever limit was asked for (E-goi's is 1000). */
  pageCap?: number;
  /** What `total_items` says, when it differs from the contacts there are (a list that shrank). */
  totalItems?: number;
  /** An injected answer for the nth request to the contacts (0-based), or null. */
  fault?: (n: number) => { status: number; reset?: number } | null;
}

export interface FakeEgoi {
  /** The contacts requests, in order: the offset asked for and the status answered. */
  pages: { offset: number; status: number }[];
  accountRequests: number;
}

/**
 * Stands in for E-goi's API in this Worker's fetch: /my-account and the contacts of a list,
 * paged by offset, with 429s that carry E-goi's rate-limit headers. Any other request fails the
 * test, so nothing reaches the internet.
 */
export function fakeEgoi(options: FakeEgoiOptions): FakeEgoi {
  const state: FakeEgoi = { pages: [], accountRequests: 0 };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== "https://api.egoiapp.com") throw new Error(`unexpected request to ${url.origin}`);
    if (request.headers.get("Apikey") !== "egoi-key") return Response.json({ status: 401 }, { status: 401 });
    if (url.pathname === "/my-account") {
      state.accountRequests++;
      const generalInfo = options.clientId === undefined ? {} : { client_id: options.clientId };
      return Response.json({ general_info: { name: "Shop", ...generalInfo } });
    }
    const match = /^\/lists\/(\d+)\/contacts$/.exec(url.pathname);
    const count = match ? options.lists[Number(match[1])] : undefined;
    if (count === undefined) throw new Error(`unexpected request to ${url.pathname}`);
    const offset = Number(url.searchParams.get("offset"));
    const limit = Number(url.searchParams.get("limit"));
    const entry = { offset, status: 200 };
    const fault = options.fault?.(state.pages.length) ?? null;
    state.pages.push(entry);
    if (fault) {
      entry.status = fault.status;
      const headers = fault.status === 429 ? rateLimitHeaders(fault.reset) : {};
      return Response.json({ status: fault.status }, { status: fault.status, headers });
    }
    const end = Math.min(count, offset + Math.min(limit, options.pageCap ?? 1000));
    const items = Array.from({ length: Math.max(0, end - offset) }, (_, i) =>
      contact(Number(match?.[1]), offset + i + 1),
    );
    return Response.json({ total_items: options.totalItems ?? count, items });
  });
  return state;
}

/** Adds a queued E-goi run of list `listId`, as config-api would. */
export async function addEgoiRun(runId: string, listId: number): Promise<void> {
  const source = await sealSource(
    await loadKeyring(env.SECRETS_KEYS),
    { type: "egoi", apiKey: "egoi-key", listId },
    "acme",
  );
  const config = {
    name: "E-goi",
    type: "customers",
    format: "egoi_contacts",
    source,
    options: {},
    transformations: [],
    schedule: null,
  };
  await env.CONFIG_DB.prepare(
    "INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', '') ON CONFLICT DO NOTHING",
  ).run();
  await insertRun(env.CONFIG_DB, {
    id: runId,
    tenantId: "acme",
    importId: "imp_egoi",
    trigger: "manual",
    startedBy: "key:key_acme",
    dryRun: false,
    config: JSON.stringify(config),
    now: new Date().toISOString(),
  });
}

/** Records what the Worker sends to the E-goi queue instead of delivering it. */
class QueueRecorder implements Queue<EgoiMessage> {
  readonly sent: { body: EgoiMessage; delaySeconds?: number }[] = [];
  async send(body: EgoiMessage, options?: QueueSendOptions): Promise<QueueSendResponse> {
    this.sent.push({ body, delaySeconds: options?.delaySeconds });
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  }
  async sendBatch(): Promise<QueueSendBatchResponse> {
    throw new Error("egoi-sync sends one page at a time");
  }
  async metrics(): Promise<QueueMetrics> {
    return { backlogCount: 0, backlogBytes: 0 };
  }
}

/** One delivery of a message to the consumer, and what came of it. */
export interface Delivery {
  body: EgoiMessage;
  attempts: number;
  acked: boolean;
  /** The delay of message.retry, when the consumer asked for one. */
  retried: number | null;
  sent: { body: EgoiMessage; delaySeconds?: number }[];
}

/** Delivers one message to the consumer of `queue`, with its sends recorded. */
export async function deliver(
  body: EgoiMessage,
  attempts = 1,
  queue: string = QUEUE_NAMES.egoi,
): Promise<Delivery> {
  const recorder = new QueueRecorder();
  const batch = createMessageBatch(queue, [{ id: "m", timestamp: new Date(), attempts, body }]);
  // getQueueResult does not tell a retry's delay: the message's retry() does.
  const message = batch.messages[0];
  const retry = message ? vi.spyOn(message, "retry") : undefined;
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, EGOI_QUEUE: recorder }, ctx);
  const result = await getQueueResult(batch, ctx);
  const retried = result.retryMessages.some((m) => m.msgId === "m");
  return {
    body,
    attempts,
    acked: result.explicitAcks.includes("m"),
    retried: retried ? (retry?.mock.calls[0]?.[0]?.delaySeconds ?? 0) : null,
    sent: recorder.sent,
  };
}

/** The queue's max_retries for cdp-import-egoi (wrangler.jsonc): then the dead-letter queue. */
const MAX_RETRIES = 10;

/**
 * Runs a sync as the queue would, without waiting out delays: a retried message comes back with
 * one more attempt (and after max_retries goes to the dead-letter queue), a sent one comes as a
 * new message. Answers every delivery and the run at the end.
 */
export async function syncRun(runId: string): Promise<{ deliveries: Delivery[]; run: RunRecord | null }> {
  const deliveries: Delivery[] = [];
  const pending: { body: EgoiMessage; attempts: number }[] = [{ body: { runId, offset: 0 }, attempts: 1 }];
  for (let next = pending.shift(); next; next = pending.shift()) {
    if (deliveries.length > 200) throw new Error("the sync does not end");
    if (next.attempts > MAX_RETRIES + 1) {
      await deliver(next.body, 1, QUEUE_NAMES.egoiDeadLetter);
      continue;
    }
    const delivery = await deliver(next.body, next.attempts);
    deliveries.push(delivery);
    if (delivery.retried !== null) pending.push({ body: next.body, attempts: next.attempts + 1 });
    for (const sent of delivery.sent) pending.push({ body: sent.body, attempts: 1 });
  }
  return { deliveries, run: await getRun(env.CONFIG_DB, null, runId) };
}
