-- When a run last showed it is alive, besides its chunks finishing: each ingest attempt, every
-- minute while ingest lands and cuts a file, each page of an E-goi sync (or the end of the wait a
-- rate limit asked for), and each resume. The stalled-run check resumes only runs silent since.
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
