import { S3_INBOX } from "@cdp/core";
import {
  deleteInboxUpload,
  getInboxUpload,
  type InboxUpload,
  insertInboxUpload,
  listInboxParts,
  pruneInboxUploads,
  recordInboxPart,
} from "@cdp/store";
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumAlgorithmOf,
  checksumElement,
} from "./checksums";
import { announceFile, maxFileBytes, objectKeyOf, type S3Context, tooLarge, writeChecked } from "./context";
import { S3Error } from "./errors";
import { objectMetadata, readXmlBody, refuseUnsupportedPutHeaders } from "./objects";
import { checkedBody } from "./payload";
import { childrenNamed, childText, node, text, xmlDocument, xmlResponse } from "./xml";

/** S3's multipart rules: up to 10,000 parts of at most 5 GiB, each but the last at least 5 MiB. */
const MAX_PARTS = 10_000;
const MAX_PART_BYTES = 5 * 1024 ** 3;
const MIN_PART_BYTES = 5 * 1024 ** 2;
/** R2 gives up an incomplete multipart upload after 7 days; its record goes then too. */
const UPLOAD_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

const noSuchUpload = (uploadId: string) =>
  new S3Error(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    { UploadId: uploadId },
  );

/**
 * The tenant's upload named by `uploadId` for this key, with the bytes of its parts but
 * `exceptPart`; NoSuchUpload when there is none.
 */
async function uploadOf(c: S3Context, exceptPart = 0): Promise<InboxUpload & { bytes: number }> {
  const uploadId = c.url.searchParams.get("uploadId") ?? "";
  const upload = uploadId
    ? await getInboxUpload(c.env.CONFIG_DB, c.tenantId, c.key, uploadId, exceptPart)
    : null;
  if (!upload) throw noSuchUpload(uploadId);
  return upload;
}

const bareEtag = (etag: string) => etag.trim().replace(/^"|"$/g, "");

export async function createMultipartUpload(c: S3Context): Promise<Response> {
  const headers = c.request.headers;
  refuseUnsupportedPutHeaders(headers, "CreateMultipartUpload");
  const algorithmHeader = headers.get("x-amz-checksum-algorithm");
  let algorithm: ChecksumAlgorithm | null = null;
  if (algorithmHeader !== null) {
    algorithm = checksumAlgorithmOf(`x-amz-checksum-${algorithmHeader}`);
    if (!algorithm || !(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new S3Error("InvalidRequest", `The checksum algorithm '${algorithmHeader}' is not supported.`);
    }
  }
  const now = new Date();
  await pruneInboxUploads(
    c.env.CONFIG_DB,
    c.tenantId,
    new Date(now.getTime() - UPLOAD_LIFETIME_MS).toISOString(),
  );
  const upload = await c.env.FILES.createMultipartUpload(objectKeyOf(c), objectMetadata(headers));
  await insertInboxUpload(c.env.CONFIG_DB, {
    uploadId: upload.uploadId,
    tenantId: c.tenantId,
    key: c.key,
    checksumAlgorithm: algorithm,
    createdAt: now.toISOString(),
  });
  return xmlResponse(
    xmlDocument("InitiateMultipartUploadResult", [
      text("Bucket", S3_INBOX.bucket),
      text("Key", c.key),
      text("UploadId", upload.uploadId),
    ]),
    { headers: algorithm ? { "x-amz-checksum-algorithm": algorithm.toUpperCase() } : {} },
  );
}

function partNumberOf(url: URL): number {
  const raw = url.searchParams.get("partNumber") ?? "";
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PARTS) {
    throw new S3Error(
      "InvalidArgument",
      `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive.`,
      {
        ArgumentName: "partNumber",
        ArgumentValue: raw,
      },
    );
  }
  return n;
}

export async function uploadPart(c: S3Context): Promise<Response> {
  if (c.request.headers.has("x-amz-copy-source")) {
    throw new S3Error(
      "NotImplemented",
      "UploadPartCopy (x-amz-copy-source) is not supported: upload the part itself.",
    );
  }
  const partNumber = partNumberOf(c.url);
  const upload = await uploadOf(c, partNumber);
  const body = checkedBody(c.request, c.auth);
  if (body.length > MAX_PART_BYTES) throw tooLarge(body.length, MAX_PART_BYTES, "The part");
  const limit = maxFileBytes(c.env);
  if (upload.bytes + body.length > limit) {
    throw tooLarge(upload.bytes + body.length, limit, "The upload with this part");
  }
  const r2Upload = c.env.FILES.resumeMultipartUpload(objectKeyOf(c), upload.uploadId);
  const part = await writeChecked(body, (stream) => r2Upload.uploadPart(partNumber, stream));
  const checksum = body.checksum();
  await recordInboxPart(c.env.CONFIG_DB, upload.uploadId, {
    partNumber,
    etag: part.etag,
    size: body.length,
    checksum: checksum ? `${checksum.algorithm}:${checksum.value}` : null,
    uploadedAt: new Date().toISOString(),
  });
  const headers: Record<string, string> = { etag: `"${part.etag}"` };
  if (checksum) headers[`x-amz-checksum-${checksum.algorithm}`] = checksum.value;
  return new Response(null, { status: 200, headers });
}

