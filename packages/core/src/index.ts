export * from "./constants";
export { sha256Hex, toHex } from "./hash";
export { signUpload, type UploadGrant, uploadPath, verifyUpload } from "./upload-signature";
