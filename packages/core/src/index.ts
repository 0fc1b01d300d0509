export * from "./config";
export * from "./constants";
export type { ChunkPlan, ItemReader, ReaderPosition, ReadResult, Splitter } from "./engine";
export { sha256Hex, toHex } from "./hash";
export * from "./issues";
export * from "./items";
export * from "./messages";
export * from "./run";
export { signUpload, type UploadGrant, uploadPath, verifyUpload } from "./upload-signature";
