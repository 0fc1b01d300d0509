import { mkdtempSync, readFileSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type RunView } from "../support/client";
import { velocidiFile } from "../support/files";
import { type Stack, startStack } from "../support/stack";
import {
  awsClis,
  awsEnv,
  createInboxKey,
  type InboxKey,
  randomFile,
  rcloneWith,
  runClient,
  s3cmdOptions,
  sha256File,
  startTlsProxy,
  type TlsProxy,
} from "./support";

/** The largest file the test stack's inbox takes: above the 100 MB file, below the 200 MB one refused. */
const MAX_FILE_BYTES = 150_000_000;

let stack: Stack;
let api: ApiClient;
let other: ApiClient;
let key: InboxKey;
let otherKey: InboxKey;
let tls: TlsProxy;
let work: string;

beforeAll(async () => {
  stack = await startStack({
    vars: { "s3-inbox": { KEY_CACHE_SECONDS: "1", MAX_FILE_BYTES: String(MAX_FILE_BYTES) } },
  });
  tls = await startTlsProxy(stack.url);
  await stack.createTenant("acme", "key_acme");
  await stack.createTenant("globex", "key_globex");
  api = new ApiClient(stack.url, "key_acme");
  other = new ApiClient(stack.url, "key_globex");
  key = await createInboxKey(api, "tests");
  otherKey = await createInboxKey(other, "another tenant");
  work = mkdtempSync(join(tmpdir(), "inbox-clients-"));
});
afterAll(async () => {
  await tls?.close();
  await stack?.close();
});

const httpsEndpoint = () => `${tls.origin}/s3`;

function sdk(inbox: Pick<InboxKey, "accessKeyId" | "secretAccessKey"> = key, config: S3ClientConfig = {}) {
  return new S3Client({
    endpoint: key.endpoint,
    region: "auto",
    forcePathStyle: true,
    credentials: { accessKeyId: inbox.accessKeyId, secretAccessKey: inbox.secretAccessKey },
    ...config,
  });
}

/** The S3 error code a call ends with (or "ok"). */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (err) {
    if (err instanceof S3ServiceException) return err.name;
    throw err;
  }
}

const objectText = async (client: S3Client, objectKey: string) =>
  (await client.send(new GetObjectCommand({ Bucket: "inbox", Key: objectKey }))).Body?.transformToString();

