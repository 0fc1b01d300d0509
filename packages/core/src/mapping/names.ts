/**
 * A column name as the suggestions compare it: whatever its case, accents, spaces and punctuation
 * (`_ - . / ( )`), so that `E-mail Address`, `email_address` and `EMAIL ADDRESS` are one name
 * and `N.º encomenda` is `noencomenda` (º is o). `#` reads as "number" (`Order #`).
 */
export function columnKey(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replaceAll("#", "number")
    .replace(/[^\p{L}\p{N}]+/gu, "");
}
