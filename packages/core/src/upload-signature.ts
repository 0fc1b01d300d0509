import { toHex } from "./hash";

/**
 * Signed upload URLs: HMAC-SHA256 over the method, the object key, the tenant and the expiry,
 * so that a URL works only for what it was issued for, and only until it expires.
 */
export interface UploadGrant {
  method: "PUT";
  key: string;
  tenantId: string;
  /** Expiry as seconds since the epoch. */
  expires: number;
}

const encoder = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

function canonical(grant: UploadGrant): string {
  return [grant.method, grant.key, grant.tenantId, String(grant.expires)].join("\n");
}

export async function signUpload(grant: UploadGrant, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(canonical(grant)));
  return toHex(mac);
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]*$/.test(hex) || hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** True when `signature` is the grant's; compared in constant time by WebCrypto's verify. */
export async function verifyUpload(grant: UploadGrant, signature: string, secret: string): Promise<boolean> {
  const bytes = fromHex(signature);
  if (bytes?.length !== 32) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(secret), bytes, encoder.encode(canonical(grant)));
}

/** The path and query of a signed upload URL, relative to the public base URL. */
export async function uploadPath(grant: UploadGrant, secret: string): Promise<string> {
  const params = new URLSearchParams({
    tenant: grant.tenantId,
    expires: String(grant.expires),
    sig: await signUpload(grant, secret),
  });
  return `/uploads/${grant.key.split("/").map(encodeURIComponent).join("/")}?${params}`;
}
