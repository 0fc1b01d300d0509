import type { CustomerRecord, UserId } from "@cdp/core";
import { type Change, classify, type StoredVersion, type WriteContext } from "./classify";
import { idKey, storedId } from "./ids";
import { hash53 } from "./names";
import type { StoredProfile } from "./types";

// Profiles and their ids: the identity shard's part of a tenant's CDP data. A profile is found
// only through its ids; an id is looked up by `key`, the hash53 of its type and value (8 bytes in
// the index instead of the id itself), and checked against the id, since two ids may share a key.

/** A profile's id as the API shows it: its row number, which is never used twice (AUTOINCREMENT). */
export const profileId = (n: number): string => `prf_${n.toString(36)}`;

/** The row number of a profile id, or null for a text no profile has. */
export function profileNumber(id: string): number | null {
  const match = /^prf_([0-9a-z]{1,11})$/.exec(id);
  const n = match?.[1] ? Number.parseInt(match[1], 36) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

const idHash = (id: UserId): number => hash53(idKey(id));

/**
 * A hashed id (email_sha256, phone_sha256: 64 hexadecimal digits) is kept as its 32 bytes: half
 * the room, in the row and in the index. `isHash` says which ids are; VALUE reads them back.
 */
const SHA256_HEX = /^[0-9a-f]{64}$/;
const isHash = (id: UserId): boolean => id.type.endsWith("_sha256") && SHA256_HEX.test(id.value);
const VALUE = "CASE WHEN typeof(id_value) = 'blob' THEN lower(hex(id_value)) ELSE id_value END AS id_value";

const OWNERS_SQL = `SELECT profile, id_type, ${VALUE} FROM profile_ids WHERE key = ?`;
const KNOWN_SQL = `SELECT id_type, ${VALUE} FROM profile_ids
  WHERE key IN (SELECT value FROM json_each(?))`;
const LAST_PROFILE_SQL = "SELECT seq FROM sqlite_sequence WHERE name = 'profiles'";
// OR FAIL: no statement journal for a statement of many rows (see insertStatements in orders.ts).
const ADD_EMPTY_PROFILES_SQL = `INSERT OR FAIL INTO profiles
    (n, attributes, attribute_runs, version, created_run, changed_run, created_at, updated_at)
  SELECT value ->> 0, '{}', '{}', value ->> 1, ?2, ?2, ?3, ?3 FROM json_each(?1)`;
const ADD_IDS_SQL = `INSERT OR FAIL INTO profile_ids (key, id_type, id_value, profile)
  SELECT value ->> 0, value ->> 1, CASE WHEN value ->> 4 THEN unhex(value ->> 2) ELSE value ->> 2 END, value ->> 3
  FROM json_each(?)`;
const ADD_ID_SQL = `INSERT INTO profile_ids (key, id_type, id_value, profile)
  VALUES (?1, ?2, CASE WHEN ?5 THEN unhex(?3) ELSE ?3 END, ?4)`;
const PROFILE_SQL = `SELECT attributes, attribute_runs, version, created_run, changed_run, created_at, updated_at
  FROM profiles WHERE n = ?`;
const IDS_OF_SQL = `SELECT id_type, ${VALUE} FROM profile_ids WHERE profile = ? ORDER BY id_type, id_value`;
const ADD_PROFILE_SQL = `INSERT INTO profiles
    (attributes, attribute_runs, version, created_run, changed_run, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING n`;
const UPDATE_PROFILE_SQL = `UPDATE profiles SET attributes = ?, attribute_runs = ?, version = ?,
    changed_run = ?, updated_at = ? WHERE n = ?`;
const MOVE_IDS_SQL = "UPDATE profile_ids SET profile = ? WHERE profile = ?";
const COUNT_IDS_SQL = "SELECT COUNT(*) AS n FROM profile_ids WHERE profile = ?";
const DELETE_IDS_SQL = "DELETE FROM profile_ids WHERE profile = ?";
const DELETE_PROFILE_SQL = "DELETE FROM profiles WHERE n = ?";

/** JSON with object keys sorted, so that equal content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The version of a profile: its attributes and its sorted ids. */
const profileVersion = (attributes: Record<string, unknown>, keys: Iterable<string>): number =>
  hash53(canonicalJson({ attributes, ids: [...keys].sort() }));

/** The profile that holds this id, or undefined. */
function ownerOf(sql: SqlStorage, id: UserId): number | undefined {
  for (const row of sql.exec<{ profile: number; id_type: string; id_value: string }>(OWNERS_SQL, idHash(id)))
    if (row.id_type === id.type && row.id_value === id.value) return row.profile;
  return undefined;
}

/** The profiles a run (by its number in this shard) added or changed last, after profile `after`. */
export function runProfiles(
  sql: SqlStorage,
  run: number,
  after: number,
  limit: number,
): { n: number; id: string; ids: UserId[] }[] {
  return sql
    .exec<{ n: number }>(
      "SELECT n FROM profiles WHERE changed_run = ? AND n > ? ORDER BY n LIMIT ?",
      run,
      after,
      limit,
    )
    .toArray()
    .map(({ n }) => ({ n, id: profileId(n), ids: idsOf(sql, n) }));
}

function idsOf(sql: SqlStorage, profile: number): UserId[] {
  return sql
    .exec<{ id_type: string; id_value: string }>(IDS_OF_SQL, profile)
    .toArray()
    .map((row) => ({ type: row.id_type, value: row.id_value }));
}

/** A profile as a write or a read sees it. */
interface ProfileState {
  n: number | null;
  attributes: Record<string, unknown>;
  attributeRuns: Record<string, string>;
  stored: StoredVersion | undefined;
  createdAt: number;
  updatedAt: number;
}

type ProfileRow = StoredVersion & {
  attributes: string;
  attribute_runs: string;
  created_at: number;
  updated_at: number;
};

function loadProfile(sql: SqlStorage, n: number): ProfileState & { n: number } {
  const row = sql.exec<ProfileRow>(PROFILE_SQL, n).one();
  return {
    n,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    attributeRuns: JSON.parse(row.attribute_runs) as Record<string, string>,
    stored: { version: row.version, created_run: row.created_run, changed_run: row.changed_run },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Gives each buyer id (as stored) that has no profile an empty one, as an order import does: the
 * known ids in one look-up, the new profiles and their ids in one statement each.
 */
export function ensureBuyers(ctx: WriteContext, ids: UserId[]): void {
  const { sql } = ctx;
  const known = new Set<string>();
  for (const row of sql.exec<{ id_type: string; id_value: string }>(
    KNOWN_SQL,
    JSON.stringify([...new Set(ids.map(idHash))]),
  ))
    known.add(idKey({ type: row.id_type, value: row.id_value }));
  const fresh = new Map<string, UserId>();
  for (const id of ids) if (!known.has(idKey(id))) fresh.set(idKey(id), id);
  if (fresh.size === 0) return;
  ctx.midWrite();
  // New profiles take the numbers after the last ever given (AUTOINCREMENT keeps it).
  let n = sql.exec<{ seq: number }>(LAST_PROFILE_SQL).toArray()[0]?.seq ?? 0;
  const profiles: [number, number][] = [];
  const idRows: [number, string, string, number, boolean][] = [];
  for (const [key, id] of fresh) {
    n++;
    profiles.push([n, profileVersion({}, [key])]);
    idRows.push([idHash(id), id.type, id.value, n, isHash(id)]);
  }
  const now = Date.parse(ctx.now);
  sql.exec(ADD_EMPTY_PROFILES_SQL, JSON.stringify(profiles), ctx.stamp(ctx.run), now);
  sql.exec(ADD_IDS_SQL, JSON.stringify(idRows));
}

/**
 * Writes one customer record. Its ids resolve to one profile, created when none of them is
 * known. Ids in one record belong to the same person: when they point to several profiles, those
 * merge into the oldest, which takes over their ids; on conflicting attributes the more recently
 * updated profile wins, and the record wins over both. `merge` keeps the attributes the record
 * does not mention, `replace` keeps only the record's. Each attribute remembers the run that last
 * changed its value.
 */
export function writeCustomer(
  ctx: WriteContext,
  runId: string,
  mergeStrategy: "merge" | "replace",
  record: CustomerRecord,
): Change {
  const { sql } = ctx;
  const ids = [...new Map(record.ids.map(storedId).map((id) => [idKey(id), id])).values()];
  const owners = new Map<string, number>();
  for (const id of ids) {
    const owner = ownerOf(sql, id);
    if (owner !== undefined) owners.set(idKey(id), owner);
  }
  const targets = [...new Set(owners.values())]
    .map((n) => loadProfile(sql, n))
    .sort((a, b) => a.createdAt - b.createdAt || a.n - b.n);
  const now = Date.parse(ctx.now);
  const profile: ProfileState = targets[0] ?? {
    n: null,
    attributes: {},
    attributeRuns: {},
    stored: undefined,
    createdAt: now,
    updatedAt: now,
  };
  const others = targets.slice(1);
  if (others.length > 0) {
    // Newer profiles win on conflicting attributes: apply from least to most recently updated.
    const byAge = [...targets].sort((a, b) => a.updatedAt - b.updatedAt);
    profile.attributes = Object.assign({}, ...byAge.map((p) => p.attributes));
    profile.attributeRuns = Object.assign({}, ...byAge.map((p) => p.attributeRuns));
    for (const other of others) {
      sql.exec(MOVE_IDS_SQL, profile.n, other.n);
      sql.exec(DELETE_PROFILE_SQL, other.n);
    }
  }
  const before = profile.attributes;
  const attributes =
    mergeStrategy === "replace" ? { ...record.attributes } : { ...before, ...record.attributes };
  // Which run last changed each attribute: this one for a value it sets anew.
  const attributeRuns: Record<string, string> = {};
  for (const key of Object.keys(attributes)) {
    const changed =
      key in record.attributes && canonicalJson(record.attributes[key]) !== canonicalJson(before[key]);
    attributeRuns[key] = (changed ? undefined : profile.attributeRuns[key]) ?? runId;
  }
  const keys = new Set(ids.map(idKey));
  if (profile.n !== null) for (const id of idsOf(sql, profile.n)) keys.add(idKey(id));
  const { change, write, next } = classify(profile.stored, profileVersion(attributes, keys), ctx.run);
  if (!write) return change;
  const attributesText = JSON.stringify(attributes);
  const runsText = JSON.stringify(attributeRuns);
  const n =
    profile.n ??
    sql
      .exec<{ n: number }>(
        ADD_PROFILE_SQL,
        attributesText,
        runsText,
        next.version,
        ctx.stamp(next.created_run),
        ctx.stamp(next.changed_run),
        now,
        now,
      )
      .one().n;
  if (profile.n !== null)
    sql.exec(UPDATE_PROFILE_SQL, attributesText, runsText, next.version, ctx.stamp(next.changed_run), now, n);
  // Ids that had an owner are this profile's now (merged above); the others are new.
  for (const id of ids)
    if (!owners.has(idKey(id))) sql.exec(ADD_ID_SQL, idHash(id), id.type, id.value, n, isHash(id) ? 1 : 0);
  return change;
}

/** The profile of the first of `candidates` (ids as stored) that has one, or null. */
export function findProfile(sql: SqlStorage, candidates: UserId[]): StoredProfile | null {
  for (const id of candidates.map(storedId)) {
    const owner = ownerOf(sql, id);
    if (owner === undefined) continue;
    const profile = loadProfile(sql, owner);
    return {
      id: profileId(owner),
      ids: idsOf(sql, owner),
      attributes: profile.attributes,
      attributeRuns: profile.attributeRuns,
      createdAt: new Date(profile.createdAt).toISOString(),
      updatedAt: new Date(profile.updatedAt).toISOString(),
    };
  }
  return null;
}

/** Deletes a profile and its ids; says how many of each. */
export function eraseProfile(sql: SqlStorage, id: string): { profiles: number; ids: number } {
  const n = profileNumber(id);
  if (n === null || sql.exec(PROFILE_SQL, n).toArray().length === 0) return { profiles: 0, ids: 0 };
  const ids = sql.exec<{ n: number }>(COUNT_IDS_SQL, n).one().n;
  sql.exec(DELETE_IDS_SQL, n);
  sql.exec(DELETE_PROFILE_SQL, n);
  return { profiles: 1, ids };
}
