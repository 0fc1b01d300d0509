-- CDP_DB: the store the rest of the platform reads: profiles, their ids, orders, line items
-- and products. Every row is scoped by tenant. `created_run` / `changed_run` record which run
-- created or last changed a row, so that a redelivered chunk classifies its items
-- (added / updated / unchanged) exactly as the first delivery did.

CREATE TABLE profiles (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  attributes TEXT NOT NULL DEFAULT '{}',
  content_hash TEXT NOT NULL DEFAULT '',
  created_run TEXT,
  changed_run TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE profile_ids (
  tenant_id TEXT NOT NULL,
  id_type TEXT NOT NULL,
  id_value TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id_type, id_value)
);
CREATE INDEX profile_ids_profile ON profile_ids (tenant_id, profile_id);

CREATE TABLE orders (
  tenant_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  user_id_type TEXT NOT NULL,
  user_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  total REAL NOT NULL,
  refund REAL NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  data TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  created_run TEXT,
  changed_run TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, order_id)
);
CREATE INDEX orders_user ON orders (tenant_id, user_id_type, user_id);

CREATE TABLE line_items (
  tenant_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (tenant_id, order_id, position)
);

CREATE TABLE products (
  tenant_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  data TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  created_run TEXT,
  changed_run TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, product_id)
);
