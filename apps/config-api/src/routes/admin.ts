import { CdpStore } from "@cdp/cdp-store/client";
import { closeTenant, deleteTenantRows, getTenant } from "@cdp/store";
import { Hono } from "hono";
import { forgetTenantKeys } from "../middleware/auth";

/**
 * The operator's routes, outside the public API and its document: deleting a tenant, which
 * needs the CDP store's objects and R2 as well as CONFIG_DB (scripts/admin.mjs delete-tenant).
 * They answer only `Authorization: Bearer <ADMIN_TOKEN>`, and not at all while the Worker has
 * no ADMIN_TOKEN.
 */
export const admin = new Hono<{ Bindings: Env }>();

/** Compares two texts in time that does not depend on where they differ. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const digest = async (text: string) =>
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const refused = (status: 401 | 404, message: string) =>
  Response.json({ error: { code: status === 401 ? "unauthorized" : "not_found", message } }, { status });

admin.use("*", async (c, next) => {
  const token = c.env.ADMIN_TOKEN;
  if (!token) return refused(404, `No route for ${c.req.method} ${c.req.path}.`);
  const given = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
  if (!given || !(await sameSecret(given, token))) return refused(401, "The admin token was refused.");
  return next();
});

/** Deletes every file of the tenant in R2 (uploads, its inbox, the files runs landed), in pages. */
async function deleteFiles(bucket: R2Bucket, tenantId: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      prefix: `tenants/${tenantId}/`,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    deleted += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/**
 * Deletes a tenant: its keys stop working and its runs are cancelled first; then its CDP data
 * (every object of its store), its files and its rows in CONFIG_DB go. The store is wiped once
 * more at the end, for a chunk that was being written when the runs were cancelled.
 */
admin.delete("/admin/tenants/:id", async (c) => {
  const id = c.req.param("id");
  const tenant = await getTenant(c.env.CONFIG_DB, id);
  if (!tenant) return refused(404, `No tenant '${id}'.`);
  await closeTenant(c.env.CONFIG_DB, id, new Date().toISOString());
  forgetTenantKeys(id);
  const store = new CdpStore(c.env.CDP_SHARDS, tenant);
  const held = await store.usage();
  await store.wipe();
  const files = await deleteFiles(c.env.FILES, id);
  await deleteTenantRows(c.env.CONFIG_DB, id);
  await store.wipe();
  const sum = (field: "profiles" | "orders" | "products") => held.reduce((n, shard) => n + shard[field], 0);
  return c.json({
    deleted: {
      tenant: id,
      objects: held.length,
      profiles: sum("profiles"),
      orders: sum("orders"),
      products: sum("products"),
      files,
    },
  });
});
