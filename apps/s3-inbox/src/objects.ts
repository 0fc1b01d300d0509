import { S3_INBOX } from "@cdp/core";
import { checksumAlgorithmOf } from "./checksums";
import { announceFile, maxFileBytes, objectKeyOf, type S3Context, tooLarge, writeChecked } from "./context";
import { S3Error } from "./errors";
import { checkedBody } from "./payload";
import { checkKey } from "./request";
import { childrenNamed, childText, node, parseXml, text, xmlDocument, xmlResponse } from "./xml";

/** S3's largest single PUT; R2's own is 5 GiB less 5 MiB. Larger files go up in parts. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3 - 5 * 1024 ** 2;
/** S3 keeps at most 2 KB of user metadata (x-amz-meta-*) per object. */
const MAX_USER_METADATA_BYTES = 2048;
/** DeleteObjects takes at most 1,000 keys. */
const MAX_DELETE_KEYS = 1000;
/** The largest request document read (DeleteObjects, CompleteMultipartUpload of 10,000 parts). */
export const MAX_XML_BYTES = 4 * 1024 * 1024;

/** The HTTP metadata and user metadata (x-amz-meta-*) a PUT or CreateMultipartUpload gives an object. */
export function objectMetadata(headers: Headers): {
  httpMetadata: R2HTTPMetadata;
  customMetadata: Record<string, string>;
} {
  const encoding = (headers.get("content-encoding") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "" && e.toLowerCase() !== "aws-chunked")
    .join(", ");
  const httpMetadata: R2HTTPMetadata = {};
  const contentType = headers.get("content-type");
  if (contentType) httpMetadata.contentType = contentType;
  if (encoding) httpMetadata.contentEncoding = encoding;
  const disposition = headers.get("content-disposition");
  if (disposition) httpMetadata.contentDisposition = disposition;
  const language = headers.get("content-language");
  if (language) httpMetadata.contentLanguage = language;
  const cacheControl = headers.get("cache-control");
  if (cacheControl) httpMetadata.cacheControl = cacheControl;
  const expires = headers.get("expires");
  if (expires && !Number.isNaN(Date.parse(expires))) httpMetadata.cacheExpiry = new Date(expires);
  const customMetadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of headers) {
    if (!name.startsWith("x-amz-meta-")) continue;
    const short = name.slice("x-amz-meta-".length);
    customMetadata[short] = value;
    size += short.length + value.length;
  }
  if (size > MAX_USER_METADATA_BYTES) {
    throw new S3Error(
      "MetadataTooLarge",
      "Your metadata headers exceed the maximum allowed metadata size (2 KB).",
    );
  }
  return { httpMetadata, customMetadata };
}

/**
 * What a write may ask for that this bucket does not do (conditions, object lock, tagging, ACLs but
 * private, storage classes but STANDARD, customer-managed encryption) is refused, never ignored.
 */
export function refuseUnsupportedPutHeaders(headers: Headers, what: string): void {
  for (const name of ["if-match", "if-none-match"]) {
    if (headers.has(name)) {
      throw new S3Error("NotImplemented", `A conditional ${what} (${name}) is not supported by this bucket.`);
    }
  }
  for (const name of [
    "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date",
    "x-amz-object-lock-legal-hold",
    "x-amz-tagging",
    "x-amz-website-redirect-location",
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-server-side-encryption-aws-kms-key-id",
  ]) {
    if (headers.has(name)) throw new S3Error("NotImplemented", `${name} is not supported by this bucket.`);
  }
  const acl = headers.get("x-amz-acl");
  if (acl !== null && acl !== "private" && acl !== "bucket-owner-full-control") {
    throw new S3Error(
      "NotImplemented",
      `Objects in the inbox are private; the ACL '${acl}' is not supported.`,
    );
  }
  const storageClass = headers.get("x-amz-storage-class");
  if (storageClass !== null && storageClass !== "STANDARD") {
    throw new S3Error(
      "InvalidStorageClass",
      `The storage class you specified is not valid: this bucket keeps STANDARD only.`,
      {
        StorageClassRequested: storageClass,
      },
    );
  }
  // Every object is encrypted at rest (AES-256); asking for that is fine, asking for KMS is not.
  const encryption = headers.get("x-amz-server-side-encryption");
  if (encryption !== null && encryption !== "AES256") {
    throw new S3Error(
      "NotImplemented",
      `Server-side encryption '${encryption}' is not supported: objects are encrypted at rest with AES-256.`,
    );
  }
}

