-- Who started each run: key:<prefix>, dashboard:<prefix>, schedule or upload (null before this).
ALTER TABLE runs ADD COLUMN started_by TEXT;

-- Webhook endpoints of a tenant. `events` is a JSON array of event types. `secret` is the
-- signing secret, sealed like source secrets; after a rotation `previous_secret` signs too
-- until `previous_secret_until`. `failing_since` is the first failed attempt since the last
-- delivered one: failing for long enough disables the endpoint (`disabled_reason` says why).
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  description TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  secret TEXT NOT NULL,
  previous_secret TEXT,
  previous_secret_until TEXT,
  failing_since TEXT,
  disabled_at TEXT,
  disabled_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

-- Events: the end of a run (one per run and final status, whatever ends it twice), or a test.
-- `payload` is the body every delivery of the event sends, written by its first delivery.
CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,
  run_id TEXT,
  payload TEXT,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX webhook_events_run ON webhook_events (run_id, type) WHERE run_id IS NOT NULL;

-- One event on its way to one endpoint. `next_attempt_at` is null while the send waits to be
-- put on the webhooks queue (the outbox), then when its next attempt is due.
CREATE TABLE webhook_sends (
  event_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  first_attempt_at TEXT,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (event_id, webhook_id)
);
CREATE INDEX webhook_sends_due ON webhook_sends (status, next_attempt_at);
CREATE INDEX webhook_sends_webhook ON webhook_sends (webhook_id);

-- Every attempt to deliver an event: its answer's status and first 1 KB, or why there was none.
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  status_code INTEGER,
  response TEXT,
  error TEXT,
  latency_ms INTEGER,
  outcome TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_send ON webhook_deliveries (event_id, webhook_id, attempt);
-- The log is kept for a while (the webhooks Worker's WEBHOOK_LOG_DAYS), then pruned by age.
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at);
CREATE INDEX webhook_sends_created ON webhook_sends (created_at);
CREATE INDEX webhook_events_created ON webhook_events (created_at);

-- The event of a run is written in the same transaction as the run's final status, whichever
-- Worker or statement sets it, with a send for each enabled endpoint subscribed to it. A run
-- ends once (only a run that has not ended can end), and (run_id, type) is unique besides.
CREATE TRIGGER runs_end_webhook_event AFTER UPDATE OF status ON runs
WHEN NEW.status IN ('completed', 'failed', 'cancelled')
  AND OLD.status NOT IN ('completed', 'failed', 'cancelled')
  AND EXISTS (
    SELECT 1 FROM webhooks w, json_each(w.events) e
    WHERE w.tenant_id = NEW.tenant_id AND w.enabled = 1 AND e.value = 'run.' || NEW.status
  )
BEGIN
  INSERT OR IGNORE INTO webhook_events (id, tenant_id, type, run_id, created_at)
  VALUES (
    'evt_' || lower(hex(randomblob(12))),
    NEW.tenant_id,
    'run.' || NEW.status,
    NEW.id,
    COALESCE(NEW.finished_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  );
  INSERT OR IGNORE INTO webhook_sends (event_id, webhook_id, tenant_id, created_at)
  SELECT ev.id, w.id, w.tenant_id, ev.created_at
  FROM webhook_events ev JOIN webhooks w ON w.tenant_id = ev.tenant_id
  WHERE ev.run_id = NEW.id AND ev.type = 'run.' || NEW.status AND w.enabled = 1
    AND EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value = ev.type);
END;
