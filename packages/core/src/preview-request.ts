import * as z from "zod";
import { Source } from "./config";
import { toHex } from "./hash";

/**
 * A preview of a file source asked of ingest by config-api over their service binding: ingest
 * opens the source as a run would (SFTP, S3, http, R2; gzip and zip unpacked) and answers only
 * its first bytes. The request carries the source with its secrets sealed, and an HMAC-SHA256
 * of its body made with the shared UPLOAD_SIGNING_SECRET, so that nothing but config-api can
 * have ingest open a source.
 */
export const PREVIEW_PATH = "/internal/preview";
export const PREVIEW_SIGNATURE_HEADER = "x-cdp-preview-signature";

export const PreviewRequest = z.object({
  tenantId: z.string().min(1),
  source: Source,
  /** options.entry of the import: which files of a zip archive it reads. */
  entry: z.string().min(1).optional(),
  /** The most bytes (after unpacking) to answer. */
  maxBytes: z.number().int().positive(),
  /** Seconds since the epoch after which ingest refuses the request. */
  expires: z.number().int(),
});
export type PreviewRequest = z.infer<typeof PreviewRequest>;

const encoder = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** `PREVIEW` then the body: never the same text as a signed upload grant (which starts with a verb). */
const canonical = (body: string) => encoder.encode(`PREVIEW\n${body}`);

export async function signPreviewRequest(body: string, secret: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret), canonical(body)));
}

export async function verifyPreviewRequest(
  body: string,
  signature: string,
  secret: string,
): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(signature.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.verify("HMAC", await hmacKey(secret), bytes, canonical(body));
}
