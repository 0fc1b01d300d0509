/**
 * The dashboard's session: the API key sealed with AES-GCM into an HttpOnly cookie, so the
 * browser holds it but cannot read it, and a CSRF token tied to the session.
 */

export const SESSION_COOKIE = "cdp_session";
/** The sign-in form's double-submit cookie: a sign-in from another site is refused. */
export const SIGN_IN_COOKIE = "cdp_sign_in";
/** How long a session lasts before signing in again. */
export const SESSION_SECONDS = 12 * 60 * 60;

export interface Session {
  apiKey: string;
  /** Random; the CSRF token is derived from it. */
  id: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** The Worker runs without its secret: no session could be sealed safely. */
export class MissingSessionSecret extends Error {
  constructor() {
    super(
      "The dashboard is not configured: set the Worker secret SESSION_SECRET (16 characters or more), e.g. `wrangler secret put SESSION_SECRET`.",
    );
    this.name = "MissingSessionSecret";
  }
}

interface SessionKeys {
  seal: CryptoKey;
  csrf: CryptoKey;
}

const encoder = new TextEncoder();
const keysBySecret = new Map<string, Promise<SessionKeys>>();

/** Two keys derived from the Worker secret with HKDF: one seals, one signs CSRF tokens. */
function sessionKeys(secret: string): Promise<SessionKeys> {
  if (typeof secret !== "string" || secret.length < 16) throw new MissingSessionSecret();
  let keys = keysBySecret.get(secret);
  if (!keys) {
    keys = (async () => {
      const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
      const params = (info: string) => ({
        name: "HKDF",
        hash: "SHA-256",
        salt: new Uint8Array(0),
        info: encoder.encode(info),
      });
      return {
        seal: await crypto.subtle.deriveKey(
          params("cdp-dashboard session seal"),
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
        csrf: await crypto.subtle.deriveKey(
          params("cdp-dashboard csrf"),
          base,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign"],
        ),
      };
    })();
    keysBySecret.set(secret, keys);
  }
  return keys;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[\w-]*$/.test(text)) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A random token, URL-safe. */
export function randomToken(bytes = 18): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function newSession(apiKey: string, now: Date): Session {
  return { apiKey, id: randomToken(), expiresAt: Math.floor(now.getTime() / 1000) + SESSION_SECONDS };
}

/** The cookie value: base64url(iv ‖ AES-GCM(session JSON)). */
export async function sealSession(secret: string, session: Session): Promise<string> {
  const { seal } = await sessionKeys(secret);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    seal,
    encoder.encode(JSON.stringify(session)),
  );
  const out = new Uint8Array(iv.length + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), iv.length);
  return toBase64Url(out);
}

/** The session in a cookie value; null when it was tampered with, sealed with another secret or expired. */
export async function openSession(
  secret: string,
  value: string | undefined,
  now: Date,
): Promise<Session | null> {
  if (!value) return null;
  const bytes = fromBase64Url(value);
  if (!bytes || bytes.length <= 12) return null;
  const { seal } = await sessionKeys(secret);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, seal, bytes.slice(12));
  } catch {
    return null;
  }
  const session = JSON.parse(new TextDecoder().decode(plain)) as Session;
  if (session.expiresAt * 1000 <= now.getTime()) return null;
  return session;
}

/** The CSRF token of a session: HMAC of its id, so it cannot be made without the secret. */
export async function csrfToken(secret: string, session: Session): Promise<string> {
  const { csrf } = await sessionKeys(secret);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", csrf, encoder.encode(session.id))));
}

/** Compares two tokens in time independent of where they differ. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