function localFile(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

describe("aws CLI", () => {
  for (const cli of awsClis()) {
    it(`${cli}: cp of a small file, ls, and rm`, async () => {
      const env = awsEnv(key);
      const file = localFile("small.csv", "orderId,total\nor1,10\n");
      const cp = await runClient(
        cli,
        ["s3", "cp", file, "s3://inbox/aws-small/orders.csv", "--endpoint-url", key.endpoint],
        env,
      );
      expect(cp.stderr).toBe("");
      expect(cp.code).toBe(0);
      const ls = await runClient(
        cli,
        ["s3", "ls", "s3://inbox/aws-small/", "--endpoint-url", key.endpoint],
        env,
      );
      expect(ls.stdout).toMatch(/\s21 orders\.csv\n$/);
      const back = await runClient(
        cli,
        ["s3", "cp", "s3://inbox/aws-small/orders.csv", "-", "--endpoint-url", key.endpoint],
        env,
      );
      expect(back.stdout).toBe("orderId,total\nor1,10\n");
      const rm = await runClient(
        cli,
        ["s3", "rm", "s3://inbox/aws-small/orders.csv", "--endpoint-url", key.endpoint],
        env,
      );
      expect(rm.stdout).toContain("delete: s3://inbox/aws-small/orders.csv");
      expect(
        await codeOf(sdk().send(new HeadObjectCommand({ Bucket: "inbox", Key: "aws-small/orders.csv" }))),
      ).toBe("NotFound");
    });

    it(`${cli}: cp of a 100 MB file in parts over https, with the CLI's default checksums`, async () => {
      const file = randomFile(100_000_000);
      const env = awsEnv(key, { AWS_CA_BUNDLE: tls.caFile });
      const target = `s3://inbox/big/${cli.replaceAll("/", "_")}.bin`;
      const cp = await runClient(
        cli,
        ["s3", "cp", file, target, "--endpoint-url", httpsEndpoint(), "--only-show-errors"],
        env,
      );
      expect(cp.stderr).toBe("");
      expect(cp.code).toBe(0);
      const ls = await runClient(cli, ["s3", "ls", target, "--endpoint-url", httpsEndpoint()], env);
      expect(ls.stdout).toContain(" 100000000 ");
      const back = join(work, "back.bin");
      const get = await runClient(
        cli,
        ["s3", "cp", target, back, "--endpoint-url", httpsEndpoint(), "--only-show-errors"],
        env,
      );
      expect(get.code).toBe(0);
      expect(await sha256File(back)).toBe(await sha256File(file));
    });
  }

  it("presign gives a URL that a plain GET reads, and that refuses any change", async () => {
    await sdk().send(new PutObjectCommand({ Bucket: "inbox", Key: "shared/report.csv", Body: "a,b\n1,2\n" }));
    const presign = await runClient(
      "/usr/bin/aws",
      [
        "s3",
        "presign",
        "s3://inbox/shared/report.csv",
        "--expires-in",
        "300",
        "--endpoint-url",
        key.endpoint,
      ],
      awsEnv(key),
    );
    expect(presign.code).toBe(0);
    const url = presign.stdout.trim();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("a,b\n1,2\n");

    const changed = await fetch(url.replace("report.csv", "other.csv"));
    expect(changed.status).toBe(403);
    expect(await changed.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});

describe("rclone", () => {
  it("copies a folder into the bucket and lists it, and copies it again once a file has changed its time", async () => {
    const rclone = await rcloneWith(key);
    const folder = mkdtempSync(join(work, "rclone-"));
    writeFileSync(join(folder, "customers.csv"), "email\na@example.com\n");
    writeFileSync(join(folder, "orders.csv"), velocidiFile(2));
    const copy = await rclone(["copy", folder, "cdp:inbox/rclone/"]);
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    const ls = await rclone(["ls", "cdp:inbox/rclone/"]);
    // rclone ls: each file's size (9 wide) and name.
    expect(ls.stdout.split("\n").filter(Boolean).sort()).toEqual([
      `${"20".padStart(9)} customers.csv`,
      `${String(velocidiFile(2).length).padStart(9)} orders.csv`,
    ]);
    // Same bytes, a new modification time: rclone updates the time in place (CopyObject).
    utimesSync(
      join(folder, "orders.csv"),
      new Date("2026-01-02T03:04:05Z"),
      new Date("2026-01-02T03:04:05Z"),
    );
    const again = await rclone(["copy", folder, "cdp:inbox/rclone/", "-v"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("orders.csv: Updated modification time in destination");
    const times = await rclone(["lsl", "cdp:inbox/rclone/orders.csv"]);
    expect(times.stdout).toContain("2026-01-02 03:04:05");
  });
});

describe("s3cmd", () => {
  it("puts a file and lists it, with the endpoint given as host:port/s3", async () => {
    const file = localFile("s3cmd.csv", "orderId\nor9\n");
    const put = await runClient(
      "s3cmd",
      [...s3cmdOptions(key), "put", file, "s3://inbox/s3cmd/orders.csv"],
      {},
    );
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    const ls = await runClient("s3cmd", [...s3cmdOptions(key), "ls", "s3://inbox/s3cmd/"], {});
    expect(ls.stdout).toMatch(/\s12\s+s3:\/\/inbox\/s3cmd\/orders\.csv\n$/);
    expect(await objectText(sdk(), "s3cmd/orders.csv")).toBe("orderId\nor9\n");
  });
});

describe("AWS SDK for JavaScript", () => {
  /** The x-amz-content-sha256 the SDK sent with each request of a client. */
  function recordPayloadModes(client: S3Client): string[] {
    const modes: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        modes.push(headers["x-amz-content-sha256"] ?? "");
        return next(args);
      },
      { step: "deserialize", name: "recordPayloadMode" },
    );
    return modes;
  }

  it("puts an object with a signed payload, and one streamed with a trailing CRC32", async () => {
    const client = sdk();
    const modes = recordPayloadModes(client);
    await client.send(
      new PutObjectCommand({ Bucket: "inbox", Key: "sdk/signed.csv", Body: "orderId\nor1\n" }),
    );
    const streamed = await client.send(
      new PutObjectCommand({
        Bucket: "inbox",
        Key: "sdk/streamed.csv",
        Body: Readable.from([Buffer.from("orderId\n"), Buffer.from("or2\n")]),
        ContentLength: 12,
      }),
    );
    expect(modes).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), "STREAMING-UNSIGNED-PAYLOAD-TRAILER"]);
    expect(streamed.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    expect(await objectText(client, "sdk/signed.csv")).toBe("orderId\nor1\n");
    expect(await objectText(client, "sdk/streamed.csv")).toBe("orderId\nor2\n");
  });

  it("stores nothing of a body changed after it was signed", async () => {
    const client = sdk();
    await client.send(new PutObjectCommand({ Bucket: "inbox", Key: "sdk/kept.csv", Body: "original\n" }));
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: unknown }).body = "tampered\n";
        return next(args);
      },
      { step: "deserialize", name: "tamper" },
    );
    expect(
      await codeOf(
        client.send(new PutObjectCommand({ Bucket: "inbox", Key: "sdk/kept.csv", Body: "replaced\n" })),
      ),
    ).toBe("XAmzContentSHA256Mismatch");
    expect(
      await codeOf(
        client.send(new PutObjectCommand({ Bucket: "inbox", Key: "sdk/new.csv", Body: "replaced\n" })),
      ),
    ).toBe("XAmzContentSHA256Mismatch");
    expect(await objectText(sdk(), "sdk/kept.csv")).toBe("original\n");
    expect(await codeOf(sdk().send(new HeadObjectCommand({ Bucket: "inbox", Key: "sdk/new.csv" })))).toBe(
      "NotFound",
    );
  });

  it("stores nothing of a large body whose last byte changed after it was signed, though most of it has gone through", async () => {
    // Several of the blocks the inbox reads at once (1 MiB): all but the last are on their way to
    // R2 before the payload's hash can be checked, at the end.
    const original = new Uint8Array(3.5 * 1024 * 1024).fill(0x61);
    const client = sdk();
    await client.send(new PutObjectCommand({ Bucket: "inbox", Key: "sdk/large.bin", Body: original }));
    client.middlewareStack.add(
      (next) => async (args) => {
        const tampered = original.slice();
        tampered[tampered.length - 1] = 0x62;
        (args.request as { body: unknown }).body = tampered;
        return next(args);
      },
      { step: "deserialize", name: "tamper" },
    );
    const replaced = new Uint8Array(original.length).fill(0x63);
    for (const objectKey of ["sdk/large.bin", "sdk/large-new.bin"]) {
      expect(
        await codeOf(client.send(new PutObjectCommand({ Bucket: "inbox", Key: objectKey, Body: replaced }))),
      ).toBe("XAmzContentSHA256Mismatch");
    }
    const kept = await sdk().send(new GetObjectCommand({ Bucket: "inbox", Key: "sdk/large.bin" }));
    expect(await kept.Body?.transformToByteArray()).toEqual(original);
    expect(
      await codeOf(sdk().send(new HeadObjectCommand({ Bucket: "inbox", Key: "sdk/large-new.bin" }))),
    ).toBe("NotFound");
  });

  it("pages ListObjectsV2 over 1,200 keys, and s3cmd pages ListObjects v1 over them", async () => {
    const env = (await stack.server.getWorker("cdp-s3-inbox").getEnv()) as unknown as {
      FILES: { put(key: string, body: string): Promise<unknown> };
    };
    const keys = Array.from({ length: 1200 }, (_, i) => `many/${String(i).padStart(4, "0")}.csv`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => env.FILES.put(`tenants/acme/inbox/${k}`, "x\n")));
    }
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2(
      { client: sdk() },
      { Bucket: "inbox", Prefix: "many/", MaxKeys: 500 },
    )) {
      pages.push((page.Contents ?? []).map((o) => o.Key ?? ""));
    }
    expect(pages.map((p) => p.length)).toEqual([500, 500, 200]);
    expect(pages.flat()).toEqual(keys);

    const folders = await sdk().send(new ListObjectsV2Command({ Bucket: "inbox", Delimiter: "/" }));
    expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toContain("many/");
    expect(folders.Contents ?? []).toEqual([]);

    const ls = await runClient("s3cmd", [...s3cmdOptions(key), "ls", "s3://inbox/many/"], {});
    expect(ls.stdout.split("\n").filter(Boolean)).toHaveLength(1200);
  });

  it("reads a byte range, and deletes several objects at once", async () => {
    const client = sdk();
    await client.send(new PutObjectCommand({ Bucket: "inbox", Key: "batch/a.csv", Body: "0123456789" }));
    await client.send(new PutObjectCommand({ Bucket: "inbox", Key: "batch/b.csv", Body: "b" }));
    const range = await client.send(
      new GetObjectCommand({ Bucket: "inbox", Key: "batch/a.csv", Range: "bytes=2-5" }),
    );
    expect(range.ContentRange).toBe("bytes 2-5/10");
    expect(await range.Body?.transformToString()).toBe("2345");
    const deleted = await client.send(
      new DeleteObjectsCommand({
        Bucket: "inbox",
        Delete: { Objects: [{ Key: "batch/a.csv" }, { Key: "batch/b.csv" }, { Key: "/outside.csv" }] },
      }),
    );
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual(["batch/a.csv", "batch/b.csv"]);
    expect(deleted.Errors).toEqual([
      expect.objectContaining({ Key: "/outside.csv", Code: "InvalidArgument" }),
    ]);
    const left = await client.send(new ListObjectsV2Command({ Bucket: "inbox", Prefix: "batch/" }));
    expect(left.KeyCount).toBe(0);
  });

  it("speaks virtual-hosted style (inbox.<host>) where a name routes the bucket's host here", async () => {
    await sdk().send(new PutObjectCommand({ Bucket: "inbox", Key: "virtual/a.csv", Body: "v\n" }));
    // inbox.localhost is this machine: as a custom domain's DNS would send it to the product.
    const lookup = (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      options?.all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4);
    const client = sdk(key, {
      forcePathStyle: false,
      endpoint: key.endpoint.replace("127.0.0.1", "localhost"),
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ lookup } as never) }),
    });
    expect(await objectText(client, "virtual/a.csv")).toBe("v\n");
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "inbox", Prefix: "virtual/" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["virtual/a.csv"]);
  });
});

