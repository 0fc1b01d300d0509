import type { DeliveryOutcome, RunEventType, WebhookEventType, WebhookMessage } from "@cdp/core";
import { type Db, decodeCursor, encodeCursor } from "./db";

/** A webhook endpoint as stored; its secrets sealed (encrypted for the tenant). */
export interface WebhookRecord {
  id: string;
  tenantId: string;
  url: string;
  events: RunEventType[];
  description: string | null;
  enabled: boolean;
  /** The signing secret, sealed. */
  secret: string;
  /** The secret before the last rotation, sealed; it signs too until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: string | null;
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  events: string;
  description: string | null;
  enabled: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: string | null;
  failing_since: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

function toWebhook(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    events: JSON.parse(row.events) as RunEventType[],
    description: row.description,
    enabled: row.enabled === 1,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretUntil: row.previous_secret_until,
    failingSince: row.failing_since,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewWebhook {
  id: string;
  tenantId: string;
  url: string;
  events: RunEventType[];
  description: string | null;
  /** Sealed. */
  secret: string;
  now: string;
}

export async function insertWebhook(db: Db, webhook: NewWebhook): Promise<void> {
  await db
    .prepare(
      `INSERT INTO webhooks (id, tenant_id, url, events, description, secret, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)`,
    )
    .bind(
      webhook.id,
      webhook.tenantId,
      webhook.url,
      JSON.stringify(webhook.events),
      webhook.description,
      webhook.secret,
      webhook.now,
    )
    .run();
}

/** One of the tenant's endpoints; tenant-scoped unless `tenantId` is null (the Workers' own reads). */
export async function getWebhook(db: Db, tenantId: string | null, id: string): Promise<WebhookRecord | null> {
  const row = await db
    .prepare("SELECT * FROM webhooks WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)")
    .bind(id, tenantId)
    .first<WebhookRow>();
  return row ? toWebhook(row) : null;
}

export async function listWebhooks(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: WebhookRecord[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor);
  const rows = await db
    .prepare(
      `SELECT * FROM webhooks WHERE tenant_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3`,
    )
    .bind(tenantId, after, page.limit + 1)
    .all<WebhookRow>();
  const items = rows.results.slice(0, page.limit).map(toWebhook);
  const last = items.at(-1);
  return { items, nextCursor: rows.results.length > page.limit && last ? encodeCursor(last.id) : null };
}

export interface WebhookChanges {
  url?: string;
  events?: RunEventType[];
  description?: string | null;
  enabled?: boolean;
}

/**
 * Changes the fields given. Enabling an endpoint (also one disabled for failing) starts it
 * afresh: it is no longer failing, and the reason it was disabled is gone.
 */
export async function updateWebhook(
  db: Db,
  tenantId: string,
  id: string,
  changes: WebhookChanges,
  now: string,
): Promise<boolean> {
  const enabled = changes.enabled === undefined ? null : changes.enabled ? 1 : 0;
  const result = await db
    .prepare(
      `UPDATE webhooks SET
         url = COALESCE(?3, url),
         events = COALESCE(?4, events),
         description = CASE WHEN ?5 THEN ?6 ELSE description END,
         failing_since = CASE WHEN ?7 = 1 AND enabled = 0 THEN NULL ELSE failing_since END,
         disabled_at = CASE WHEN ?7 = 1 THEN NULL WHEN ?7 = 0 AND enabled = 1 THEN ?8 ELSE disabled_at END,
         disabled_reason = CASE WHEN ?7 IS NULL THEN disabled_reason ELSE NULL END,
         enabled = COALESCE(?7, enabled),
         updated_at = ?8
       WHERE id = ?1 AND tenant_id = ?2`,
    )
    .bind(
      id,
      tenantId,
      changes.url ?? null,
      changes.events ? JSON.stringify(changes.events) : null,
      changes.description !== undefined ? 1 : 0,
      changes.description ?? null,
      enabled,
      now,
    )
    .run();
  return result.meta.changes > 0;
}

