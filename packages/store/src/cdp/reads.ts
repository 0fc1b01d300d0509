import { HASHED_ID_TYPES, normalizeId, sha256Hex, storedIdValue, type UserId } from "@cdp/core";
import type { Db } from "../db";
import { valuesClause } from "./common";

export interface ProfileView {
  id: string;
  ids: UserId[];
  attributes: Record<string, unknown>;
  orders: {
    count: number;
    revenue: Record<string, number>;
    firstOrderAt: string | null;
    lastOrderAt: string | null;
  };
  updatedAt: string;
}

/**
 * A profile by one of its ids. An id given in plain form is looked up by its hash too
 * (`email` → `email_sha256`), since imports may have hashed it.
 */
export async function getProfile(
  db: Db,
  tenantId: string,
  idType: string,
  idValue: string,
): Promise<ProfileView | null> {
  const candidates: UserId[] = [{ type: idType, value: storedIdValue(idType, idValue) }];
  const hashedType = HASHED_ID_TYPES[idType];
  if (hashedType) candidates.push({ type: hashedType, value: await sha256Hex(normalizeId(idValue)) });
  const owner = await db
    .prepare(
      `SELECT profile_id FROM profile_ids WHERE tenant_id = ?1 AND (id_type, id_value) IN (VALUES ${valuesClause(candidates.length, 2, 2)})
       LIMIT 1`,
    )
    .bind(tenantId, ...candidates.flatMap((c) => [c.type, c.value]))
    .first<{ profile_id: string }>();
  if (!owner) return null;
  const [profileRows, idRows] = await db.batch([
    db
      .prepare("SELECT id, attributes, updated_at FROM profiles WHERE tenant_id = ?1 AND id = ?2")
      .bind(tenantId, owner.profile_id),
    db
      .prepare(
        "SELECT id_type, id_value FROM profile_ids WHERE tenant_id = ?1 AND profile_id = ?2 ORDER BY id_type, id_value",
      )
      .bind(tenantId, owner.profile_id),
  ]);
  const profile = profileRows?.results[0] as
    | { id: string; attributes: string; updated_at: string }
    | undefined;
  if (!profile) return null;
  const ids = ((idRows?.results ?? []) as { id_type: string; id_value: string }[]).map((r) => ({
    type: r.id_type,
    value: r.id_value,
  }));
  const summary = await db
    .prepare(
      `SELECT currency, COUNT(*) AS n, SUM(total - refund) AS revenue, MIN(created_at) AS first_at, MAX(created_at) AS last_at
       FROM orders WHERE tenant_id = ?1 AND (user_id_type, user_id) IN (VALUES ${valuesClause(ids.length, 2, 2)})
       GROUP BY currency`,
    )
    .bind(tenantId, ...ids.flatMap((id) => [id.type, id.value]))
    .all<{ currency: string; n: number; revenue: number; first_at: string; last_at: string }>();
  const orders: ProfileView["orders"] = { count: 0, revenue: {}, firstOrderAt: null, lastOrderAt: null };
  for (const row of summary.results) {
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