describe("refusals", () => {
  it("a wrong secret is SignatureDoesNotMatch", async () => {
    const wrong = { accessKeyId: key.accessKeyId, secretAccessKey: "x".repeat(40) };
    const ls = await runClient(
      "/usr/bin/aws",
      ["s3", "ls", "s3://inbox/", "--endpoint-url", key.endpoint],
      awsEnv(wrong),
    );
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toContain("(SignatureDoesNotMatch)");
    expect(
      await codeOf(sdk(wrong).send(new GetObjectCommand({ Bucket: "inbox", Key: "sdk/signed.csv" }))),
    ).toBe("SignatureDoesNotMatch");
  });

  it("a revoked key is InvalidAccessKeyId within the key cache's bound", async () => {
    const revoked = await createInboxKey(api, "to revoke");
    expect(await codeOf(sdk(revoked).send(new ListObjectsV2Command({ Bucket: "inbox", MaxKeys: 1 })))).toBe(
      "ok",
    );
    expect((await api.call("DELETE", `/v1/inbox/keys/${revoked.accessKeyId}`)).status).toBe(204);
    // A write looks its key up every time: refused at once, while the key is still remembered.
    expect(
      await codeOf(
        sdk(revoked).send(new PutObjectCommand({ Bucket: "inbox", Key: "revoked/late.csv", Body: "a\n1\n" })),
      ),
    ).toBe("InvalidAccessKeyId");
    expect(
      await codeOf(sdk(key).send(new GetObjectCommand({ Bucket: "inbox", Key: "revoked/late.csv" }))),
    ).toBe("NoSuchKey");
    // The test stack trusts a looked-up key for 1 second (KEY_CACHE_SECONDS; 30 deployed).
    const deadline = Date.now() + 15_000;
    let code = "ok";
    while (code === "ok" && Date.now() < deadline) {
      code = await codeOf(sdk(revoked).send(new ListObjectsV2Command({ Bucket: "inbox", MaxKeys: 1 })));
      if (code === "ok") await new Promise((r) => setTimeout(r, 200));
    }
    expect(code).toBe("InvalidAccessKeyId");
    const ls = await runClient(
      "/usr/bin/aws",
      ["s3", "ls", "s3://inbox/", "--endpoint-url", key.endpoint],
      awsEnv(revoked),
    );
    expect(ls.stderr).toContain("(InvalidAccessKeyId)");
  });

  it("a clock 20 minutes off is RequestTimeTooSkewed", async () => {
    const skewed = sdk(key, { systemClockOffset: -20 * 60 * 1000, maxAttempts: 1 });
    expect(await codeOf(skewed.send(new GetObjectCommand({ Bucket: "inbox", Key: "sdk/signed.csv" })))).toBe(
      "RequestTimeTooSkewed",
    );
  });

  it("another tenant's key neither reads nor lists this tenant's files", async () => {
    await sdk().send(
      new PutObjectCommand({ Bucket: "inbox", Key: "private/customers.csv", Body: "secret\n" }),
    );
    const theirs = sdk(otherKey);
    expect(
      await codeOf(theirs.send(new GetObjectCommand({ Bucket: "inbox", Key: "private/customers.csv" }))),
    ).toBe("NoSuchKey");
    expect(
      await codeOf(theirs.send(new HeadObjectCommand({ Bucket: "inbox", Key: "private/customers.csv" }))),
    ).toBe("NotFound");
    const listed = await theirs.send(new ListObjectsV2Command({ Bucket: "inbox" }));
    expect(listed.KeyCount).toBe(0);
    // Deleting there deletes nothing here.
    await theirs.send(new DeleteObjectCommand({ Bucket: "inbox", Key: "private/customers.csv" }));
    expect(await objectText(sdk(), "private/customers.csv")).toBe("secret\n");
    const ls = await runClient(
      "/usr/bin/aws",
      ["s3", "ls", "s3://inbox/", "--recursive", "--endpoint-url", key.endpoint],
      awsEnv(otherKey),
    );
    expect(ls.stdout).toBe("");
  });

  it("keys that would leave the inbox are refused", async () => {
    await sdk(otherKey).send(new PutObjectCommand({ Bucket: "inbox", Key: "secret.csv", Body: "theirs\n" }));
    const client = sdk(key, { maxAttempts: 1 });
    for (const bad of ["/leading-slash.csv", "control\u0001char.csv"]) {
      expect(
        await codeOf(client.send(new PutObjectCommand({ Bucket: "inbox", Key: bad, Body: "x" }))),
        bad,
      ).toBe("InvalidArgument");
      expect(await codeOf(client.send(new GetObjectCommand({ Bucket: "inbox", Key: bad }))), bad).toBe(
        "InvalidArgument",
      );
    }
    // Dot segments are resolved by the HTTP layer before the Worker sees the path (Cloudflare's
    // edge deployed, workerd locally): the path that arrives is not the one the client signed.
    for (const bad of ["../../globex/inbox/secret.csv", "../x.csv", "a/../../x.csv", ".."]) {
      expect(
        await codeOf(client.send(new PutObjectCommand({ Bucket: "inbox", Key: bad, Body: "x" }))),
        bad,
      ).toBe("SignatureDoesNotMatch");
      expect(await codeOf(client.send(new GetObjectCommand({ Bucket: "inbox", Key: bad }))), bad).toBe(
        "SignatureDoesNotMatch",
      );
    }
    expect(await objectText(sdk(otherKey), "secret.csv")).toBe("theirs\n");
    const mine = await sdk().send(new ListObjectsV2Command({ Bucket: "inbox", Prefix: "x" }));
    expect(mine.KeyCount).toBe(0);
  });

  it("a file over MAX_FILE_BYTES is EntityTooLarge, refused before its bytes are sent", async () => {
    // 200 MB of nothing (a sparse file): aws asks to send it (Expect: 100-continue) and is refused.
    const file = join(work, "too-large.bin");
    truncateSync(localFile("too-large.bin", ""), 200_000_000);
    const put = await runClient(
      "/usr/bin/aws",
      [
        "s3api",
        "put-object",
        "--bucket",
        "inbox",
        "--key",
        "too/large.bin",
        "--body",
        file,
        "--endpoint-url",
        key.endpoint,
      ],
      awsEnv(key),
    );
    expect(put.code).not.toBe(0);
    expect(put.stderr).toContain("(EntityTooLarge)");
    expect(put.stderr).toContain("more than 150,000,000 bytes");
    expect(await codeOf(sdk().send(new HeadObjectCommand({ Bucket: "inbox", Key: "too/large.bin" })))).toBe(
      "NotFound",
    );
  });

  it("anonymous requests are AccessDenied, as an S3 error document", async () => {
    const res = await fetch(`${key.endpoint}/inbox/shared/report.csv`);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/xml");
    expect(res.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]{16}$/);
    expect(await res.text()).toContain("<Code>AccessDenied</Code>");
  });
});

