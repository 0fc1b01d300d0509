import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeS3, startFakeS3 } from "../fakes/s3.mjs";
import { ApiClient } from "../support/client";
import { type FileServer, serveFiles } from "../support/file-server";
import { VELOCIDI_HEADER, velocidiFile, velocidiRow } from "../support/files";
import { type Stack, startStack } from "../support/stack";
import { multiMemberGzip, zipFile } from "./archives";
import { SFTP_PASSWORD, SFTP_USER, type Sshd, serveFile, startSshd } from "./sshd";

const ACCESS_KEY = "AKIDPREVIEW1";
const SECRET = "preview/secret/access/key/EXAMPLE";
/** The file the big URL serves: far more than a preview reads. */
const BIG_BYTES = 64 * 1024 * 1024;

let stack: Stack;
let api: ApiClient;
let s3: FakeS3;
let sshd: Sshd;
let files: FileServer;
let filesUrl: string;
const served = new Map<string, Uint8Array>();
/** What the big URL sent before its client went away, once it has. */
let bigSent: Promise<number>;
/** The Range header the big URL was asked with. */
let bigRange: string | null = null;

beforeAll(async () => {
  [stack, s3, sshd] = await Promise.all([
    startStack(),
    startFakeS3({ region: "eu-west-1", credentials: { [ACCESS_KEY]: SECRET } }),
    startSshd(),
  ]);
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
  files = await serveFiles(served, {
    intercept: (req, res) => {
      if (req.url !== "/big.csv") return false;
      bigRange = req.headers.range ?? null;
      bigSent = streamBig(res, bigRange);
      return true;
    },
  });
  filesUrl = files.url;
});
afterAll(async () => {
  await stack?.close();
  await s3?.close();
  await sshd?.close();
  await files?.close();
});

/**
 * Orders or1, or2, ... as long as the client reads, up to BIG_BYTES (or the end of the range
 * asked for, as http servers do); resolves with the bytes sent.
 */
