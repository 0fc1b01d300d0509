import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeS3, startFakeS3 } from "../fakes/s3.mjs";
import { ApiClient } from "../support/client";
import { velocidiFile } from "../support/files";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
let api: ApiClient;
let s3: FakeS3;
const ACCESS_KEY = "AKIDEXAMPLE1";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

beforeAll(async () => {
  [stack, s3] = await Promise.all([
    startStack({ vars: { ingest: { CHUNK_TARGET_BYTES: "2048" } } }),
    startFakeS3({ region: "eu-west-1", credentials: { [ACCESS_KEY]: SECRET } }),
  ]);
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(async () => {
  await stack?.close();
  await s3?.close();
});

function s3Import(source: Record<string, unknown>) {
  return api.createImport({
    name: "Orders from S3",
    type: "orders",
    format: "velocidi_csv",
    source: {
      type: "s3",
      bucket: "exports",
      region: "eu-west-1",
      endpoint: s3.url,
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET,
      ...source,
    },
  });
}

describe("s3 sources", () => {
  it("imports an object read with signed requests, and keeps the secret out of the API", async () => {
    s3.put("exports", "daily/2026 01/orders+all.csv", velocidiFile(120));
    const importId = await s3Import({ key: "daily/2026 01/orders+all.csv" });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 120, itemsValid: 120, added: 120 });
    expect(run.progress.bytesTotal).toBe(velocidiFile(120).length);
    expect(s3.requests.at(-1)).toMatchObject({
      method: "GET",
      path: "/exports/daily/2026%2001/orders%2Ball.csv",
    });
    const shown = await api.call<{ source: Record<string, unknown> }>("GET", `/v1/imports/${importId}`);
    expect(shown.body.source).toMatchObject({ accessKeyId: ACCESS_KEY, secretAccessKey: "***" });
  });

  it("fails with a clear message when the secret is wrong (the server checks the signature)", async () => {
    s3.put("exports", "secret.csv", velocidiFile(1));
    const importId = await s3Import({ key: "secret.csv", secretAccessKey: "not-the-secret" });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "source_refused",
      message: `The S3 credentials were refused: the secret access key does not match the access key id '${ACCESS_KEY}'.`,
    });
  });

  it("fails with a clear message when the access key is unknown", async () => {
    const importId = await s3Import({ key: "secret.csv", accessKeyId: "AKIDUNKNOWN" });
    const run = await api.run(importId);
    expect(run.error?.code).toBe("source_refused");
    expect(run.error?.message).toContain("the access key id 'AKIDUNKNOWN' is not known to");
  });

  it("fails with a clear message when there is no such key", async () => {
    const importId = await s3Import({ key: "daily/missing.csv" });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "source_not_found",
      message:
        "There is no object 'daily/missing.csv' in the bucket 'exports' (s3://exports/daily/missing.csv).",
    });
  });

  it("fails with a clear message when there is no such bucket", async () => {
    const importId = await s3Import({ bucket: "nobucket", key: "a.csv" });
    const run = await api.run(importId);
    expect(run.error?.code).toBe("source_not_found");
    expect(run.error?.message).toMatch(/^There is no bucket 'nobucket' at 127\.0\.0\.1:\d+\.$/);
  });

  it("names the bucket's region when the source has the wrong one", async () => {
    const importId = await s3Import({ key: "secret.csv", region: "us-east-1" });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "source_refused",
      message:
        "The bucket 'exports' is in the region 'eu-west-1', not 'us-east-1': set source.region to 'eu-west-1'.",
    });
  });
});
