import { type CustomerRecord, newId, sha256HexSync, storedIdValue, type UserId } from "@cdp/core";
import type { Db } from "../db";
import {
  type Change,
  canonicalJson,
  classify,
  col,
  count,
  jsonSize,
  packBySize,
  readRows,
  runBatches,
  STATEMENT_PAYLOAD_BYTES,
  type StoredVersion,
  statementsFor,
  type WriteCounts,
  type WriteScope,
} from "./common";

export const idKey = (id: UserId): string => `${id.type}\u0000${id.value}`;

/** An id in the form it is stored and matched in (see storedIdValue). */
export const storedId = (id: UserId): UserId => ({ type: id.type, value: storedIdValue(id.type, id.value) });

/**
 * The content a profile is classified by: its attributes and its sorted ids. The profile made for
 * an order's buyer (no attributes, one id) is hashed for every order written: its canonical JSON
 * is written directly.
 */
export function profileHash(attributes: Record<string, unknown>, ids: Iterable<UserId>): string {
  const keys = [...ids].map(idKey).sort();
  if (keys.length === 1 && Object.keys(attributes).length === 0)
    return sha256HexSync(`{"attributes":{},"ids":[${JSON.stringify(keys[0])}]}`);
  return sha256HexSync(canonicalJson({ attributes, ids: keys }));
}

/** A profile as this call sees it: loaded from the store, or new, and changed in memory. */
interface ProfileState {
  id: string;
  attributes: Record<string, unknown>;
  ids: Map<string, UserId>;
  stored: StoredVersion | undefined;
  createdAt: string;
  updatedAt: string;
  dirty: boolean;
}

interface ProfileRow extends StoredVersion {
  id: string;
  attributes: string;
  created_at: string;
  updated_at: string;
}

// Row values `(id_type, id_value) IN (...)` let SQLite look each pair up by primary key.
const OWNERS_SQL = `SELECT id_type, id_value, profile_id FROM profile_ids WHERE tenant_id = ?1
  AND (id_type, id_value) IN (SELECT ${col(0)}, ${col(1)} FROM json_each(?2))`;
const PROFILES_SQL = `SELECT id, attributes, content_hash, created_run, changed_run, created_at, updated_at
  FROM profiles WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?2))`;
const PROFILE_IDS_SQL = `SELECT profile_id, id_type, id_value FROM profile_ids
  WHERE tenant_id = ?1 AND profile_id IN (SELECT value FROM json_each(?2))`;

/** The profile of each id that has one, keyed by idKey. */
async function ownersOf(db: Db, tenantId: string, ids: UserId[]): Promise<Map<string, string>> {
  const rows = await readRows<{ id_type: string; id_value: string; profile_id: string }>(
    db,
    OWNERS_SQL,
    tenantId,
    ids.map((id) => [id.type, id.value]),
  );
  return new Map(rows.map((row) => [idKey({ type: row.id_type, value: row.id_value }), row.profile_id]));
}

async function loadProfiles(
  db: Db,
  tenantId: string,
  profileIds: string[],
): Promise<Map<string, ProfileState>> {
  const [rows, idRows] = await Promise.all([
    readRows<ProfileRow>(db, PROFILES_SQL, tenantId, profileIds),
    readRows<{ profile_id: string; id_type: string; id_value: string }>(
      db,
      PROFILE_IDS_SQL,
      tenantId,
      profileIds,
    ),
  ]);
  const out = new Map<string, ProfileState>();
  for (const row of rows) {
    out.set(row.id, {
      id: row.id,
      attributes: JSON.parse(row.attributes) as Record<string, unknown>,
      ids: new Map(),
      stored: { content_hash: row.content_hash, created_run: row.created_run, changed_run: row.changed_run },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      dirty: false,
    });
  }
  for (const row of idRows) {
    const id = { type: row.id_type, value: row.id_value };
    out.get(row.profile_id)?.ids.set(idKey(id), id);
  }
  return out;
}

/**
 * Writes customer records. Each record's ids resolve to one profile, created when none of them
 * is known. Ids in one record belong to the same person: when they point to several profiles,
 * those merge into the oldest, which takes over their ids; on conflicting attributes the more
 * recently updated profile wins, and the record wins over both. `merge` keeps the attributes
 * the record does not mention, `replace` keeps only the record's. Records apply in order, so
 * several records of one person in a call work.
 *
 * Two chunks creating the same new person at the same moment cannot see each other: the
 * later write takes the ids, and the earlier profile, left without ids, is removed (see the
 * trigger of migration 0002).
 */
