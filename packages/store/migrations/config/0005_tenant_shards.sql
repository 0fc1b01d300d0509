-- How many data shards hold a tenant's orders and products (apps/cdp-store): a power of two, set
-- when the tenant is created. Its profiles live in an identity shard of their own.
ALTER TABLE tenants ADD COLUMN shards INTEGER NOT NULL DEFAULT 4;
