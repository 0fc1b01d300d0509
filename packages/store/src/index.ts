export { chunked, type Db, MAX_PARAMS } from "./db";
export {
  deleteImport,
  getImport,
  hasActiveRun,
  type ImportRecord,
  insertImport,
  insertUpload,
  listImports,
  listScheduledImports,
  recordScheduleSkip,
  type StoredImportConfig,
  slotStarted,
  updateImport,
  uploadBelongsTo,
} from "./imports";
export {
  type ChunkOutcome,
  cancelRun,
  chunkDone,
  failRun,
  getRun,
  insertRun,
  listIssues,
  listRuns,
  MAX_STORED_ISSUES_PER_RUN,
  markRunStarted,
  type NewRun,
  type RunRecord,
  recordChunk,
  setRunPlan,
} from "./runs";
export { createTenantWithKey, findTenantByApiKey, type Tenant } from "./tenants";