export async function writeCustomers(
  db: Db,
  scope: WriteScope & { mergeStrategy: "merge" | "replace" },
  records: CustomerRecord[],
): Promise<WriteCounts> {
  const normalized = records.map((record) => ({
    attributes: record.attributes,
    ids: [...new Map(record.ids.map(storedId).map((id) => [idKey(id), id])).values()],
  }));
  const allIds = [...new Map(normalized.flatMap((r) => r.ids).map((id) => [idKey(id), id])).values()];
  const owner = await ownersOf(db, scope.tenantId, allIds);
  const profiles = await loadProfiles(db, scope.tenantId, [...new Set(owner.values())]);
  const changes: Change[] = [];

  for (const record of normalized) {
    const targets = [...new Set(record.ids.flatMap((id) => owner.get(idKey(id)) ?? []))]
      .flatMap((id) => profiles.get(id) ?? [])
      .sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
      );
    const profile = targets[0] ?? newProfile(scope.now);
    profiles.set(profile.id, profile);
    const others = targets.slice(1);
    if (others.length > 0) {
      // Newer profiles win on conflicting attributes: apply from least to most recently updated.
      const byAge = [...targets].sort((a, b) =>
        a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0,
      );
      profile.attributes = Object.assign({}, ...byAge.map((p) => p.attributes));
      for (const other of others) {
        for (const [key, id] of other.ids) {
          profile.ids.set(key, id);
          owner.set(key, profile.id);
        }
        profiles.delete(other.id);
      }
    }
    for (const id of record.ids) {
      profile.ids.set(idKey(id), id);
      owner.set(idKey(id), profile.id);
    }
    profile.attributes =
      scope.mergeStrategy === "replace"
        ? { ...record.attributes }
        : { ...profile.attributes, ...record.attributes };
    const { change, write, next } = classify(
      profile.stored,
      profileHash(profile.attributes, profile.ids.values()),
      scope.runId,
    );
    changes.push(change);
    if (write) {
      profile.stored = next;
      profile.updatedAt = scope.now;
      profile.dirty = true;
    }
  }

  if (!scope.dryRun)
    await saveProfiles(
      db,
      scope,
      [...profiles.values()].filter((p) => p.dirty),
    );
  return count(changes);
}

function newProfile(now: string): ProfileState {
  return {
    id: newId("prf"),
    attributes: {},
    ids: new Map(),
    stored: undefined,
    createdAt: now,
    updatedAt: now,
    dirty: false,
  };
}

const UPSERT_PROFILES_SQL = `INSERT INTO profiles
    (tenant_id, id, attributes, content_hash, created_run, changed_run, created_at, updated_at)
  SELECT ?1, ${col(0)}, ${col(1)}, ${col(2)}, ?3, ?3, ?4, ?4 FROM json_each(?2) WHERE true
  ON CONFLICT (tenant_id, id) DO UPDATE SET attributes = excluded.attributes,
    content_hash = excluded.content_hash, changed_run = excluded.changed_run, updated_at = excluded.updated_at`;

// Moving an id away from a profile it was the last id of deletes that profile (migration 0002).
const UPSERT_IDS_SQL = `INSERT INTO profile_ids (tenant_id, id_type, id_value, profile_id)
  SELECT ?1, ${col(0)}, ${col(1)}, ${col(2)} FROM json_each(?2) WHERE true
  ON CONFLICT (tenant_id, id_type, id_value) DO UPDATE SET profile_id = excluded.profile_id
  WHERE profile_ids.profile_id <> excluded.profile_id`;

async function saveProfiles(db: Db, scope: WriteScope, profiles: ProfileState[]): Promise<void> {
  const rows = await Promise.all(
    profiles.map(async (p) => ({
      row: [p.id, JSON.stringify(p.attributes), p.stored?.content_hash ?? ""],
      ids: [...p.ids.values()].map((id) => [id.type, id.value, p.id]),
    })),
  );
  // A profile and its ids are written in one transaction.
  const groups = packBySize(rows, (r) => jsonSize(r.row), STATEMENT_PAYLOAD_BYTES).map((group) => [
    ...statementsFor(
      db,
      UPSERT_PROFILES_SQL,
      scope.tenantId,
      group.map((r) => r.row),
      scope.runId,
      scope.now,
    ),
    ...statementsFor(
      db,
      UPSERT_IDS_SQL,
      scope.tenantId,
      group.flatMap((r) => r.ids),
    ),
  ]);
  await runBatches(db, groups, scope.afterBatch);
}

const CLAIM_IDS_SQL = `INSERT INTO profile_ids (tenant_id, id_type, id_value, profile_id)
  SELECT ?1, ${col(0)}, ${col(1)}, ${col(2)} FROM json_each(?2) WHERE true
  ON CONFLICT DO NOTHING`;
const CREATE_CLAIMING_PROFILES_SQL = `INSERT INTO profiles
    (tenant_id, id, attributes, content_hash, created_run, changed_run, created_at, updated_at)
  SELECT ?1, ${col(0)}, '{}', ${col(1)}, ?3, ?3, ?4, ?4 FROM json_each(?2)
  WHERE EXISTS (SELECT 1 FROM profile_ids WHERE tenant_id = ?1 AND profile_id = ${col(0)})`;

/**
 * Statements that give each of these ids a profile where it has none (an order's buyer, say),
 * without reading first: each id is claimed for a fresh profile id, and only the profiles
 * that won their claim are created. Safe when chunks race, and a no-op when run again.
 */
export async function ensureProfileStatements(
  db: Db,
  scope: WriteScope,
  ids: UserId[],
): Promise<D1PreparedStatement[]> {
  const unique = [...new Map(ids.map(storedId).map((id) => [idKey(id), id])).values()];
  const claims = unique.map((id) => ({ id, profileId: newId("prf") }));
  return [
    ...statementsFor(
      db,
      CLAIM_IDS_SQL,
      scope.tenantId,
      claims.map(({ id, profileId }) => [id.type, id.value, profileId]),
    ),
    ...statementsFor(
      db,
      CREATE_CLAIMING_PROFILES_SQL,
      scope.tenantId,
      claims.map(({ id, profileId }) => [profileId, profileHash({}, [id])]),
      scope.runId,
      scope.now,
    ),
  ];
}

/** Makes sure each of these ids has a profile, creating an empty one where none exists. */
export async function ensureProfiles(db: Db, scope: WriteScope, ids: UserId[]): Promise<void> {
  if (scope.dryRun || ids.length === 0) return;
  await runBatches(db, [await ensureProfileStatements(db, scope, ids)]);
}
