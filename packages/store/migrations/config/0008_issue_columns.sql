-- The column of the file that a rename or copy mapped onto an issue's field, as the file writes
-- it (issue field "userId", file_column "Customer Email"); null when the field is the file's own.
ALTER TABLE run_issues ADD COLUMN file_column TEXT;
