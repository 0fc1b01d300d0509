/** What a row says of its version, to classify a write as added, updated or unchanged. */
export type StoredVersion = {
  version: number;
  created_run: number;
  changed_run: number;
};

export type Change = "added" | "updated" | "unchanged";

/**
 * Added / updated / unchanged of an item with version `version` in run `run`, given what the
 * shard holds. A row this run already created or changed classifies as it did the first time,
 * so a redelivered chunk reports the same numbers and writes nothing. `next` is what the shard
 * holds after the write, for a later item of the same call with the same key.
 */
export function classify(
  stored: StoredVersion | undefined,
  version: number,
  run: number,
): { change: Change; write: boolean; next: StoredVersion } {
  if (stored && stored.version === version) {
    const change =
      stored.created_run === run ? "added" : stored.changed_run === run ? "updated" : "unchanged";
    return { change, write: false, next: stored };
  }
  const next = { version, created_run: stored ? stored.created_run : run, changed_run: run };
  // Created earlier in this run (another chunk, or an earlier item of this one): a replay would
  // find the row created by this run and call it added, so the first delivery does too.
  const change = !stored || stored.created_run === run ? "added" : "updated";
  return { change, write: true, next };
}

/** A run number no row has: the run of a write has written nothing to this shard yet. */
export const UNSEEN_RUN = -1;

/** The shard's SQL, and what a write needs besides: the run's number and the crash points. */
export interface WriteContext {
  sql: SqlStorage;
  /** The run's number in this shard, or UNSEEN_RUN until it writes: a run that changes nothing writes nothing. */
  readonly run: number;
  /** The number to store for `run`: the run's own, given it when it first writes a row. */
  stamp(run: number): number;
  now: string;
  /** Test hook: called half-way through a write's rows (see faults.ts). */
  midWrite(): void;
}
