-- CONFIG_DB: tenants, API keys, uploads, import configurations, schedules, runs and their issues.

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- API keys are stored only as the SHA-256 of the key; `prefix` helps people tell keys apart.
CREATE TABLE api_keys (
  key_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  prefix TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE uploads (
  key TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  filename TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  size INTEGER,
  completed_at TEXT
);
CREATE INDEX uploads_tenant ON uploads (tenant_id, created_at);

-- `config` is the import configuration as JSON, with every secret replaced by its ciphertext.
CREATE TABLE imports (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  format TEXT NOT NULL,
  source_type TEXT NOT NULL,
  config TEXT NOT NULL,
  watch_prefix TEXT,
  schedule_every_days INTEGER,
  schedule_start_at TEXT,
  schedule_enabled INTEGER NOT NULL DEFAULT 0,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  host_key_sha256 TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX imports_tenant ON imports (tenant_id, deleted_at, id);
CREATE INDEX imports_schedule ON imports (schedule_enabled, deleted_at);
CREATE INDEX imports_watch ON imports (tenant_id, watch_prefix) WHERE watch_prefix IS NOT NULL;

-- Counters of a run are the sums over its chunks (run_chunks), so a redelivered chunk
-- cannot count twice.
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  import_id TEXT NOT NULL,
  status TEXT NOT NULL,
  trigger TEXT NOT NULL,
  dry_run INTEGER NOT NULL DEFAULT 0,
  config TEXT NOT NULL,
  slot TEXT,
  trigger_key TEXT,
  file_key TEXT,
  bytes_total INTEGER NOT NULL DEFAULT 0,
  chunks_total INTEGER,
  error_code TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX runs_import ON runs (tenant_id, import_id, id);
CREATE INDEX runs_status ON runs (import_id, status);
-- A schedule slot starts at most one run, and one uploaded object starts an import once.
CREATE UNIQUE INDEX runs_schedule_slot ON runs (import_id, slot) WHERE slot IS NOT NULL;
CREATE UNIQUE INDEX runs_trigger_key ON runs (import_id, trigger_key) WHERE trigger_key IS NOT NULL;

CREATE TABLE run_chunks (
  run_id TEXT NOT NULL,
  chunk_no INTEGER NOT NULL,
  bytes_read INTEGER NOT NULL DEFAULT 0,
  rows_read INTEGER NOT NULL DEFAULT 0,
  items_read INTEGER NOT NULL DEFAULT 0,
  items_valid INTEGER NOT NULL DEFAULT 0,
  items_invalid INTEGER NOT NULL DEFAULT 0,
  added INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  issues INTEGER NOT NULL DEFAULT 0,
  finished_at TEXT NOT NULL,
  PRIMARY KEY (run_id, chunk_no)
);

CREATE TABLE run_issues (
  run_id TEXT NOT NULL,
  chunk_no INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  row INTEGER,
  item TEXT,
  field TEXT,
  code TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  value TEXT,
  PRIMARY KEY (run_id, chunk_no, seq)
);

CREATE TABLE schedule_skips (
  import_id TEXT NOT NULL,
  slot TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (import_id, slot)
);
