export {
  canonicalJson,
  enrichEvent,
  ensureProfiles,
  getOrder,
  getProduct,
  getProfile,
  type ProfileView,
  type WriteCounts,
  type WriteScope,
  writeCustomers,
  writeOrders,
  writeProducts,
} from "./cdp/index";
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
export { listDoneChunks, listStalledRuns } from "./recovery";
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
  touchRuns,
} from "./runs";
export { createTenantWithKey, findTenantByApiKey, type Tenant } from "./tenants";