function streamBig(res: import("node:http").ServerResponse, range: string | null): Promise<number> {
  const asked = /^bytes=0-(\d+)$/.exec(range ?? "");
  const total = asked ? Math.min(Number(asked[1]) + 1, BIG_BYTES) : BIG_BYTES;
  return new Promise((resolve) => {
    let sent = 0;
    let order = 0;
    res.writeHead(asked ? 206 : 200, {
      "content-type": "text/csv",
      "content-length": String(total),
      ...(asked ? { "content-range": `bytes 0-${total - 1}/${BIG_BYTES}` } : {}),
    });
    res.on("close", () => resolve(sent));
    const pump = () => {
      while (sent < total && !res.destroyed) {
        let text = order === 0 ? `${VELOCIDI_HEADER}\n` : "";
        while (text.length < 64 * 1024) {
          order++;
          text += `${velocidiRow({ id: `or${order}`, email: `c${order}@example.com` }, 1)}\n`;
        }
        const chunk = Buffer.from(text).subarray(0, total - sent);
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      if (sent >= total) res.end();
    };
    pump();
  });
}

interface PreviewBody {
  columns: string[];
  items: { orderId: string; lineItems: unknown[] }[];
  issues: { row: number; item: string | null; field: string; value: string | null }[];
}
interface ErrorBody {
  error: { code: string; message: string; details?: { code: string } };
}

async function preview(source: Record<string, unknown>, options: Record<string, unknown> = {}, limit = 5) {
  return api.call<PreviewBody & ErrorBody>("POST", "/v1/imports/preview", {
    config: { type: "orders", format: "velocidi_csv", source, options },
    limit,
  });
}

/** The preview of the first five orders of velocidiFile(n, { bad: {2} }): or2 has a bad total. */
function expectFirstOrders(res: { status: number; body: PreviewBody }) {
  expect(res.status).toBe(200);
  expect(res.body.columns[0]).toBe("orderId");
  expect(res.body.items.map((item) => item.orderId)).toEqual(["or1", "or3", "or4", "or5"]);
  expect(res.body.items[1]?.lineItems).toHaveLength(1);
  expect(res.body.issues.map((i) => [i.item, i.field, i.value])).toEqual([["or2", "total", "12,5"]]);
}

const orders = velocidiFile(200, { bad: new Set([2]) });

function expectFileError(res: { status: number; body: ErrorBody }, code: string, message: string) {
  expect(res.status).toBe(422);
  expect(res.body.error).toMatchObject({ code: "unprocessable", details: { code } });
  expect(res.body.error.message).toBe(message);
}

describe("previews of s3 sources", () => {
  const s3Source = (source: Record<string, unknown>) => ({
    type: "s3",
    bucket: "exports",
    region: "eu-west-1",
    endpoint: s3.url,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET,
    ...source,
  });

  it("show the first items of an object read with signed requests", async () => {
    s3.put("exports", "orders/preview.csv", orders);
    expectFirstOrders(await preview(s3Source({ key: "orders/preview.csv" })));
    // Only the beginning of the object is asked for.
    expect(s3.requests.at(-1)).toEqual({
      method: "GET",
      path: "/exports/orders/preview.csv",
      range: `bytes=0-${8 * 1024 * 1024 - 1}`,
    });
  });

  it("say when the credentials are refused, or the key does not exist", async () => {
    expectFileError(
      await preview(s3Source({ key: "orders/preview.csv", secretAccessKey: "not-the-secret" })),
      "source_refused",
      `The S3 credentials were refused: the secret access key does not match the access key id '${ACCESS_KEY}'.`,
    );
    const missing = await preview(s3Source({ key: "orders/missing.csv" }));
    expect(missing.status).toBe(422);
    expect(missing.body.error.details?.code).toBe("source_not_found");
    expect(missing.body.error.message).toContain("orders/missing.csv");
  });
});

describe("previews of sftp sources", () => {
  const sftpSource = (source: Record<string, unknown>) => ({
    type: "sftp",
    host: sshd.host,
    port: sshd.port,
    username: SFTP_USER,
    ...source,
  });

  it("show the first items of a file, with a password or a key", async () => {
    const path = serveFile(sshd, "preview.csv", orders);
    expectFirstOrders(await preview(sftpSource({ password: SFTP_PASSWORD, path })));
    expectFirstOrders(await preview(sftpSource({ privateKey: sshd.privateKey, path })));
  });

  it("say when the login is refused, or the file does not exist", async () => {
    const path = serveFile(sshd, "refused.csv", orders);
    expectFileError(
      await preview(sftpSource({ password: "not-the-password", path })),
      "source_refused",
      `The SFTP server 127.0.0.1:${sshd.port} refused the login of user '${SFTP_USER}': check the password.`,
    );
    expectFileError(
      await preview(sftpSource({ password: SFTP_PASSWORD, path: `${sshd.dir}/missing.csv` })),
      "source_not_found",
      `No file at ${sshd.dir}/missing.csv on the SFTP server 127.0.0.1:${sshd.port}.`,
    );
  });

  it("refuse a server whose host key is not the pinned one", async () => {
    const path = serveFile(sshd, "pinned.csv", orders);
    const pinned = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const res = await preview(sftpSource({ password: SFTP_PASSWORD, path, hostKeySha256: pinned }));
    expect(res.status).toBe(422);
    expect(res.body.error.details?.code).toBe("source_refused");
    expect(res.body.error.message).toContain(`but this import trusts ${pinned}`);
  });
});

describe("previews of compressed files", () => {
  const gz = gzipSync(orders);
  const twoMembers = multiMemberGzip([orders.slice(0, 1000), orders.slice(1000)]);
  const zipped = zipFile([{ name: "exports/orders.csv", content: orders }]);
  const several = zipFile([
    { name: "README.txt", content: "not data" },
    { name: "exports/orders.csv", content: orders, method: "store" },
  ]);

  it("show the first items of a gzip file, from a URL and from an upload", async () => {
    served.set("/orders.csv.gz", gz);
    served.set("/orders-members.gz", twoMembers);
    expectFirstOrders(await preview({ type: "url", url: `${filesUrl}/orders.csv.gz` }));
    expectFirstOrders(await preview({ type: "url", url: `${filesUrl}/orders-members.gz` }));
    const key = await api.upload("orders.csv.gz", gz);
    expectFirstOrders(await preview({ type: "upload", key }));
  });

  it("show the first items of the file in a zip archive, from a URL and from an upload", async () => {
    served.set("/orders.zip", zipped);
    served.set("/several.zip", several);
    expectFirstOrders(await preview({ type: "url", url: `${filesUrl}/orders.zip` }));
    expectFirstOrders(await preview({ type: "url", url: `${filesUrl}/several.zip` }, { entry: "*.csv" }));
    const key = await api.upload("orders.zip", zipped);
    expectFirstOrders(await preview({ type: "upload", key }));
    const both = await api.upload("several.zip", several);
    expectFirstOrders(await preview({ type: "upload", key: both }, { entry: "exports/*.csv" }));
    // As a run would, the preview asks which file of several to read.
    const unsaid = await preview({ type: "upload", key: both });
    expect(unsaid.status).toBe(422);
    expect(unsaid.body.error.details?.code).toBe("invalid_config");
    expect(unsaid.body.error.message).toContain("set options.entry");
  });

  it("say when an archive is damaged", async () => {
    const damaged = new Uint8Array(gz);
    damaged.fill(0xff, 10, 200);
    served.set("/damaged.gz", damaged);
    const res = await preview({ type: "url", url: `${filesUrl}/damaged.gz` });
    expect(res.status).toBe(422);
    expect(res.body.error.details?.code).toBe("corrupt_archive");
    expect(res.body.error.message).toMatch(/^The gzip file is damaged and cannot be unpacked/);
  });
});

describe("previews of url sources", () => {
  it("read only the beginning of a large file, and store nothing", async () => {
    const res = await preview({ type: "url", url: `${filesUrl}/big.csv` }, {}, 3);
    expect(res.status).toBe(200);
    expect(res.body.items.map((item) => item.orderId)).toEqual(["or1", "or2", "or3"]);
    // Only the beginning was asked for, and sent: a fraction of the 64 MiB.
    expect(bigRange).toBe(`bytes=0-${8 * 1024 * 1024 - 1}`);
    expect(await bigSent).toBeLessThanOrEqual(8 * 1024 * 1024);

    const env = (await stack.server.getWorker("cdp-config-api").getEnv()) as {
      FILES: { list(o: { prefix: string }): Promise<{ objects: { key: string }[] }> };
    };
    const stored = await env.FILES.list({ prefix: "tenants/acme/" });
    expect(stored.objects.filter((o) => !o.key.startsWith("tenants/acme/uploads/"))).toEqual([]);
    const runs = await api.call<{ items: unknown[] }>("GET", "/v1/imports");
    expect(runs.body.items).toEqual([]);
  });

  it("say when there is no file at the URL", async () => {
    const res = await preview({ type: "url", url: `${filesUrl}/nothing.csv` });
    expect(res.status).toBe(422);
    expect(res.body.error.details?.code).toBe("source_not_found");
  });
});

describe("previews on a deployed-like stack", () => {
  let guarded: Stack;
  let client: ApiClient;
  beforeAll(async () => {
    // The API took the source (as a name that resolved publicly when sent would be); ingest,
    // which opens it, checks again as it does for runs.
    guarded = await startStack({ vars: { ingest: { ALLOW_PRIVATE_SOURCES: "false" } } });
    await guarded.createTenant("acme", "key_acme");
    client = new ApiClient(guarded.url, "key_acme");
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it("apply the SSRF guard of runs", async () => {
    served.set("/inside.csv", new TextEncoder().encode(orders));
    const res = await client.call<ErrorBody>("POST", "/v1/imports/preview", {
      config: {
        type: "orders",
        format: "velocidi_csv",
        source: { type: "url", url: `${filesUrl}/inside.csv` },
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "unprocessable", details: { code: "source_refused" } });
    expect(res.body.error.message).toBe(
      "The URL host 127.0.0.1 cannot be used: 127.0.0.1 is a private, loopback, link-local or reserved address. Sources must be reachable on the public internet.",
    );
  });
});
