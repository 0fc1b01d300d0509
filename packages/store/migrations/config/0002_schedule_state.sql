-- When an import's schedule was last set: slots before it never start a run, so that creating
-- or editing a schedule does not start one for a time already past.
ALTER TABLE imports ADD COLUMN schedule_set_at TEXT;
UPDATE imports SET schedule_set_at = updated_at WHERE schedule_every_days IS NOT NULL;
-- Consecutive failures are derived from the runs themselves.
ALTER TABLE imports DROP COLUMN consecutive_failures;
