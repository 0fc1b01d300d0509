import { S3_INBOX } from "@cdp/core";
import { inboxPrefixOf, type S3Context } from "./context";
import { S3Error } from "./errors";
import { awsEncode } from "./sigv4";
import { escapeXml, node, text, xmlDocument, xmlResponse } from "./xml";

const MAX_KEYS = 1000;

/** The highest code point: a key + this sorts after every key that starts with it. */
const AFTER_ALL = "\u{10FFFF}";

function maxKeysOf(url: URL): number {
  const raw = url.searchParams.get("max-keys");
  if (raw === null) return MAX_KEYS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new S3Error("InvalidArgument", "Provided max-keys not an integer or within integer range.", {
      ArgumentName: "max-keys",
      ArgumentValue: raw,
    });
  }
  return Math.min(n, MAX_KEYS);
}

/**
 * ListObjectsV2 (`list-type=2`) and ListObjects (v1, which s3cmd and rclone's "Other" provider
 * use): prefix, delimiter, max-keys, continuation (a token, or v1's marker), start-after and
 * `encoding-type=url`. Keys are those inside the inbox; the tenant's prefix never shows.
 */
export async function listObjects(c: S3Context, version: 1 | 2): Promise<Response> {
  const q = c.url.searchParams;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxKeys = maxKeysOf(c.url);
  const encodingType = q.get("encoding-type");
  if (encodingType !== null && encodingType !== "url") {
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", {
      ArgumentName: "encoding-type",
      ArgumentValue: encodingType,
    });
  }
  const encode =
    encodingType === "url"
      ? (value: string) => awsEncode(value).replaceAll("%2F", "/")
      : (value: string) => value;
  const base = inboxPrefixOf(c);
  const token = version === 2 ? q.get("continuation-token") : null;
  const startAfter = version === 2 ? q.get("start-after") : null;
  const marker = version === 1 ? q.get("marker") : null;

  let after: string | undefined;
  const from = marker ?? startAfter;
  if (from) {
    // After a common prefix (v1's NextMarker), go past every key under it.
    after = base + from + (delimiter && from.endsWith(delimiter) ? AFTER_ALL : "");
  }

  let objects: R2Object[] = [];
  let prefixes: string[] = [];
  let truncated = false;
  let cursor: string | undefined;
  if (maxKeys > 0) {
    let listed: R2Objects;
    try {
      listed = await c.env.FILES.list({
        prefix: base + prefix,
        delimiter: delimiter || undefined,
        limit: maxKeys,
        cursor: token ?? undefined,
        startAfter: token ? undefined : after,
      });
    } catch (err) {
      if (!token) throw err;
      throw new S3Error("InvalidArgument", "The continuation token provided is incorrect.", {
        ArgumentName: "continuation-token",
      });
    }
    objects = listed.objects;
    prefixes = listed.delimitedPrefixes;
    truncated = listed.truncated;
    cursor = listed.truncated ? listed.cursor : undefined;
  }

  const short = (key: string) => key.slice(base.length);
  const contents = objects.map((object) =>
    node("Contents", [
      text("Key", encode(short(object.key))),
      text("LastModified", object.uploaded.toISOString()),
      text("ETag", `"${object.etag}"`),
      text("Size", object.size),
      q.get("fetch-owner") === "true" || version === 1
        ? node("Owner", [text("ID", c.tenantId), text("DisplayName", c.tenantId)])
        : null,
      text("StorageClass", "STANDARD"),
    ]),
  );
  const common = prefixes.map((p) => node("CommonPrefixes", [text("Prefix", encode(short(p)))]));
  const head = [
    text("Name", S3_INBOX.bucket),
    text("Prefix", encode(prefix)),
    delimiter ? text("Delimiter", encode(delimiter)) : null,
    text("MaxKeys", maxKeys),
    encodingType ? text("EncodingType", encodingType) : null,
    text("IsTruncated", truncated),
  ];
  if (version === 2) {
    return xmlResponse(
      xmlDocument("ListBucketResult", [
        ...head,
        text("KeyCount", objects.length + prefixes.length),
        token ? text("ContinuationToken", token) : null,
        cursor ? text("NextContinuationToken", cursor) : null,
        startAfter ? text("StartAfter", encode(startAfter)) : null,
        ...contents,
        ...common,
      ]),
    );
  }
  // v1: the next marker is the last key or common prefix of this page.
  const last = [...objects.map((o) => short(o.key)), ...prefixes.map(short)].sort().pop();
  return xmlResponse(
    xmlDocument("ListBucketResult", [
      ...head,
      text("Marker", encode(marker ?? "")),
      truncated && last !== undefined ? text("NextMarker", encode(last)) : null,
      ...contents,
      ...common,
    ]),
  );
}

/** ListBuckets: the tenant has one bucket, its inbox. */
export function listBuckets(c: S3Context): Response {
  return xmlResponse(
    xmlDocument("ListAllMyBucketsResult", [
      node("Owner", [text("ID", c.tenantId), text("DisplayName", c.tenantId)]),
      node("Buckets", [
        node("Bucket", [text("Name", S3_INBOX.bucket), text("CreationDate", c.tenantCreatedAt)]),
      ]),
    ]),
  );
}

/** GetBucketLocation: the region clients should sign with ("auto", as R2's). */
export function bucketLocation(): Response {
  return xmlResponse(xmlDocument("LocationConstraint", [escapeXml(S3_INBOX.region)]));
}

/** GetBucketVersioning: versioning is never enabled. */
export function bucketVersioning(): Response {
  return xmlResponse(xmlDocument("VersioningConfiguration", []));
}
