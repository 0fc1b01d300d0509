-- Who may store the file of an upload URL: the one upload (a PUT, or an upload in parts) that
-- set `started_at` first, in one statement, so two uploads to one URL never both write. An upload
-- in parts also names its R2 upload id, which alone may send its parts, complete or abort it.
-- Both are cleared when that upload fails or is given up, so the URL can be used again.
ALTER TABLE uploads ADD COLUMN started_at TEXT;
ALTER TABLE uploads ADD COLUMN multipart_upload_id TEXT;
