// A small S3-compatible server for the tests: path-style GET and HEAD of objects (with Range),
// S3's XML errors, and real AWS Signature Version 4 checks of every request, written here with
// node:crypto so that it does not share code with the client under test (aws4fetch). It
// answers like AWS: an unknown access key or a wrong secret is 403 (InvalidAccessKeyId,
// SignatureDoesNotMatch), a request signed for another region is 400
// AuthorizationHeaderMalformed naming the bucket's region, a missing key or bucket is 404.
// (s3rver, which the issue suggested, accepts any SigV4 signature: it never computes them.)
import { createHash, createHmac } from "node:crypto";
import { createServer } from "node:http";

const sha256Hex = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it: unreserved characters stay, everything else is %XX. */
function uriEncode(text, keepSlash) {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(char) || (keepSlash && char === "/")) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function xmlError(res, status, code, message, extra = {}) {
  const fields = Object.entries(extra)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join("");
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}</Error>`,
  );
}

/** Checks the request's SigV4 Authorization header; answers the error and returns false if it fails. */
function verify(req, res, url, { region, credentials }) {
  const auth = req.headers.authorization ?? "";
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) {
    xmlError(res, 403, "AccessDenied", "Access Denied");
    return false;
  }
  const [, accessKeyId, date, scopeRegion, service, signedHeaders, signature] = match;
  const secret = credentials[accessKeyId];
  if (secret === undefined) {
    xmlError(
      res,
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      {
        AWSAccessKeyId: accessKeyId,
      },
    );
    return false;
  }
  if (scopeRegion !== region) {
    xmlError(
      res,
      400,
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`,
      { Region: region },
    );
    return false;
  }
  if (service !== "s3") {
    xmlError(
      res,
      400,
      "AuthorizationHeaderMalformed",
      "The authorization header is malformed; wrong service",
    );
    return false;
  }
  const amzDate = req.headers["x-amz-date"];
  if (typeof amzDate !== "string" || !amzDate.startsWith(date)) {
    xmlError(res, 403, "AccessDenied", "X-Amz-Date is missing or does not match the credential scope");
    return false;
  }
  const when = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
  );
  if (!Number.isFinite(when) || Math.abs(Date.now() - when) > 15 * 60 * 1000) {
    xmlError(
      res,
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    );
    return false;
  }
  const headerNames = signedHeaders.split(";");
  if (!headerNames.includes("host")) {
    xmlError(res, 403, "AccessDenied", "The host header must be signed");
    return false;
  }
  const canonicalHeaders = headerNames
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonicalUri = url.pathname
    .split("/")
    .map((segment) => uriEncode(decodeURIComponent(segment), false))
    .join("/");
  const canonicalQuery = [...url.searchParams]
    .map(([name, value]) => [uriEncode(name, false), uriEncode(value, false)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const payloadHash = req.headers["x-amz-content-sha256"];
  if (typeof payloadHash !== "string") {
    xmlError(res, 400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    return false;
  }
  const canonicalRequest = [
    req.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${scopeRegion}/s3/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), scopeRegion), "s3"), "aws4_request");
  const expected = hmac(signingKey, stringToSign).toString("hex");
  if (expected !== signature) {
    xmlError(
      res,
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      { AWSAccessKeyId: accessKeyId },
    );
    return false;
  }
  return true;
}

/**
 * Starts the server on a free loopback port. `credentials` maps access key ids to secrets;
 * `put` stores objects without going through the API.
 */
export async function startFakeS3({ region = "eu-west-1", credentials = { AKIDTEST: "test-secret" } } = {}) {
  const buckets = new Map();
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push({ method: req.method, path: url.pathname, range: req.headers.range ?? null });
    if (!verify(req, res, url, { region, credentials })) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      xmlError(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
      return;
    }
    const [, bucketName = "", ...keyParts] = url.pathname.split("/").map(decodeURIComponent);
    const bucket = buckets.get(bucketName);
    if (!bucket) {
      xmlError(res, 404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: bucketName });
      return;
    }
    const key = keyParts.join("/");
    const object = bucket.get(key);
    if (!object) {
      xmlError(res, 404, "NoSuchKey", "The specified key does not exist.", { Key: key });
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), object.length - 1) : object.length - 1;
    const body = object.subarray(start, end + 1);
    res.writeHead(range ? 206 : 200, {
      "content-type": "application/octet-stream",
      "content-length": String(body.length),
      etag: `"${sha256Hex(object).slice(0, 32)}"`,
      ...(range ? { "content-range": `bytes ${start}-${end}/${object.length}` } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    requests,
    put(bucketName, key, body) {
      if (!buckets.has(bucketName)) buckets.set(bucketName, new Map());
      buckets.get(bucketName).set(key, Buffer.from(body));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
