import { decryptSecret, loadKeyring, type SecretKeyring, wholeNumberVar } from "@cdp/core";
import { findInboxKey, touchInboxKey } from "@cdp/store";
import { S3Error } from "./errors";

/**
 * How long an isolate trusts an inbox key it has looked up (KEY_CACHE_SECONDS) for reading: by
 * default as long as the API trusts an API key, so a revoked key stops reading within the same 30
 * seconds. A request that writes (PUT, POST, DELETE) looks the key up again every time, as the
 * API does, so a revoked key (or a deleted tenant's) cannot write even once. Unknown keys are
 * never remembered, so a new key works at once.
 */
const cacheMs = (env: Env) => wholeNumberVar(env.KEY_CACHE_SECONDS, 30, 0) * 1000;
const CACHE_ENTRIES = 1_000;
/** `lastUsedAt` is written at most this often per key. */
const LAST_USED_EVERY_MS = 60_000;

export interface InboxKey {
  accessKeyId: string;
  tenantId: string;
  tenantCreatedAt: string;
  secret: string;
}

interface Remembered {
  key: InboxKey;
  until: number;
  /** When this isolate last recorded the key's use. */
  touchedAt: number;
}

const remembered = new Map<string, Remembered>();

let keyring: { source: string; keyring: Promise<SecretKeyring> } | undefined;

function keyringOf(env: Env): Promise<SecretKeyring> {
  if (keyring?.source !== env.SECRETS_KEYS) {
    keyring = { source: env.SECRETS_KEYS, keyring: loadKeyring(env.SECRETS_KEYS) };
  }
  return keyring.keyring;
}

/**
 * The key of that id that works, with its tenant and secret; InvalidAccessKeyId otherwise. A
 * remembered key serves reads; `writes` looks it up again.
 */
export async function inboxKey(env: Env, accessKeyId: string, writes: boolean): Promise<InboxKey> {
  const now = Date.now();
  let hit = remembered.get(accessKeyId);
  if (!hit || hit.until <= now || writes) {
    const row = await findInboxKey(env.CONFIG_DB, accessKeyId);
    if (!row) {
      remembered.delete(accessKeyId);
      throw new S3Error(
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        {
          AWSAccessKeyId: accessKeyId,
        },
      );
    }
    if (hit && hit.until > now && hit.key.tenantId === row.tenantId) return hit.key;
    remembered.delete(accessKeyId);
    const secret = await decryptSecret(await keyringOf(env), row.secretSealed, row.tenantId);
    if (remembered.size >= CACHE_ENTRIES) {
      const oldest = remembered.keys().next().value;
      if (oldest !== undefined) remembered.delete(oldest);
    }
    const lastUsed = row.lastUsedAt ? Date.parse(row.lastUsedAt) : 0;
    hit = {
      key: { accessKeyId, tenantId: row.tenantId, tenantCreatedAt: row.tenantCreatedAt, secret },
      until: now + cacheMs(env),
      touchedAt: lastUsed,
    };
    remembered.set(accessKeyId, hit);
  }
  return hit.key;
}

/** Records that a key was used (after its signature checked), at most once a minute. */
export function keyUsed(env: Env, ctx: ExecutionContext, accessKeyId: string): void {
  const hit = remembered.get(accessKeyId);
  const now = Date.now();
  if (!hit || now - hit.touchedAt < LAST_USED_EVERY_MS) return;
  hit.touchedAt = now;
  ctx.waitUntil(
    touchInboxKey(
      env.CONFIG_DB,
      accessKeyId,
      new Date(now).toISOString(),
      new Date(now - LAST_USED_EVERY_MS).toISOString(),
    ).catch((err) => console.error("s3-inbox: last use not recorded", accessKeyId, String(err))),
  );
}
