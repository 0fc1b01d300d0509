import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/client";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
let api: ApiClient;

// The API took these sources (as a name that resolved publicly when saved would be); the Worker
// that opens them checks again when it connects, as deployed (ALLOW_PRIVATE_SOURCES "false").
beforeAll(async () => {
  stack = await startStack({ vars: { ingest: { ALLOW_PRIVATE_SOURCES: "false" } } });
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(async () => {
  await stack?.close();
});

const reason = (host: string) => `${host} is a private, loopback, link-local or reserved address`;

describe("the run-time SSRF guard", () => {
  it.each([
    ["url", { type: "url", url: "http://127.0.0.1:9/orders.csv" }, "URL host 127.0.0.1", reason("127.0.0.1")],
    [
      "s3",
      {
        type: "s3",
        bucket: "b",
        key: "orders.csv",
        endpoint: "http://169.254.169.254",
        accessKeyId: "AKID",
        secretAccessKey: "secret",
      },
      "S3 endpoint 169.254.169.254",
      reason("169.254.169.254"),
    ],
    [
      "sftp",
      { type: "sftp", host: "localhost", username: "u", password: "p", path: "/orders.csv" },
      "SFTP host localhost",
      "'localhost' is a local or internal name",
    ],
  ])("fails a run of a %s source whose host is not public", async (_type, source, what, why) => {
    const importId = await api.createImport({
      name: "Inside",
      type: "orders",
      format: "velocidi_csv",
      source,
    });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "source_refused",
      message: `The ${what} cannot be used: ${why}. Sources must be reachable on the public internet.`,
    });
  });
});
