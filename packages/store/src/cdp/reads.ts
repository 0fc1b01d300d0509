import { HASHED_ID_TYPES, normalizeId, sha256Hex, storedIdValue, type UserId } from "@cdp/core";
import type { Db } from "../db";

export interface ProfileView {
  id: string;
  ids: UserId[];
  attributes: Record<string, unknown>;
  orders: {
    count: number;
    /** Σ (total − refund) per currency, rounded to cents. */
    revenue: Record<string, number>;
    firstOrderAt: string | null;
    lastOrderAt: string | null;
  };
  updatedAt: string;
}

// The exact id is preferred over its hash when both are known (as two profiles).
const OWNER_SQL = `SELECT profile_id FROM profile_ids
  WHERE tenant_id = ?1 AND ((id_type = ?2 AND id_value = ?3) OR (id_type = ?4 AND id_value = ?5))
  ORDER BY id_type = ?2 DESC LIMIT 1`;

// Orders are looked up by each of the profile's ids (index orders_user); an order without a
// buyer (empty user columns) is nobody's.
const SUMMARY_SQL = `SELECT currency, COUNT(*) AS n, SUM(total - refund) AS revenue,
    MIN(created_at) AS first_at, MAX(created_at) AS last_at
  FROM orders WHERE tenant_id = ?1 AND user_id <> '' AND (user_id_type, user_id) IN
    (SELECT id_type, id_value FROM profile_ids WHERE tenant_id = ?1 AND profile_id = ?2)
  GROUP BY currency`;

/**
 * A profile by one of its ids, with a summary of its orders: those placed under any of its ids.
 * A plain e-mail or phone is looked up by its hash too (`email` → `email_sha256` of the
 * trimmed, lowercased value), since imports may have stored only the hash.
 */
export async function getProfile(
  db: Db,
  tenantId: string,
  idType: string,
  idValue: string,
): Promise<ProfileView | null> {
  const exact = { type: idType, value: storedIdValue(idType, idValue) };
  const hashedType = HASHED_ID_TYPES[idType];
  const hashed = hashedType ? { type: hashedType, value: await sha256Hex(normalizeId(idValue)) } : exact;
  const owner = await db
    .prepare(OWNER_SQL)
    .bind(tenantId, exact.type, exact.value, hashed.type, hashed.value)
    .first<{ profile_id: string }>();
  if (!owner) return null;
  const [profileRows, idRows, summaryRows] = await db.batch<Record<string, unknown>>([
    db
      .prepare("SELECT id, attributes, updated_at FROM profiles WHERE tenant_id = ?1 AND id = ?2")
      .bind(tenantId, owner.profile_id),
    db
      .prepare(
        "SELECT id_type, id_value FROM profile_ids WHERE tenant_id = ?1 AND profile_id = ?2 ORDER BY id_type, id_value",
      )
      .bind(tenantId, owner.profile_id),
    db.prepare(SUMMARY_SQL).bind(tenantId, owner.profile_id),
  ]);
  const profile = profileRows?.results[0] as
    | { id: string; attributes: string; updated_at: string }
    | undefined;
  if (!profile) return null;
  const ids = ((idRows?.results ?? []) as { id_type: string; id_value: string }[]).map((r) => ({
    type: r.id_type,
    value: r.id_value,
  }));
  const summary = (summaryRows?.results ?? []) as {
    currency: string;
    n: number;
    revenue: number;
    first_at: string;
    last_at: string;
  }[];
  const orders: ProfileView["orders"] = { count: 0, revenue: {}, firstOrderAt: null, lastOrderAt: null };
  for (const row of summary) {
    orders.count += row.n;
    orders.revenue[row.currency] = Math.round(row.revenue * 100) / 100;
    if (!orders.firstOrderAt || row.first_at < orders.firstOrderAt) orders.firstOrderAt = row.first_at;
    if (!orders.lastOrderAt || row.last_at > orders.lastOrderAt) orders.lastOrderAt = row.last_at;
  }
  return {
    id: profile.id,
    ids,
    attributes: JSON.parse(profile.attributes) as Record<string, unknown>,
    orders,
    updatedAt: profile.updated_at,
  };
}