/** The checksum header S3 answers a write with, echoing what the client sent. */
function checksumHeaders(checksum: { algorithm: string; value: string } | null): Record<string, string> {
  return checksum ? { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value } : {};
}

export async function putObject(c: S3Context): Promise<Response> {
  if (c.request.headers.has("x-amz-copy-source")) return copyObject(c);
  refuseUnsupportedPutHeaders(c.request.headers, "PutObject");
  const metadata = objectMetadata(c.request.headers);
  const body = checkedBody(c.request, c.auth);
  const limit = Math.min(maxFileBytes(c.env), MAX_SINGLE_PUT_BYTES);
  if (body.length > limit) {
    throw limit < MAX_SINGLE_PUT_BYTES
      ? tooLarge(body.length, limit)
      : tooLarge(
          body.length,
          limit,
          "A single PUT (larger files go up as a multipart upload, as aws, rclone and s3cmd do by themselves)",
        );
  }
  const stored = await writeChecked(body, (stream) => c.env.FILES.put(objectKeyOf(c), stream, metadata));
  await announceFile(c, "PutObject", stored);
  return new Response(null, {
    status: 200,
    headers: { etag: `"${stored.etag}"`, ...checksumHeaders(body.checksum()) },
  });
}

/** The headers of an object as S3 answers GET and HEAD. */
function objectHeaders(object: R2Object, url: URL): Headers {
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  if (!headers.has("content-type")) headers.set("content-type", "binary/octet-stream");
  headers.set("etag", `"${object.etag}"`);
  headers.set("last-modified", object.uploaded.toUTCString());
  headers.set("accept-ranges", "bytes");
  for (const [name, value] of Object.entries(object.customMetadata ?? {}))
    headers.set(`x-amz-meta-${name}`, value);
  // Presigned GETs may ask for other response headers (a download's file name, say).
  const overrides: Record<string, string> = {
    "response-content-type": "content-type",
    "response-content-disposition": "content-disposition",
    "response-content-encoding": "content-encoding",
    "response-content-language": "content-language",
    "response-cache-control": "cache-control",
    "response-expires": "expires",
  };
  for (const [param, header] of Object.entries(overrides)) {
    const value = url.searchParams.get(param);
    if (value !== null) headers.set(header, value);
  }
  return headers;
}

/** 304 or 412 for an object whose preconditions (If-Match, If-None-Match, …) fail; null when they hold. */
function failedPrecondition(object: R2Object, headers: Headers): 304 | 412 | null {
  const etags = (value: string) =>
    value.split(",").map((v) => v.trim().replace(/^W\//, "").replace(/^"|"$/g, ""));
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null && !etags(ifMatch).some((e) => e === "*" || e === object.etag)) return 412;
  const ifUnmodified = Date.parse(headers.get("if-unmodified-since") ?? "");
  if (ifMatch === null && !Number.isNaN(ifUnmodified) && object.uploaded.getTime() > ifUnmodified + 999)
    return 412;
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null && etags(ifNoneMatch).some((e) => e === "*" || e === object.etag)) return 304;
  const ifModified = Date.parse(headers.get("if-modified-since") ?? "");
  if (ifNoneMatch === null && !Number.isNaN(ifModified) && object.uploaded.getTime() <= ifModified + 999)
    return 304;
  return null;
}

/** The answer to a request whose preconditions failed: 412 PreconditionFailed, or 304 Not Modified. */
function preconditionResponse(status: 304 | 412, object: R2Object, url: URL): Response {
  if (status === 412) {
    throw new S3Error(
      "PreconditionFailed",
      "At least one of the pre-conditions you specified did not hold.",
      {
        Condition: "If-Match or If-Unmodified-Since",
      },
    );
  }
  const headers = objectHeaders(object, url);
  headers.delete("content-type");
  return new Response(null, { status: 304, headers });
}

