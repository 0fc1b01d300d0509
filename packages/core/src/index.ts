export { readBlocks } from "./blocks";
export * from "./config";
export * from "./constants";
export { CsvTokenizer } from "./csv";
export { createTextDecoder, type ImportTextDecoder } from "./decode";
export type { ChunkPlan, ItemReader, ReaderPosition, ReadLimits, ReadResult, Splitter } from "./engine";
export { type Delivery, type FaultPoints, type Faults, faultsFor } from "./faults";
export { fetchPublic } from "./fetch-source";
export { EGOI_ID_TYPE, egoiAttributePrefix, mapEgoiContact } from "./formats/egoi";
export { sha256Hex, sha256HexSync, toHex } from "./hash";
export {
  BUILT_IN_ID_TYPES,
  checkUserId,
  HASHED_ID_TYPES,
  hashUserIdsOf,
  isMissingId,
  normalizeId,
  storedIdValue,
} from "./ids";
export * from "./issues";
export * from "./items";
export * from "./mapping/index";
export * from "./messages";
export { closestName } from "./names";
export {
  type Resolver,
  resolvedHostReason,
  resolveOverHttps,
  sourceHost,
  unsafeHostReason,
} from "./network-guard";
export {
  type AnyItem,
  checkHeader,
  createReader,
  createSplitter,
  DEFAULT_READ_LIMITS,
  explainLimit,
  headerWarnings,
  readLimits,
} from "./pipeline";
export * from "./preview-request";
export * from "./read-config";
export { newId } from "./resource-ids";
export * from "./run";
export { dueSlot, nextSlot } from "./schedule";
export * from "./secrets";
export { compileTransformations, type RecordTransformer } from "./transform/index";
export { signUpload, type UploadGrant, uploadPath, verifyUpload } from "./upload-signature";
export { wholeNumberVar } from "./vars";
export * from "./webhooks";
