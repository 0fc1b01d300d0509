export { chunked, type Db, MAX_PARAMS } from "./db";
export {
  deleteImport,
  getImport,
  type ImportRecord,
  insertImport,
  insertUpload,
  listImports,
  type StoredImportConfig,
  updateImport,
  uploadBelongsTo,
} from "./imports";
export { cancelRun, getRun, insertRun, listIssues, listRuns, type NewRun, type RunRecord } from "./runs";
export { createTenantWithKey, findTenantByApiKey, type Tenant } from "./tenants";