function refuseVersions(url: URL): void {
  const version = url.searchParams.get("versionId");
  if (version !== null && version !== "null") {
    throw new S3Error(
      "NotImplemented",
      "This bucket keeps no versions: a versionId other than 'null' is not supported.",
    );
  }
}

const noSuchKey = (key: string) =>
  new S3Error("NoSuchKey", "The specified key does not exist.", { Key: key });

export async function headObject(c: S3Context): Promise<Response> {
  refuseVersions(c.url);
  const object = await c.env.FILES.head(objectKeyOf(c));
  if (!object) throw noSuchKey(c.key);
  const failed = failedPrecondition(object, c.request.headers);
  if (failed) return preconditionResponse(failed, object, c.url);
  const headers = objectHeaders(object, c.url);
  headers.set("content-length", String(object.size));
  return new Response(null, { status: 200, headers });
}

export async function getObject(c: S3Context): Promise<Response> {
  refuseVersions(c.url);
  if (c.url.searchParams.has("partNumber")) {
    throw new S3Error(
      "NotImplemented",
      "GetObject of one part (partNumber) is not supported: ask for a Range instead.",
    );
  }
  const ranged = c.request.headers.has("range");
  let object: R2Object | R2ObjectBody | null;
  try {
    object = await c.env.FILES.get(objectKeyOf(c), {
      onlyIf: c.request.headers,
      ...(ranged ? { range: c.request.headers } : {}),
    });
  } catch (err) {
    if (!ranged) throw err;
    throw new S3Error("InvalidRange", "The requested range is not satisfiable.", {
      RangeRequested: c.request.headers.get("range") ?? "",
    });
  }
  if (!object) throw noSuchKey(c.key);
  if (!("body" in object)) {
    return preconditionResponse(failedPrecondition(object, c.request.headers) ?? 412, object, c.url);
  }
  const headers = objectHeaders(object, c.url);
  let status = 200;
  let length = object.size;
  if (ranged && object.range) {
    const { offset, length: rangeLength } = byteRange(object.range, object.size);
    length = rangeLength;
    headers.set("content-range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    status = 206;
  }
  headers.set("content-length", String(length));
  // The stored bytes go out as they are, also when they are compressed (Content-Encoding: gzip).
  return new Response(object.body, { status, headers, encodeBody: "manual" });
}

/** The first byte and the length of the range R2 read, from its offset and length or its suffix. */
function byteRange(range: R2Range, size: number): { offset: number; length: number } {
  if ("suffix" in range && range.suffix !== undefined) {
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  const offset = "offset" in range && range.offset !== undefined ? range.offset : 0;
  const length = "length" in range && range.length !== undefined ? range.length : size - offset;
  return { offset, length: Math.min(length, size - offset) };
}

export async function deleteObject(c: S3Context): Promise<Response> {
  refuseVersions(c.url);
  await c.env.FILES.delete(objectKeyOf(c));
  return new Response(null, { status: 204 });
}

/** A request document (DeleteObjects, CompleteMultipartUpload), its signature and checksums checked. */
export async function readXmlBody(c: S3Context): Promise<ReturnType<typeof parseXml>> {
  const body = checkedBody(c.request, c.auth);
  if (body.length > MAX_XML_BYTES) {
    throw new S3Error("MalformedXML", `The request document is over ${MAX_XML_BYTES / 1024 / 1024} MiB.`);
  }
  return parseXml(await body.text());
}

export async function deleteObjects(c: S3Context): Promise<Response> {
  const hasChecksum =
    c.request.headers.has("content-md5") ||
    [...c.request.headers.keys()].some((name) => checksumAlgorithmOf(name) !== null);
  if (!hasChecksum) {
    throw new S3Error(
      "InvalidRequest",
      "Missing required header for this request: Content-MD5 or x-amz-checksum-*.",
    );
  }
  const root = await readXmlBody(c);
  if (root.name !== "Delete")
    throw new S3Error("MalformedXML", "The request document's root element must be Delete.");
  const quiet = childText(root, "Quiet")?.trim() === "true";
  const objects = childrenNamed(root, "Object");
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) {
    throw new S3Error(
      "MalformedXML",
      `Delete names from 1 to ${MAX_DELETE_KEYS} objects; it names ${objects.length}.`,
    );
  }
  const deleted: string[] = [];
  const errors: string[] = [];
  const keys: string[] = [];
  for (const object of objects) {
    const key = childText(object, "Key") ?? "";
    try {
      checkKey(key);
      const version = childText(object, "VersionId");
      if (version !== undefined && version !== "null") {
        throw new S3Error("NotImplemented", "This bucket keeps no versions.");
      }
      keys.push(key);
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      errors.push(node("Error", [text("Key", key), text("Code", err.code), text("Message", err.message)]));
    }
  }
  if (keys.length > 0) await c.env.FILES.delete(keys.map((key) => objectKeyOf(c, key)));
  if (!quiet) for (const key of keys) deleted.push(node("Deleted", [text("Key", key)]));
  return xmlResponse(xmlDocument("DeleteResult", [...deleted, ...errors]));
}

/** The inbox key that `x-amz-copy-source` names (`inbox/<key>`, URL-encoded); only this bucket's. */
function copySourceKey(header: string): string {
  let source: string;
  try {
    source = decodeURIComponent(header.split("?")[0] ?? "");
  } catch {
    throw new S3Error("InvalidArgument", "x-amz-copy-source is not valid percent-encoded UTF-8.");
  }
  const bucket = `${S3_INBOX.bucket}/`;
  const path = source.replace(/^\//, "");
  if (!path.startsWith(bucket)) {
    throw new S3Error("AccessDenied", `Objects can only be copied within your bucket '${S3_INBOX.bucket}'.`);
  }
  const key = path.slice(bucket.length);
  checkKey(key);
  return key;
}

/**
 * CopyObject inside the inbox (rclone uses it to change a file's metadata, such as its modification
 * time): the object's bytes are streamed from R2 into the new one, with the source's metadata
 * (x-amz-metadata-directive COPY) or the request's (REPLACE).
 */
async function copyObject(c: S3Context): Promise<Response> {
  const headers = c.request.headers;
  refuseUnsupportedPutHeaders(headers, "CopyObject");
  for (const [name] of headers) {
    if (name.startsWith("x-amz-copy-source-if-") || name === "x-amz-tagging-directive") {
      throw new S3Error("NotImplemented", `${name} is not supported by this bucket.`);
    }
  }
  const sourceKey = copySourceKey(headers.get("x-amz-copy-source") ?? "");
  const directive = (headers.get("x-amz-metadata-directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw new S3Error("InvalidArgument", "Unknown metadata directive.", {
      ArgumentName: "x-amz-metadata-directive",
      ArgumentValue: directive,
    });
  }
  if (sourceKey === c.key && directive === "COPY") {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const source = await c.env.FILES.get(objectKeyOf(c, sourceKey));
  if (!source) throw new S3Error("NoSuchKey", "The specified key does not exist.", { Key: sourceKey });
  const limit = Math.min(maxFileBytes(c.env), MAX_SINGLE_PUT_BYTES);
  if (source.size > limit) {
    await source.body.cancel();
    throw tooLarge(source.size, limit, "The object to copy");
  }
  const metadata =
    directive === "REPLACE"
      ? objectMetadata(headers)
      : { httpMetadata: source.httpMetadata ?? {}, customMetadata: source.customMetadata ?? {} };
  const { readable, writable } = new FixedLengthStream(source.size);
  const [piped, put] = await Promise.allSettled([
    source.body.pipeTo(writable),
    c.env.FILES.put(objectKeyOf(c), readable, metadata),
  ]);
  if (put.status === "rejected") throw put.reason;
  if (piped.status === "rejected") throw piped.reason;
  await announceFile(c, "CopyObject", put.value);
  return xmlResponse(
    xmlDocument("CopyObjectResult", [
      text("LastModified", put.value.uploaded.toISOString()),
      text("ETag", `"${put.value.etag}"`),
    ]),
  );
}
