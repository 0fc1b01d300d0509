import { ImportFileError, type Source } from "@cdp/core";
import { AwsClient } from "aws4fetch";

type S3Source = Extract<Source, { type: "s3" }>;

/** The region requests are signed for when the source names none (R2 takes it for "auto"). */
export const DEFAULT_S3_REGION = "us-east-1";

/** The object's URL: path-style on a custom endpoint, virtual-hosted on AWS. */
export function s3ObjectUrl(source: S3Source): URL {
  const key = source.key.split("/").map(encodeURIComponent).join("/");
  if (source.endpoint) {
    const base = source.endpoint.replace(/\/+$/, "");
    return new URL(`${base}/${encodeURIComponent(source.bucket)}/${key}`);
  }
  const region = source.region ?? DEFAULT_S3_REGION;
  // Bucket names with dots do not match the wildcard certificate of virtual-hosted names.
  return source.bucket.includes(".")
    ? new URL(`https://s3.${region}.amazonaws.com/${encodeURIComponent(source.bucket)}/${key}`)
    : new URL(`https://${source.bucket}.s3.${region}.amazonaws.com/${key}`);
}

/** The parts of an S3 error body that say what went wrong. */
function parseError(xml: string): { code: string; message: string; region: string | null } {
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? "";
  return { code: tag("Code"), message: tag("Message"), region: tag("Region") || null };
}

/**
 * Reads an object through S3's API (AWS, R2, MinIO, ...), signed with SigV4. The body streams;
 * `range` reads part of it. Every way it can go wrong fails with a message that says what to fix.
 */
export async function openS3(
  source: S3Source,
  range?: { offset: number; length: number },
): Promise<Response> {
  const url = s3ObjectUrl(source);
  const region = source.region ?? DEFAULT_S3_REGION;
  const client = new AwsClient({
    accessKeyId: source.accessKeyId,
    secretAccessKey: source.secretAccessKey,
    service: "s3",
    region,
    retries: 2,
  });
  const object = `s3://${source.bucket}/${source.key}`;
  let response: Response;
  try {
    response = await client.fetch(url, {
      method: "GET",
      redirect: "manual",
      headers: range ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {},
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ImportFileError("source_unreachable", `Could not reach the S3 endpoint ${url.host}: ${why}.`);
  }
  if (response.ok && response.body) return response;

  const error = parseError(await response.text());
  const bucketRegion = response.headers.get("x-amz-bucket-region") ?? error.region;
  if (
    bucketRegion &&
    bucketRegion !== region &&
    (response.status === 301 || response.status === 307 || response.status === 400)
  ) {
    throw new ImportFileError(
      "source_refused",
      `The bucket '${source.bucket}' is in the region '${bucketRegion}', not '${region}': set source.region to '${bucketRegion}'.`,
    );
  }
  if (response.status === 404) {
    throw new ImportFileError(
      "source_not_found",
      error.code === "NoSuchBucket"
        ? `There is no bucket '${source.bucket}' at ${url.host}.`
        : `There is no object '${source.key}' in the bucket '${source.bucket}' (${object}).`,
    );
  }
  if (response.status === 403) {
    const reasons: Record<string, string> = {
      InvalidAccessKeyId: `the access key id '${source.accessKeyId}' is not known to ${url.host}`,
      SignatureDoesNotMatch: `the secret access key does not match the access key id '${source.accessKeyId}'`,
      AccessDenied: `the access key '${source.accessKeyId}' is not allowed to read ${object}`,
      RequestTimeTooSkewed: "the request time was too far from the server's clock",
    };
    throw new ImportFileError(
      "source_refused",
      `The S3 credentials were refused: ${reasons[error.code] ?? (error.message || "access denied")}.`,
    );
  }
  throw new ImportFileError(
    "source_unreachable",
    `The S3 endpoint ${url.host} answered ${response.status}${error.code ? ` ${error.code}` : ""} for ${object}${
      error.message ? `: ${error.message}` : ""
    }.`,
  );
}
