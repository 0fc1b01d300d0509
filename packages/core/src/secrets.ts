import { MASK, SECRET_FIELDS, type Source } from "./config";

/**
 * Secrets of sources are encrypted at rest with AES-GCM. `SECRETS_KEYS` holds one or more keys
 * as `id:base64,id:base64`; the first encrypts, all decrypt, so a key can be rotated by putting
 * a new one first. Each ciphertext names its key: `enc:v2:<keyId>:<iv>:<ciphertext>`, and is
 * bound to its tenant (the tenant id is its additional authenticated data): copied into another
 * tenant's import, it does not decrypt. `enc:v1:` values (not bound) still decrypt, and are
 * bound when their import is next saved.
 */
export interface SecretKeyring {
  current: { id: string; key: CryptoKey };
  byId: Map<string, CryptoKey>;
}

const PREFIX = "enc:v2:";
const UNBOUND_PREFIX = "enc:v1:";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export async function loadKeyring(secretsKeys: string | undefined): Promise<SecretKeyring> {
  const entries = (secretsKeys ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const byId = new Map<string, CryptoKey>();
  let current: SecretKeyring["current"] | undefined;
  for (const entry of entries) {
    const [id, material] = entry.split(":", 2);
    const bytes = material ? fromBase64(material) : new Uint8Array();
    if (!id || bytes.length !== 32) {
      throw new Error("SECRETS_KEYS must be 'id:base64' entries of 32-byte keys, separated by commas");
    }
    const key = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
    byId.set(id, key);
    current ??= { id, key };
  }
  if (!current) throw new Error("SECRETS_KEYS is not set: source secrets cannot be encrypted");
  return { current, byId };
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === "string" && (value.startsWith(PREFIX) || value.startsWith(UNBOUND_PREFIX));
}

/** The additional authenticated data of a tenant's secrets. */
const boundTo = (tenantId: string) => encoder.encode(`cdp source secret of tenant ${tenantId}`);

export async function encryptSecret(
  keyring: SecretKeyring,
  plain: string,
  tenantId: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: boundTo(tenantId) },
    keyring.current.key,
    encoder.encode(plain),
  );
  return `${PREFIX}${keyring.current.id}:${toBase64(iv)}:${toBase64(new Uint8Array(data))}`;
}

export async function decryptSecret(
  keyring: SecretKeyring,
  sealed: string,
  tenantId: string,
): Promise<string> {
  const bound = sealed.startsWith(PREFIX);
  const [keyId, iv, data] = sealed.slice(bound ? PREFIX.length : UNBOUND_PREFIX.length).split(":");
  const key = keyId ? keyring.byId.get(keyId) : undefined;
  if (!key || !iv || !data)
    throw new Error(`a stored secret uses key '${keyId}', which is not in SECRETS_KEYS`);
  try {
    const plain = await crypto.subtle.decrypt(
      bound
        ? { name: "AES-GCM", iv: fromBase64(iv), additionalData: boundTo(tenantId) }
        : { name: "AES-GCM", iv: fromBase64(iv) },
      key,
      fromBase64(data),
    );
    return decoder.decode(plain);
  } catch {
    throw new Error("a stored secret does not decrypt: it belongs to another tenant, or it was changed");
  }
}

type SecretValue = string | Record<string, string>;

/** Where a secret value stands in a source: a field, or a name inside a field of several (headers). */
interface SecretPlace {
  field: (typeof SECRET_FIELDS)[number];
  name?: string;
}

/** Every secret value of a source, where it stands, with its path as the API names it. */
function secretEntries(source: Source): (SecretPlace & { value: string; path: string })[] {
  const entries: (SecretPlace & { value: string; path: string })[] = [];
  for (const field of SECRET_FIELDS) {
    const value = (source as Record<string, unknown>)[field] as SecretValue | undefined;
    if (typeof value === "string") entries.push({ field, value, path: `source.${field}` });
    else if (value && typeof value === "object")
      for (const [name, inner] of Object.entries(value))
        entries.push({ field, name, value: inner, path: `source.${field}.${name}` });
  }
  return entries;
}