export async function completeMultipartUpload(c: S3Context): Promise<Response> {
  const upload = await uploadOf(c);
  const root = await readXmlBody(c);
  if (root.name !== "CompleteMultipartUpload") {
    throw new S3Error("MalformedXML", "The request document's root element must be CompleteMultipartUpload.");
  }
  const sent = childrenNamed(root, "Part").map((part) => ({
    partNumber: Number(childText(part, "PartNumber")),
    etag: bareEtag(childText(part, "ETag") ?? ""),
    checksums: CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
      const value = childText(part, checksumElement(algorithm));
      return value === undefined ? [] : [`${algorithm}:${value.trim()}`];
    }),
  }));
  if (sent.length === 0) throw new S3Error("MalformedXML", "You must specify at least one part.");
  const stored = new Map(
    (await listInboxParts(c.env.CONFIG_DB, upload.uploadId, 0, MAX_PARTS)).map((p) => [p.partNumber, p]),
  );
  let total = 0;
  for (const [i, part] of sent.entries()) {
    if (!Number.isInteger(part.partNumber) || (i > 0 && part.partNumber <= (sent[i - 1]?.partNumber ?? 0))) {
      throw new S3Error(
        "InvalidPartOrder",
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
      );
    }
    const record = stored.get(part.partNumber);
    if (!record || record.etag !== part.etag || part.checksums.some((sum) => sum !== record.checksum)) {
      throw new S3Error(
        "InvalidPart",
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { UploadId: upload.uploadId, PartNumber: String(part.partNumber), ETag: part.etag },
      );
    }
    if (i < sent.length - 1 && record.size < MIN_PART_BYTES) {
      throw new S3Error(
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed object size: each part but the last must be at least 5 MiB.",
        {
          PartNumber: String(part.partNumber),
          ProposedSize: String(record.size),
          MinSizeAllowed: String(MIN_PART_BYTES),
        },
      );
    }
    total += record.size;
  }
  const limit = maxFileBytes(c.env);
  if (total > limit) throw tooLarge(total, limit);
  const r2Upload = c.env.FILES.resumeMultipartUpload(objectKeyOf(c), upload.uploadId);
  let object: R2Object;
  try {
    object = await r2Upload.complete(sent.map((part) => ({ partNumber: part.partNumber, etag: part.etag })));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new S3Error("InvalidPart", `The parts could not be joined: ${reason}`, {
      UploadId: upload.uploadId,
    });
  }
  await deleteInboxUpload(c.env.CONFIG_DB, upload.uploadId);
  await announceFile(c, "CompleteMultipartUpload", object);
  return xmlResponse(
    xmlDocument("CompleteMultipartUploadResult", [
      text("Location", `${c.url.origin}${c.url.pathname}`),
      text("Bucket", S3_INBOX.bucket),
      text("Key", c.key),
      text("ETag", `"${object.etag}"`),
    ]),
  );
}

export async function abortMultipartUpload(c: S3Context): Promise<Response> {
  const upload = await uploadOf(c);
  await c.env.FILES.resumeMultipartUpload(objectKeyOf(c), upload.uploadId).abort();
  await deleteInboxUpload(c.env.CONFIG_DB, upload.uploadId);
  return new Response(null, { status: 204 });
}

/** A whole-number query parameter, `fallback` when absent; InvalidArgument for anything else. */
function wholeParam(q: URLSearchParams, name: string, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new S3Error("InvalidArgument", `${name} must be a whole number.`, {
      ArgumentName: name,
      ArgumentValue: raw,
    });
  }
  return Number(raw);
}

export async function listParts(c: S3Context): Promise<Response> {
  const upload = await uploadOf(c);
  const q = c.url.searchParams;
  const maxParts = Math.min(wholeParam(q, "max-parts", 1000), 1000);
  const marker = wholeParam(q, "part-number-marker", 0);
  const page = await listInboxParts(c.env.CONFIG_DB, upload.uploadId, marker, maxParts + 1);
  const parts = page.slice(0, maxParts);
  const truncated = page.length > maxParts;
  const owner = [text("ID", c.tenantId), text("DisplayName", c.tenantId)];
  return xmlResponse(
    xmlDocument("ListPartsResult", [
      text("Bucket", S3_INBOX.bucket),
      text("Key", c.key),
      text("UploadId", upload.uploadId),
      node("Initiator", owner),
      node("Owner", owner),
      text("StorageClass", "STANDARD"),
      upload.checksumAlgorithm ? text("ChecksumAlgorithm", upload.checksumAlgorithm.toUpperCase()) : null,
      text("PartNumberMarker", marker),
      text("NextPartNumberMarker", parts[parts.length - 1]?.partNumber ?? marker),
      text("MaxParts", maxParts),
      text("IsTruncated", truncated),
      ...parts.map((part) => {
        const [algorithm, value] = part.checksum?.split(":") ?? [];
        return node("Part", [
          text("PartNumber", part.partNumber),
          text("LastModified", part.uploadedAt),
          text("ETag", `"${part.etag}"`),
          text("Size", part.size),
          algorithm && value ? text(checksumElement(algorithm as ChecksumAlgorithm), value) : null,
        ]);
      }),
    ]),
  );
}
