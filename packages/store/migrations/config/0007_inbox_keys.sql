-- Each tenant's own bucket, spoken to by the S3 protocol (the s3-inbox Worker).

-- Inbox keys: an S3 access key id and its secret access key, which SigV4 needs in the clear to
-- check a signature, so the secret is kept encrypted (SECRETS_KEYS) and bound to its tenant.
-- `last_used_at` is written at most once a minute per key.
CREATE TABLE inbox_keys (
  access_key_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  secret_sealed TEXT NOT NULL,
  description TEXT,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX inbox_keys_tenant ON inbox_keys (tenant_id, revoked_at, created_at);

-- Multipart uploads into an inbox, and the parts each has received: R2 keeps the parts but
-- cannot list them, and an upload id is honoured only for the tenant and key that started it.
CREATE TABLE inbox_uploads (
  upload_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  key TEXT NOT NULL,
  checksum_algorithm TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX inbox_uploads_tenant ON inbox_uploads (tenant_id, created_at);

CREATE TABLE inbox_upload_parts (
  upload_id TEXT NOT NULL REFERENCES inbox_uploads (upload_id) ON DELETE CASCADE,
  part_number INTEGER NOT NULL,
  etag TEXT NOT NULL,
  size INTEGER NOT NULL,
  checksum TEXT,
  uploaded_at TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);

-- The runs each inbox file started, by its trigger key (`tenants/<t>/inbox/<key>#<eTag>`).
CREATE INDEX runs_tenant_trigger ON runs (tenant_id, trigger_key) WHERE trigger_key IS NOT NULL;