/** The secret value of `source` at `place`, if it has one there. */
function secretAt(source: Source | undefined, { field, name }: SecretPlace): unknown {
  const value = (source as Record<string, unknown> | undefined)?.[field];
  return name === undefined ? value : (value as Record<string, unknown> | undefined)?.[name];
}

/** `out` with `value` put at `place` (a field of several is copied, not changed in place). */
function putSecret(out: Record<string, unknown>, { field, name }: SecretPlace, value: string): void {
  out[field] = name === undefined ? value : { ...(out[field] as Record<string, string>), [name]: value };
}

async function mapSecrets(source: Source, fn: (value: string) => Promise<string> | string): Promise<Source> {
  const out: Record<string, unknown> = { ...source };
  for (const entry of secretEntries(source)) putSecret(out, entry, await fn(entry.value));
  return out as Source;
}

/**
 * The tenant's source with every secret value encrypted and bound to the tenant. A value bound
 * already stays as it is; one of the older, unbound form is bound now.
 */
export function sealSource(keyring: SecretKeyring, source: Source, tenantId: string): Promise<Source> {
  return mapSecrets(source, async (value) => {
    if (value.startsWith(PREFIX)) return value;
    const plain = value.startsWith(UNBOUND_PREFIX) ? await decryptSecret(keyring, value, tenantId) : value;
    return encryptSecret(keyring, plain, tenantId);
  });
}

/** The tenant's source with every secret decrypted, for the Workers that open it. */
export function openSource(keyring: SecretKeyring, source: Source, tenantId: string): Promise<Source> {
  return mapSecrets(source, (value) =>
    isEncrypted(value) ? decryptSecret(keyring, value, tenantId) : value,
  );
}

/** The source as shown to users: each secret value replaced by "***" where it stands. */
export function maskSource(source: Source): Promise<Source> {
  return mapSecrets(source, () => MASK);
}

/**
 * Where a source sends its secrets: a URL's origin, an S3 endpoint (AWS when none) and access
 * key, an SFTP server and user name. E-goi's API is fixed, so its key goes nowhere else.
 */
function destination(source: Source): string {
  switch (source.type) {
    case "url":
      return new URL(source.url).origin;
    case "s3":
      return JSON.stringify([source.endpoint ? new URL(source.endpoint).origin : "aws", source.accessKeyId]);
    case "sftp":
      return JSON.stringify([source.host.toLowerCase(), source.port ?? 22, source.username]);
    default:
      return source.type;
  }
}

/**
 * For a PATCH: a "***" in the sent source keeps the stored (sealed) secret at that place, when
 * the stored source is of the same type and its secrets would go to the same place. A "***"
 * that cannot be kept (another host, endpoint, user name or type; nothing stored there) is
 * answered in `unkept`, by path, so that the secret is asked for again: a stored password is
 * never sent to a server the user did not give it for.
 */
export function keepMaskedSecrets(
  sent: Source,
  stored: Source | undefined,
): { source: Source; unkept: string[] } {
  const out: Record<string, unknown> = { ...sent };
  const samePlace = stored?.type === sent.type && destination(stored) === destination(sent);
  const unkept: string[] = [];
  for (const entry of secretEntries(sent)) {
    if (entry.value !== MASK) continue;
    const before = secretAt(stored, entry);
    if (samePlace && typeof before === "string") putSecret(out, entry, before);
    else unkept.push(entry.path);
  }
  return { source: out as Source, unkept };
}

/**
 * The paths of secret values sent already in their stored, encrypted form. Only the stored
 * record may hold those: a sealed value sent in a request would be decrypted for whoever sent
 * it (to a URL of their choosing), so requests that carry one are refused.
 */
export function sealedSecretPaths(source: Source): string[] {
  return secretEntries(source)
    .filter((entry) => isEncrypted(entry.value))
    .map((entry) => entry.path);
}
