import { S3_INBOX } from "@cdp/core";
import { S3Error } from "./errors";
import type { SignedView } from "./sigv4";

/** The bucket and key a request names, and the ways its client may have signed its host and path. */
export interface Address {
  /** Null for the service itself (ListBuckets). */
  bucket: string | null;
  /** The object key ("" for the bucket itself). */
  key: string;
  views: SignedView[];
}

function decodeKey(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new S3Error("InvalidArgument", "The object key is not valid percent-encoded UTF-8.");
  }
}

/**
 * Reads the bucket and key of a request. The endpoint is `<host>/s3` (path style:
 * `/s3/<bucket>/<key>`) or `inbox.<host>/s3` (virtual-hosted style: `/s3/<key>`). A client given
 * an endpoint with a path may sign the host with that path and the request path without it
 * (s3cmd 2.3 does): that view of the request is checked too.
 */
export function addressOf(url: URL, host: string): Address {
  const pathname = url.pathname;
  const underEndpoint = pathname === S3_INBOX.path || pathname.startsWith(`${S3_INBOX.path}/`);
  const rest = underEndpoint ? pathname.slice(S3_INBOX.path.length) : pathname;
  const views: SignedView[] = [{ host, path: pathname }];
  if (underEndpoint) views.push({ host: `${host}${S3_INBOX.path}`, path: rest || "/" });
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  if (hostname.startsWith(`${S3_INBOX.bucket}.`)) {
    return { bucket: S3_INBOX.bucket, key: decodeKey(rest.replace(/^\//, "")), views };
  }
  const path = rest.replace(/^\//, "");
  if (path === "") return { bucket: null, key: "", views };
  const slash = path.indexOf("/");
  const bucket = decodeKey(slash === -1 ? path : path.slice(0, slash));
  const key = slash === -1 ? "" : decodeKey(path.slice(slash + 1));
  return { bucket, key, views };
}

const encoder = new TextEncoder();

const isControl = (c: string) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;

/**
 * Refuses a key that would leave the inbox or that no file name should hold: a leading '/', a
 * '..' segment, control characters; and one longer than S3's 1,024 bytes.
 */
export function checkKey(key: string): void {
  if (encoder.encode(key).byteLength > 1024) {
    throw new S3Error("KeyTooLongError", "Your key is too long: object keys are at most 1,024 bytes.");
  }
  if (key.startsWith("/") || key.split("/").includes("..") || [...key].some(isControl)) {
    throw new S3Error(
      "InvalidArgument",
      "Object keys must stay inside your inbox: no leading '/', no '..' segment and no control characters.",
      { ArgumentName: "key", ArgumentValue: [...key].map((c) => (isControl(c) ? "?" : c)).join("") },
    );
  }
}
