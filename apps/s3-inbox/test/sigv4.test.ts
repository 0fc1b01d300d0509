import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newChecksum } from "../src/checksums";
import { S3Error } from "../src/errors";
import { checkedBody } from "../src/payload";
import { readSignature, type VerifiedSignature, verifySignature } from "../src/sigv4";

// The examples of AWS's SigV4 documentation for S3 ("Signature Calculations for the Authorization
// Header", "…Query Parameters", "…Transferring Payload in Multiple Chunks", "…Trailing Headers").
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const CREDENTIAL = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function verify(request: Request): VerifiedSignature {
  const url = new URL(request.url);
  const signed = readSignature(request, url);
  if (!signed) throw new Error("no signature read");
  return verifySignature(request, url, signed, SECRET, [{ host: url.host, path: url.pathname }]);
}

async function failure(promise: Promise<unknown>): Promise<S3Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error("it did not fail");
}

describe("SigV4 of AWS's examples", () => {
  it("checks a GET signed in the Authorization header", () => {
    const request = new Request("https://examplebucket.s3.amazonaws.com/test.txt", {
      headers: {
        range: "bytes=0-9",
        "x-amz-content-sha256": EMPTY,
        "x-amz-date": "20130524T000000Z",
        authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIAL},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
      },
    });
    expect(verify(request).seedSignature).toBe(
      "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
    const tampered = new Request(request, {
      headers: { ...Object.fromEntries(request.headers), range: "bytes=0-10" },
    });
    expect(() => verify(tampered)).toThrowError(expect.objectContaining({ code: "SignatureDoesNotMatch" }));
  });

  it("checks a presigned URL", () => {
    const url =
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    expect(verify(new Request(url)).payloadHash).toBe("UNSIGNED-PAYLOAD");
    expect(() => verify(new Request(url.replace("test.txt", "other.txt")))).toThrowError(
      expect.objectContaining({ code: "SignatureDoesNotMatch" }),
    );
  });

  const chunked = (seed: string, body: string, extra: Record<string, string>, signedHeaders: string) =>
    new Request("https://s3.amazonaws.com/examplebucket/chunkObject.txt", {
      method: "PUT",
      body,
      headers: {
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560",
        ...extra,
        authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIAL},SignedHeaders=${signedHeaders},Signature=${seed}`,
      },
    });

  const a64k = "a".repeat(65536);
  const a1k = "a".repeat(1024);

  it("decodes an aws-chunked body, checking each chunk's signature", async () => {
    const body =
      `10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n${a64k}\r\n` +
      `400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n${a1k}\r\n` +
      "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
    const request = () =>
      chunked(
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        body,
        { "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-length": "66824" },
        "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
      );
    const first = request();
    const decoded = checkedBody(first, verify(first));
    expect(decoded.length).toBe(66560);
    expect(await decoded.text()).toBe(a64k + a1k);

    // One byte changed in the second chunk: its signature no longer matches, and the stream fails.
    const changed = body.replace(`\r\n${a1k}`, `\r\nb${a1k.slice(1)}`);
    const second = new Request(request(), { body: changed });
    const bad = checkedBody(second, verify(second));
    const error = await failure(bad.text());
    expect(error.code).toBe("SignatureDoesNotMatch");
  });

  it("checks the trailing checksum and its signature", async () => {
    // AWS's trailer example: its chunk signatures; the trailer's is signed here as every SDK
    // signs it (the example's own trailer signature matches no published implementation).
    const finalChunk = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992";
    const trailerSignature = (trailer: string) => {
      const hmac = (key: Uint8Array | string, data: string) =>
        createHmac("sha256", key).update(data).digest();
      const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, "20130524"), "us-east-1"), "s3"), "aws4_request");
      const toSign = [
        "AWS4-HMAC-SHA256-TRAILER",
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        finalChunk,
        createHash("sha256").update(trailer).digest("hex"),
      ].join("\n");
      return createHmac("sha256", key).update(toSign).digest("hex");
    };
    const body = (checksum: string, signedChecksum = checksum) =>
      `10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n${a64k}\r\n` +
      `400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n${a1k}\r\n` +
      `0;chunk-signature=${finalChunk}\r\n` +
      `x-amz-checksum-crc32c:${checksum}\r\n` +
      `x-amz-trailer-signature:${trailerSignature(`x-amz-checksum-crc32c:${signedChecksum}\n`)}\r\n\r\n`;
    const request = (text: string) =>
      chunked(
        "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
        text,
        {
          "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
          "x-amz-trailer": "x-amz-checksum-crc32c",
        },
        "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
      );
    const good = request(body("sOO8/Q=="));
    const decoded = checkedBody(good, verify(good));
    expect(await decoded.text()).toBe(a64k + a1k);
    expect(decoded.checksum()).toEqual({ algorithm: "crc32c", value: "sOO8/Q==" });

    // A trailer changed on the way: its signature fails. One signed but wrong: the checksum fails.
    const changed = request(body("AAAAAA==", "sOO8/Q=="));
    expect((await failure(checkedBody(changed, verify(changed)).text())).code).toBe("SignatureDoesNotMatch");
    const wrong = request(body("AAAAAA=="));
    expect((await failure(checkedBody(wrong, verify(wrong)).text())).code).toBe("BadDigest");
  });
});

describe("checksums", () => {
  const bytes = new TextEncoder().encode("123456789");
  for (const [algorithm, expected] of [
    // The check values of each CRC's catalogue entry (of "123456789"), in base64.
    ["crc32", btoa(String.fromCharCode(0xcb, 0xf4, 0x39, 0x26))],
    ["crc32c", btoa(String.fromCharCode(0xe3, 0x06, 0x92, 0x83))],
    ["crc64nvme", btoa(String.fromCharCode(0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88))],
  ] as const) {
    it(`${algorithm} gives the catalogue's check value, however the bytes are split`, () => {
      const whole = newChecksum(algorithm);
      whole.update(bytes);
      expect(whole.digest()).toBe(expected);
      const split = newChecksum(algorithm);
      split.update(bytes.subarray(0, 4));
      split.update(bytes.subarray(4));
      expect(split.digest()).toBe(expected);
    });
  }
});
