import { type CustomerRecord, newId, sha256Hex, storedIdValue, type UserId } from "@cdp/core";
import type { Db } from "../db";
import {
  type Change,
  canonicalJson,
  classify,
  count,
  readByKeys,
  runBatches,
  type StoredVersion,
  valuesClause,
  type WriteCounts,
  type WriteScope,
} from "./common";

const idKey = (id: UserId) => `${id.type}\u0000${id.value}`;

interface ProfileRow extends StoredVersion {
  id: string;
  attributes: string;
  created_at: string;
}

interface ProfileState {
  id: string;
  attributes: Record<string, unknown>;
  ids: Map<string, UserId>;
  stored: StoredVersion | undefined;
  createdAt: string;
  changed: boolean;
}

/** Finds the profile of each id, in bulk. */
async function profilesOfIds(db: Db, tenantId: string, ids: UserId[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 49) {
    const group = ids.slice(i, i + 49);
    const rows = await db
      .prepare(
        `SELECT id_type, id_value, profile_id FROM profile_ids WHERE tenant_id = ?1
         AND (id_type, id_value) IN (VALUES ${valuesClause(group.length, 2, 2)})`,
      )
      .bind(tenantId, ...group.flatMap((id) => [id.type, id.value]))
      .all<{ id_type: string; id_value: string; profile_id: string }>();
    for (const row of rows.results)
      out.set(idKey({ type: row.id_type, value: row.id_value }), row.profile_id);
  }
  return out;
}

async function loadProfiles(
  db: Db,
  tenantId: string,
  profileIds: string[],
): Promise<Map<string, ProfileState>> {
  const rows = await readByKeys<ProfileRow>(
    db,
    (p) =>
      `SELECT id, attributes, content_hash, created_run, changed_run, created_at FROM profiles WHERE tenant_id = ?1 AND id IN (${p})`,
    tenantId,
    profileIds,
  );
  const idRows = await readByKeys<{ profile_id: string; id_type: string; id_value: string }>(
    db,
    (p) =>
      `SELECT profile_id, id_type, id_value FROM profile_ids WHERE tenant_id = ?1 AND profile_id IN (${p})`,
    tenantId,
    profileIds,
  );
  const out = new Map<string, ProfileState>();
  for (const row of rows) {
    out.set(row.id, {
      id: row.id,
      attributes: JSON.parse(row.attributes) as Record<string, unknown>,
      ids: new Map(),
      stored: row,
      createdAt: row.created_at,
      changed: false,
    });
  }
  for (const row of idRows) {
    const id = { type: row.id_type, value: row.id_value };
    out.get(row.profile_id)?.ids.set(idKey(id), id);
  }
  return out;
}

function profileHash(profile: ProfileState): Promise<string> {
  const ids = [...profile.ids.keys()].sort();
  return sha256Hex(canonicalJson({ attributes: profile.attributes, ids }));
}

function normalizeIds(ids: UserId[]): UserId[] {
  return ids.map((id) => ({ type: id.type, value: storedIdValue(id.type, id.value) }));
}

/**
 * Writes customer records: each record's ids resolve to one profile, created when new. Ids in one
 * record link to the same profile; when they point to two existing profiles, the profiles merge
 * into the oldest. `merge` keeps attributes the file does not mention, `replace` keeps only the
 * imported ones.
 */