describe("imports watching a prefix", () => {
  it("start when aws s3 cp writes a file under it, once per version of the file", async () => {
    const importId = await api.createImport({
      name: "Nightly orders from the bucket",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "r2", watchPrefix: "daily/" },
    });
    const runsOf = async () =>
      (await api.call<{ items: (RunView & { trigger: string })[] }>("GET", `/v1/imports/${importId}/runs`))
        .body.items;
    const waitForRuns = async (count: number) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const runs = await runsOf();
        if (runs.length >= count) return runs;
        if (Date.now() > deadline) throw new Error(`${runs.length} runs, not ${count}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const env = awsEnv(key);
    const cp = (file: string) =>
      runClient(
        "/usr/bin/aws",
        ["s3", "cp", file, "s3://inbox/daily/orders-2026-11-20.csv", "--endpoint-url", key.endpoint],
        env,
      );

    const first = localFile("orders-7.csv", velocidiFile(7));
    expect((await cp(first)).code).toBe(0);
    const [run] = await waitForRuns(1);
    expect(run?.trigger).toBe("upload");
    const done = await api.waitForRun(run?.id ?? "");
    expect(done.error).toBeNull();
    expect(done.status).toBe("completed");
    expect(done.stats).toMatchObject({ itemsRead: 7, itemsValid: 7, added: 7 });
    expect(done.progress.bytesTotal).toBe(readFileSync(first).length);

    // The same bytes again are the same version (its eTag): nothing new. Other bytes are a new file.
    expect((await cp(first)).code).toBe(0);
    expect((await cp(localFile("orders-3.csv", velocidiFile(3)))).code).toBe(0);
    const runs = await waitForRuns(2);
    const second = await api.waitForRun(runs[0]?.id ?? "");
    expect(second.stats).toMatchObject({ itemsRead: 3, itemsValid: 3, unchanged: 3 });
    expect(await runsOf()).toHaveLength(2);

    // The inbox lists the file with the run its current version started.
    const files = await api.call<{ items: { key: string; runs: { id: string; importName: string }[] }[] }>(
      "GET",
      "/v1/inbox/files?prefix=daily/",
    );
    expect(files.body.items[0]).toMatchObject({
      key: "daily/orders-2026-11-20.csv",
      runs: [{ id: runs[0]?.id, importName: "Nightly orders from the bucket" }],
    });
  });
});
