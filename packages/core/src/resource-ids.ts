const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A prefixed resource id (`imp_…`, `run_…`) that sorts by creation time: 9 base-36 characters
 * of milliseconds, then 12 random ones. Lists page by id with a cursor.
 */
export function newId(prefix: string, now = Date.now()): string {
  const time = now.toString(36).padStart(9, "0");
  const random = crypto.getRandomValues(new Uint8Array(12));
  let tail = "";
  for (const byte of random) tail += ALPHABET[byte % 36];
  return `${prefix}_${time}${tail}`;
}