export async function writeCustomers(
  db: Db,
  scope: WriteScope & { mergeStrategy: "merge" | "replace" },
  records: CustomerRecord[],
): Promise<WriteCounts> {
  const normalized = records.map((r) => ({ ...r, ids: normalizeIds(r.ids) }));
  const allIds = [...new Map(normalized.flatMap((r) => r.ids).map((id) => [idKey(id), id])).values()];
  const owner = await profilesOfIds(db, scope.tenantId, allIds);
  const profiles = await loadProfiles(db, scope.tenantId, [...new Set(owner.values())]);
  const merged = new Set<string>();
  const changes: Change[] = [];

  for (const record of normalized) {
    const targets = [...new Set(record.ids.map((id) => owner.get(idKey(id))).filter((p): p is string => !!p))]
      .map((id) => profiles.get(id))
      .filter((p): p is ProfileState => !!p)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    let profile = targets[0];
    if (!profile) {
      profile = {
        id: newId("prf"),
        attributes: {},
        ids: new Map(),
        stored: undefined,
        createdAt: scope.now,
        changed: true,
      };
      profiles.set(profile.id, profile);
    }
    for (const other of targets.slice(1)) {
      // The other profile's attributes fill in what the survivor lacks; its ids move over.
      profile.attributes = { ...other.attributes, ...profile.attributes };
      for (const [key, id] of other.ids) {
        profile.ids.set(key, id);
        owner.set(key, profile.id);
      }
      profiles.delete(other.id);
      merged.add(other.id);
    }
    for (const id of record.ids) {
      profile.ids.set(idKey(id), id);
      owner.set(idKey(id), profile.id);
    }
    profile.attributes =
      scope.mergeStrategy === "replace"
        ? { ...record.attributes }
        : { ...profile.attributes, ...record.attributes };
    const { change, write } = classify(profile.stored, await profileHash(profile), scope.runId);
    changes.push(targets.length > 1 ? (change === "added" ? "added" : "updated") : change);
    if (write || targets.length > 1) profile.changed = true;
  }

  if (!scope.dryRun)
    await saveProfiles(
      db,
      scope,
      [...profiles.values()].filter((p) => p.changed),
      [...merged],
    );
  return count(changes);
}

async function saveProfiles(
  db: Db,
  scope: WriteScope,
  profiles: ProfileState[],
  merged: string[],
): Promise<void> {
  const groups: D1PreparedStatement[][] = [];
  for (const profile of profiles) {
    const hash = await profileHash(profile);
    const group: D1PreparedStatement[] = [
      db
        .prepare(
          `INSERT INTO profiles (tenant_id, id, attributes, content_hash, created_run, changed_run, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?6)
           ON CONFLICT (tenant_id, id) DO UPDATE SET attributes = excluded.attributes,
             content_hash = excluded.content_hash, changed_run = excluded.changed_run, updated_at = excluded.updated_at
           WHERE profiles.content_hash <> excluded.content_hash OR profiles.changed_run IS NOT excluded.changed_run`,
        )
        .bind(scope.tenantId, profile.id, JSON.stringify(profile.attributes), hash, scope.runId, scope.now),
    ];
    const ids = [...profile.ids.values()];
    for (let i = 0; i < ids.length; i += 30) {
      const part = ids.slice(i, i + 30);
      group.push(
        db
          .prepare(
            `INSERT INTO profile_ids (tenant_id, id_type, id_value, profile_id) VALUES ${valuesClause(part.length, 4)}
             ON CONFLICT (tenant_id, id_type, id_value) DO UPDATE SET profile_id = excluded.profile_id`,
          )
          .bind(...part.flatMap((id) => [scope.tenantId, id.type, id.value, profile.id])),
      );
    }
    groups.push(group);
  }
  for (let i = 0; i < merged.length; i += 99) {
    const part = merged.slice(i, i + 99);
    groups.push([
      db
        .prepare(
          `DELETE FROM profiles WHERE tenant_id = ?1 AND id IN (${part.map((_, j) => `?${j + 2}`).join(", ")})`,
        )
        .bind(scope.tenantId, ...part),
    ]);
  }
  await runBatches(db, groups);
}

/**
 * Makes sure each of these ids has a profile, creating one where none exists (an order's buyer,
 * say). Safe when chunks race: the id is claimed first, and only the claiming profile is created.
 */
export async function ensureProfiles(db: Db, scope: WriteScope, ids: UserId[]): Promise<void> {
  const unique = [...new Map(normalizeIds(ids).map((id) => [idKey(id), id])).values()];
  const owner = await profilesOfIds(db, scope.tenantId, unique);
  const missing = unique.filter((id) => !owner.has(idKey(id)));
  const groups = missing.map((id) => {
    const profileId = newId("prf");
    return [
      db
        .prepare(
          "INSERT INTO profile_ids (tenant_id, id_type, id_value, profile_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )
        .bind(scope.tenantId, id.type, id.value, profileId),
      db
        .prepare(
          `INSERT INTO profiles (tenant_id, id, attributes, content_hash, created_at, updated_at)
           SELECT ?1, ?2, '{}', '', ?3, ?3
           WHERE EXISTS (SELECT 1 FROM profile_ids WHERE tenant_id = ?1 AND profile_id = ?2)`,
        )
        .bind(scope.tenantId, profileId, scope.now),
    ];
  });
  await runBatches(db, groups);
}
