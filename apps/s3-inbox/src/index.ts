import { S3_INBOX } from "@cdp/core";
import type { S3Context } from "./context";
import { errorResponse, newRequestId, S3Error } from "./errors";
import { inboxKey, keyUsed } from "./keys";
import { bucketLocation, bucketVersioning, listBuckets, listObjects } from "./listing";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
} from "./multipart";
import { deleteObject, deleteObjects, getObject, headObject, putObject } from "./objects";
import { addressOf, checkKey } from "./request";
import { checkTime, readSignature, verifySignature } from "./sigv4";

/** Subresources of S3 this bucket does not have: refused by name rather than ignored. */
const UNSUPPORTED = [
  "accelerate",
  "acl",
  "analytics",
  "attributes",
  "cors",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
  "versions",
  "website",
];

const methodNotAllowed = (method: string, allowed: string) =>
  new S3Error("MethodNotAllowed", `The specified method (${method}) is not allowed against this resource.`, {
    Method: method,
    ResourceType: allowed.includes("PUT") ? "OBJECT" : "BUCKET",
    Allow: allowed,
  });

/** The operation a signed request asks for, by method, bucket, key and subresource. */
async function operation(c: S3Context, bucket: string | null): Promise<Response> {
  const { method } = c.request;
  const q = c.url.searchParams;
  if (bucket === null) {
    if (method === "GET") return listBuckets(c);
    throw methodNotAllowed(method, "GET");
  }
  if (bucket !== S3_INBOX.bucket) {
    throw new S3Error(
      "NoSuchBucket",
      `The specified bucket does not exist: your bucket is '${S3_INBOX.bucket}'.`,
      {
        BucketName: bucket,
      },
    );
  }
  const unsupported = UNSUPPORTED.find((name) => q.has(name));
  if (unsupported) {
    throw new S3Error("NotImplemented", `The '${unsupported}' subresource is not supported by this bucket.`);
  }
  if (c.key === "") {
    switch (method) {
      case "HEAD":
        return new Response(null, { status: 200, headers: { "x-amz-bucket-region": S3_INBOX.region } });
      case "GET":
        if (q.has("location")) return bucketLocation();
        if (q.has("versioning")) return bucketVersioning();
        if (q.has("uploads")) {
          throw new S3Error(
            "NotImplemented",
            "ListMultipartUploads is not supported: abort an upload by its id.",
          );
        }
        return listObjects(c, q.get("list-type") === "2" ? 2 : 1);
      case "PUT":
        if (q.has("versioning"))
          throw new S3Error("NotImplemented", "Versioning cannot be turned on for this bucket.");
        // CreateBucket of the bucket the tenant already has (rclone asks before it copies).
        return new Response(null, { status: 200, headers: { location: `/${S3_INBOX.bucket}` } });
      case "POST":
        if (q.has("delete")) return deleteObjects(c);
        throw methodNotAllowed(method, "GET, HEAD, PUT");
      case "DELETE":
        throw new S3Error("AccessDenied", "The inbox is part of your tenant and cannot be deleted.");
      default:
        throw methodNotAllowed(method, "GET, HEAD, PUT, POST");
    }
  }
  checkKey(c.key);
  switch (method) {
    case "PUT":
      return q.has("uploadId") || q.has("partNumber") ? uploadPart(c) : putObject(c);
    case "POST":
      if (q.has("uploads")) return createMultipartUpload(c);
      if (q.has("uploadId")) return completeMultipartUpload(c);
      throw methodNotAllowed(method, "GET, HEAD, PUT, DELETE");
    case "GET":
      return q.has("uploadId") ? listParts(c) : getObject(c);
    case "HEAD":
      return headObject(c);
    case "DELETE":
      return q.has("uploadId") ? abortMultipartUpload(c) : deleteObject(c);
    default:
      throw methodNotAllowed(method, "GET, HEAD, PUT, POST, DELETE");
  }
}

const READS = new Set(["GET", "HEAD"]);

/** Checks the request's signature with the inbox key it names, then serves it for that key's tenant. */
async function serve(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const address = addressOf(url, request.headers.get("host") ?? url.host);
  const signed = readSignature(request, url);
  if (!signed) {
    throw new S3Error(
      "AccessDenied",
      "Anonymous access is not allowed: sign requests with an inbox key (POST /v1/inbox/keys).",
    );
  }
  checkTime(signed, Date.now());
  const key = await inboxKey(env, signed.accessKeyId, !READS.has(request.method));
  const auth = verifySignature(request, url, signed, key.secret, address.views);
  keyUsed(env, ctx, key.accessKeyId);
  const c: S3Context = {
    env,
    request,
    url,
    tenantId: key.tenantId,
    tenantCreatedAt: key.tenantCreatedAt,
    auth,
    key: address.key,
  };
  return operation(c, address.bucket);
}

/**
 * Each tenant's own bucket over the S3 protocol: requests signed with an inbox key read and
 * write the tenant's inbox in R2 (`tenants/<tenant>/inbox/`). config-api forwards `/s3/*` here.
 */
export default {
  async fetch(request, env, ctx) {
    const requestId = newRequestId();
    let response: Response;
    try {
      response = await serve(request, env, ctx);
    } catch (err) {
      if (!(err instanceof S3Error)) {
        console.error(
          "s3-inbox: internal error",
          err instanceof Error ? (err.stack ?? err.message) : String(err),
        );
      }
      const error =
        err instanceof S3Error
          ? err
          : new S3Error("InternalError", "We encountered an internal error. Please try again.");
      return errorResponse(error, requestId, request.method);
    }
    response.headers.set("x-amz-request-id", requestId);
    response.headers.set("x-amz-id-2", requestId);
    return response;
  },
} satisfies ExportedHandler<Env>;
