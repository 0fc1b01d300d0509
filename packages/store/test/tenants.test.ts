import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenantWithKey, findTenantByApiKey } from "../src/index";

interface StoreEnv {
  CONFIG_DB: D1Database;
}
const db = (env as unknown as StoreEnv).CONFIG_DB;

describe("tenants and API keys", () => {
  it("finds the tenant of a key, and stores only the key's hash", async () => {
    await createTenantWithKey(db, { id: "acme", name: "Acme" }, "key_secret_acme", "2026-01-01T00:00:00Z");
    expect(await findTenantByApiKey(db, "key_secret_acme")).toEqual({ id: "acme", name: "Acme", shards: 4 });
    const stored = await db.prepare("SELECT key_hash, prefix FROM api_keys").all();
    expect(JSON.stringify(stored.results)).not.toContain("key_secret_acme");
    expect(stored.results[0]).toMatchObject({ key_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("refuses unknown and revoked keys", async () => {
    await createTenantWithKey(db, { id: "beta", name: "Beta" }, "key_beta", "2026-01-01T00:00:00Z");
    expect(await findTenantByApiKey(db, "key_unknown")).toBeNull();
    await db.prepare("UPDATE api_keys SET revoked_at = '2026-01-02' WHERE tenant_id = 'beta'").run();
    expect(await findTenantByApiKey(db, "key_beta")).toBeNull();
  });
});
