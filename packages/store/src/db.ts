/** A D1 database or a session of it (the Sessions API for read replicas). */
export type Db = Pick<D1Database, "prepare" | "batch">;

/** D1 allows at most 100 bound parameters in one statement. */
export const MAX_PARAMS = 100;

/** Splits `items` in groups so that `perItem` parameters each stay within `limit`. */
export function chunked<T>(items: readonly T[], perItem: number, limit = MAX_PARAMS): T[][] {
  const size = Math.max(1, Math.floor(limit / perItem));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Opaque list cursor: the last id of a page. */
export function encodeCursor(value: string): string {
  return btoa(value).replaceAll("=", "");
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  try {
    return atob(cursor);
  } catch {
    return null;
  }
}