/** Deletes an endpoint with its sends and delivery log; messages still queued for it find nothing. */
export async function deleteWebhook(db: Db, tenantId: string, id: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.prepare("DELETE FROM webhooks WHERE id = ?1 AND tenant_id = ?2").bind(id, tenantId),
    db.prepare("DELETE FROM webhook_sends WHERE webhook_id = ?1 AND tenant_id = ?2").bind(id, tenantId),
    db.prepare("DELETE FROM webhook_deliveries WHERE webhook_id = ?1 AND tenant_id = ?2").bind(id, tenantId),
  ]);
  return (deleted?.meta.changes ?? 0) > 0;
}

/**
 * A new signing secret (sealed). The one it replaces signs too until `previousUntil`: the
 * signature header then carries both, so receivers can move to the new one.
 */
export async function rotateWebhookSecret(
  db: Db,
  tenantId: string,
  id: string,
  rotation: { secret: string; previousUntil: string; now: string },
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE webhooks SET previous_secret = secret, previous_secret_until = ?3, secret = ?4, updated_at = ?5
       WHERE id = ?1 AND tenant_id = ?2`,
    )
    .bind(id, tenantId, rotation.previousUntil, rotation.secret, rotation.now)
    .run();
  return result.meta.changes > 0;
}

/** Whether any enabled endpoint of the tenant listens to the end of runs. */
export async function tenantHasWebhooks(db: Db, tenantId: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS yes FROM webhooks WHERE tenant_id = ?1 AND enabled = 1 LIMIT 1")
    .bind(tenantId)
    .first<{ yes: number }>();
  return row !== null;
}

/** A delivery to queue: one event to one endpoint. */
export interface SendRef {
  eventId: string;
  webhookId: string;
}

/** Puts sends on the webhooks queue, one deliver message each (the queue takes 100 per batch). */
export async function queueSends(queue: Queue<WebhookMessage>, sends: readonly SendRef[]): Promise<void> {
  for (let i = 0; i < sends.length; i += 100) {
    await queue.sendBatch(sends.slice(i, i + 100).map((send) => ({ body: { kind: "deliver", ...send } })));
  }
}

/**
 * A test event for one endpoint, with its body, and its send due now (the caller queues it).
 */
export async function insertTestEvent(
  db: Db,
  event: { id: string; tenantId: string; webhookId: string; payload: string; now: string },
): Promise<void> {
  await db.batch([
    db
      .prepare(
        "INSERT INTO webhook_events (id, tenant_id, type, run_id, payload, created_at) VALUES (?1, ?2, 'test', NULL, ?3, ?4)",
      )
      .bind(event.id, event.tenantId, event.payload, event.now),
    db
      .prepare(
        `INSERT INTO webhook_sends (event_id, webhook_id, tenant_id, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?4)`,
      )
      .bind(event.id, event.webhookId, event.tenantId, event.now),
  ]);
}

/**
 * Sends an event that the endpoint had (delivered or failed) once more, as a new series of
 * attempts with the same event id. Answers the event's type, or null when the endpoint never
 * had that event.
 */
export async function resendEvent(
  db: Db,
  tenantId: string,
  webhookId: string,
  eventId: string,
  now: string,
): Promise<WebhookEventType | null> {
  const [updated, event] = await db.batch([
    db
      .prepare(
        `UPDATE webhook_sends SET status = 'pending', first_attempt_at = NULL, next_attempt_at = ?4
         WHERE event_id = ?3 AND webhook_id = ?2 AND tenant_id = ?1`,
      )
      .bind(tenantId, webhookId, eventId, now),
    db.prepare("SELECT type FROM webhook_events WHERE id = ?1 AND tenant_id = ?2").bind(eventId, tenantId),
  ]);
  if ((updated?.meta.changes ?? 0) === 0) return null;
  return (event?.results[0] as { type: WebhookEventType } | undefined)?.type ?? null;
}

/**
 * Takes sends off the outbox to put them on the queue: those not queued yet (of one run's
 * events, or all), and, for the periodic check, those whose attempt is overdue by far (their
 * message was lost). Each taken send is due now; the caller queues it.
 */
export async function takeDueSends(
  db: Db,
  options: { runId?: string; overdueBefore?: string; now: string; limit?: number },
): Promise<SendRef[]> {
  const rows = await db
    .prepare(
      `UPDATE webhook_sends SET next_attempt_at = ?3
       WHERE rowid IN (
         SELECT s.rowid FROM webhook_sends s
         WHERE s.status = 'pending'
           AND (s.next_attempt_at IS NULL OR (?2 IS NOT NULL AND s.next_attempt_at < ?2))
           AND (?1 IS NULL OR s.event_id IN (SELECT id FROM webhook_events WHERE run_id = ?1))
         LIMIT ?4)
       RETURNING event_id, webhook_id`,
    )
    .bind(options.runId ?? null, options.overdueBefore ?? null, options.now, options.limit ?? 500)
    .all<{ event_id: string; webhook_id: string }>();
  return rows.results.map((row) => ({ eventId: row.event_id, webhookId: row.webhook_id }));
}

/** The status of a run, for the watch that waits for it to end; null when there is no such run. */
export async function runStatusOf(db: Db, runId: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT status FROM runs WHERE id = ?1")
    .bind(runId)
    .first<{ status: string }>();
  return row?.status ?? null;
}

/** Everything one delivery needs: the send, its endpoint and its event. */
export interface PendingSend {
  status: string;
  webhook: WebhookRecord;
  event: {
    id: string;
    tenantId: string;
    type: WebhookEventType;
    runId: string | null;
    payload: string | null;
    createdAt: string;
  };
}

export async function getSend(db: Db, ref: SendRef): Promise<PendingSend | null> {
  const row = await db
    .prepare(
      `SELECT s.status AS send_status, e.type AS event_type, e.run_id AS event_run_id, e.payload AS event_payload,
         e.created_at AS event_created_at, e.tenant_id AS event_tenant_id, w.*
       FROM webhook_sends s
       JOIN webhook_events e ON e.id = s.event_id
       JOIN webhooks w ON w.id = s.webhook_id AND w.tenant_id = s.tenant_id
       WHERE s.event_id = ?1 AND s.webhook_id = ?2`,
    )
    .bind(ref.eventId, ref.webhookId)
    .first<
      WebhookRow & {
        send_status: string;
        event_type: WebhookEventType;
        event_run_id: string | null;
        event_payload: string | null;
        event_created_at: string;
        event_tenant_id: string;
      }
    >();
  if (!row) return null;
  return {
    status: row.send_status,
    webhook: toWebhook(row),
    event: {
      id: ref.eventId,
      tenantId: row.event_tenant_id,
      type: row.event_type,
      runId: row.event_run_id,
      payload: row.event_payload,
      createdAt: row.event_created_at,
    },
  };
}

/** Stores an event's body once; every delivery sends the body stored first. */
export async function keepEventPayload(db: Db, eventId: string, payload: string): Promise<string> {
  const row = await db
    .prepare(`UPDATE webhook_events SET payload = COALESCE(payload, ?2) WHERE id = ?1 RETURNING payload`)
    .bind(eventId, payload)
    .first<{ payload: string }>();
  return row?.payload ?? payload;
}

/**
 * Counts an attempt of a pending send; its number and when the send's first attempt was (the
 * retry window runs from it), or null when the send is no longer pending.
 */
export async function beginAttempt(
  db: Db,
  ref: SendRef,
  now: string,
): Promise<{ attempt: number; firstAttemptAt: string } | null> {
  const row = await db
    .prepare(
      `UPDATE webhook_sends SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?3)
       WHERE event_id = ?1 AND webhook_id = ?2 AND status = 'pending'
       RETURNING attempts, first_attempt_at`,
    )
    .bind(ref.eventId, ref.webhookId, now)
    .first<{ attempts: number; first_attempt_at: string }>();
  return row ? { attempt: row.attempts, firstAttemptAt: row.first_attempt_at } : null;
}

export interface AttemptRecord extends SendRef {
  id: string;
  tenantId: string;
  attempt: number;
  statusCode: number | null;
  /** The first 1 KB of the answer. */
  response: string | null;
  /** Why there was no answer (a timeout, a refused address), or why a redirect was not followed. */
  error: string | null;
  latencyMs: number | null;
  outcome: DeliveryOutcome;
  at: string;
  /** When a retried send's next attempt is due. */
  nextAttemptAt?: string;
  /** An endpoint failing since before this is disabled (on a failed attempt). */
  disableIfFailingSince?: string;
  disableReason?: string;
}

/**
 * Writes an attempt to the delivery log and its consequences, in one transaction: a delivered
 * event ends its send and the endpoint's failing streak; a failed attempt starts or continues
 * the streak, and an endpoint failing for long enough is disabled.
 */
export async function recordAttempt(db: Db, record: AttemptRecord): Promise<void> {
  const statements: D1PreparedStatement[] = [
    db
      .prepare(
        `INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, attempt, status_code, response, error,
           latency_ms, outcome, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)`,
      )
      .bind(
        record.id,
        record.tenantId,
        record.webhookId,
        record.eventId,
        record.attempt,
        record.statusCode,
        record.response,
        record.error,
        record.latencyMs,
        record.outcome,
        record.at,
      ),
  ];
  if (record.outcome === "delivered") {
    statements.push(
      db
        .prepare("UPDATE webhook_sends SET status = 'delivered' WHERE event_id = ?1 AND webhook_id = ?2")
        .bind(record.eventId, record.webhookId),
      db.prepare("UPDATE webhooks SET failing_since = NULL WHERE id = ?1").bind(record.webhookId),
    );
  } else {
    if (record.nextAttemptAt) {
      statements.push(
        db
          .prepare("UPDATE webhook_sends SET next_attempt_at = ?3 WHERE event_id = ?1 AND webhook_id = ?2")
          .bind(record.eventId, record.webhookId, record.nextAttemptAt),
      );
    }
    statements.push(
      db
        .prepare("UPDATE webhooks SET failing_since = COALESCE(failing_since, ?2) WHERE id = ?1")
        .bind(record.webhookId, record.at),
    );
    if (record.disableIfFailingSince) {
      statements.push(
        db
          .prepare(
            `UPDATE webhooks SET enabled = 0, disabled_at = ?2, disabled_reason = ?3, updated_at = ?2
             WHERE id = ?1 AND enabled = 1 AND failing_since <= ?4`,
          )
          .bind(record.webhookId, record.at, record.disableReason ?? null, record.disableIfFailingSince),
      );
    }
  }
  await db.batch(statements);
}

/**
 * A send that will not be attempted again (its retries ran out, or it cannot be sent): it is
 * failed, and so is its last attempt if that still said it would be retried. `gaveUpAfter`
 * names the attempt given up after: a send resent since (a new series of attempts) stays as it is.
 */
export async function failSend(db: Db, ref: SendRef, gaveUpAfter?: number): Promise<void> {
  const failed = await db
    .prepare(
      `UPDATE webhook_sends SET status = 'failed'
       WHERE event_id = ?1 AND webhook_id = ?2 AND status = 'pending'
         AND (?3 IS NULL OR (attempts = ?3 AND first_attempt_at IS NOT NULL))`,
    )
    .bind(ref.eventId, ref.webhookId, gaveUpAfter ?? null)
    .run();
  if (failed.meta.changes === 0) return;
  await db
    .prepare(
      `UPDATE webhook_deliveries SET outcome = 'failed'
       WHERE id = (SELECT id FROM webhook_deliveries WHERE event_id = ?1 AND webhook_id = ?2
                   ORDER BY attempt DESC LIMIT 1)
         AND outcome = 'retrying'`,
    )
    .bind(ref.eventId, ref.webhookId)
    .run();
}

export interface DeliveryRecord {
  id: string;
  eventId: string;
  event: WebhookEventType;
  runId: string | null;
  attempt: number;
  statusCode: number | null;
  response: string | null;
  error: string | null;
  latencyMs: number | null;
  at: string;
  outcome: DeliveryOutcome;
}

/** The delivery log of one of the tenant's endpoints, newest first, paged. */
export async function listDeliveries(
  db: Db,
  tenantId: string,
  webhookId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: DeliveryRecord[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor);
  const rows = await db
    .prepare(
      `SELECT d.id, d.event_id, e.type, e.run_id, d.attempt, d.status_code, d.response, d.error, d.latency_ms,
         d.at, d.outcome
       FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
       WHERE d.webhook_id = ?1 AND d.tenant_id = ?2 AND (?3 IS NULL OR d.id < ?3)
       ORDER BY d.id DESC LIMIT ?4`,
    )
    .bind(webhookId, tenantId, after, page.limit + 1)
    .all<{
      id: string;
      event_id: string;
      type: WebhookEventType;
      run_id: string | null;
      attempt: number;
      status_code: number | null;
      response: string | null;
      error: string | null;
      latency_ms: number | null;
      at: string;
      outcome: DeliveryOutcome;
    }>();
  const items = rows.results.slice(0, page.limit).map((row) => ({
    id: row.id,
    eventId: row.event_id,
    event: row.type,
    runId: row.run_id,
    attempt: row.attempt,
    statusCode: row.status_code,
    response: row.response,
    error: row.error,
    latencyMs: row.latency_ms,
    at: row.at,
    outcome: row.outcome,
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.results.length > page.limit && last ? encodeCursor(last.id) : null };
}

/** The name of an import (also of a deleted one), for the events of its runs. */
export async function importName(db: Db, tenantId: string, importId: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT name FROM imports WHERE id = ?1 AND tenant_id = ?2")
    .bind(importId, tenantId)
    .first<{ name: string }>();
  return row?.name ?? null;
}

/**
 * Forgets what is older than `before`: attempts of the delivery log, sends that ended (delivered
 * or failed), and events no send needs any more. At most `limit` rows of each at a time.
 */
export async function pruneWebhookLog(db: Db, before: string, limit = 5000): Promise<number> {
  const results = await db.batch([
    db
      .prepare(
        "DELETE FROM webhook_deliveries WHERE rowid IN (SELECT rowid FROM webhook_deliveries WHERE at < ?1 LIMIT ?2)",
      )
      .bind(before, limit),
    db
      .prepare(
        `DELETE FROM webhook_sends WHERE rowid IN (
           SELECT rowid FROM webhook_sends WHERE created_at < ?1 AND status <> 'pending' LIMIT ?2)`,
      )
      .bind(before, limit),
    db
      .prepare(
        `DELETE FROM webhook_events WHERE rowid IN (
           SELECT e.rowid FROM webhook_events e
           WHERE e.created_at < ?1 AND NOT EXISTS (SELECT 1 FROM webhook_sends s WHERE s.event_id = e.id) LIMIT ?2)`,
      )
      .bind(before, limit),
  ]);
  return results.reduce((sum, result) => sum + (result.meta.changes ?? 0), 0);
}

/** What deletes all of a tenant's webhooks, events, sends and delivery log (?1 is the tenant id). */
export const DELETE_TENANT_WEBHOOKS = [
  "DELETE FROM webhook_deliveries WHERE tenant_id = ?1",
  "DELETE FROM webhook_sends WHERE tenant_id = ?1",
  "DELETE FROM webhook_events WHERE tenant_id = ?1",
  "DELETE FROM webhooks WHERE tenant_id = ?1",
] as const;
