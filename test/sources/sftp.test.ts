import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/client";
import { velocidiFile } from "../support/files";
import { type Stack, startStack } from "../support/stack";
import { SFTP_PASSWORD, SFTP_USER, type Sshd, serveFile, startSshd } from "./sshd";

let stack: Stack;
let api: ApiClient;
let sshd: Sshd;

beforeAll(async () => {
  [stack, sshd] = await Promise.all([
    startStack({ vars: { ingest: { CHUNK_TARGET_BYTES: String(256 * 1024) } } }),
    startSshd(),
  ]);
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(async () => {
  await stack?.close();
  await sshd?.close();
});

function sftpImport(source: Record<string, unknown>) {
  return api.createImport({
    name: "Orders over SFTP",
    type: "orders",
    format: "velocidi_csv",
    source: { type: "sftp", host: sshd.host, port: sshd.port, username: SFTP_USER, ...source },
  });
}

interface ImportView {
  source: { hostKeySha256?: string; password?: string; privateKey?: string };
}

describe("sftp sources", () => {
  it("imports a file streamed with a password login, and records the server's host key", async () => {
    // Over 1 MiB: several rounds of pipelined read requests, and several chunks.
    const csv = velocidiFile(3000);
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const path = serveFile(sshd, "orders.csv", csv);
    const importId = await sftpImport({ password: SFTP_PASSWORD, path });
    const before = await api.call<ImportView>("GET", `/v1/imports/${importId}`);
    expect(before.body.source.hostKeySha256).toBeUndefined();

    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.status).toBe("completed");
    expect(run.stats).toMatchObject({ itemsRead: 3000, itemsValid: 3000, added: 3000 });
    expect(run.progress.bytesTotal).toBe(csv.length);
    const order = await api.call<{ lineItems: unknown[] }>("GET", "/v1/orders/or2999");
    expect(order.body.lineItems).toHaveLength(3);

    const after = await api.call<ImportView>("GET", `/v1/imports/${importId}`);
    expect(after.body.source.hostKeySha256).toBe(sshd.hostKeySha256);
    expect(after.body.source.password).toBe("***");
  });

  it("logs in with a private key", async () => {
    const path = serveFile(sshd, "key-login.csv", velocidiFile(3));
    const importId = await sftpImport({
      privateKey: sshd.privateKey,
      path,
      hostKeySha256: sshd.hostKeySha256,
    });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 3, itemsValid: 3 });
  });

  it("fails with a clear message when the file does not exist", async () => {
    const importId = await sftpImport({ password: SFTP_PASSWORD, path: `${sshd.dir}/missing.csv` });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "source_not_found",
      message: `No file at ${sshd.dir}/missing.csv on the SFTP server 127.0.0.1:${sshd.port}.`,
    });
  });

  it("fails when the login is refused", async () => {
    const path = serveFile(sshd, "refused.csv", velocidiFile(1));
    const importId = await sftpImport({ password: "not-the-password", path });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "source_refused",
      message: `The SFTP server 127.0.0.1:${sshd.port} refused the login of user '${SFTP_USER}': check the password.`,
    });
  });

  it("refuses a server whose host key is not the pinned one, and reads nothing", async () => {
    const path = serveFile(sshd, "pinned.csv", velocidiFile(1));
    const pinned = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const importId = await sftpImport({ password: SFTP_PASSWORD, path, hostKeySha256: pinned });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("source_refused");
    expect(run.error?.message).toContain(
      `showed the host key ${sshd.hostKeySha256}, but this import trusts ${pinned}`,
    );
    expect(run.stats.itemsRead).toBe(0);
  });

  it("trusts the host key of the first run, refuses another later, and takes a new pin", async () => {
    const first = await startSshd();
    const port = first.port;
    const source = {
      type: "sftp",
      host: "127.0.0.1",
      port,
      username: SFTP_USER,
      password: SFTP_PASSWORD,
      path: serveFile(first, "tofu.csv", velocidiFile(2)),
    };
    const importId = await api.createImport({ name: "TOFU", type: "orders", format: "velocidi_csv", source });
    expect((await api.run(importId)).error).toBeNull();
    await first.close();

    // Another server (another host key) on the same address.
    const second = await startSshd({ port });
    try {
      const path = serveFile(second, "tofu.csv", velocidiFile(2));
      await api.call("PATCH", `/v1/imports/${importId}`, { source: { ...source, password: "***", path } });
      const refused = await api.run(importId);
      expect(refused.error).toEqual({
        code: "source_refused",
        message:
          `The SFTP server 127.0.0.1:${port} showed the host key ${second.hostKeySha256}, but this import trusts ${first.hostKeySha256}. ` +
          "If the server's key was changed on purpose, set source.hostKeySha256 to the new fingerprint.",
      });

      await api.call("PATCH", `/v1/imports/${importId}`, {
        source: { ...source, password: "***", path, hostKeySha256: second.hostKeySha256 },
      });
      expect((await api.run(importId)).error).toBeNull();
    } finally {
      await second.close();
    }

    // Pointing the import at another server forgets the recorded key; its first run records the
    // new one. The stored password is not sent to another server: "***" is refused there.
    const moved = { ...source, port: sshd.port, path: serveFile(sshd, "tofu.csv", velocidiFile(2)) };
    const masked = await api.call("PATCH", `/v1/imports/${importId}`, {
      source: { ...moved, password: "***" },
    });
    expect(masked.status).toBe(400);
    expect(masked.body).toMatchObject({ error: { details: [{ path: "source.password" }] } });
    await api.call("PATCH", `/v1/imports/${importId}`, { source: moved });
    const shown = await api.call<ImportView>("GET", `/v1/imports/${importId}`);
    expect(shown.body.source.hostKeySha256).toBeUndefined();
    expect((await api.run(importId)).error).toBeNull();
    const recorded = await api.call<ImportView>("GET", `/v1/imports/${importId}`);
    expect(recorded.body.source.hostKeySha256).toBe(sshd.hostKeySha256);
  });

  it("refuses on save a private key that is no key, or one locked with a passphrase", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cdp-sftp-key-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "a passphrase", "-f", join(dir, "locked")]);
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "ecdsa",
      "-m",
      "PEM",
      "-N",
      "a passphrase",
      "-f",
      join(dir, "pem"),
    ]);
    const source = { type: "sftp", host: sshd.host, port: sshd.port, username: SFTP_USER, path: "/x.csv" };
    const create = (privateKey: string) =>
      api.call<{ error: { details: { path: string; message: string }[] } }>("POST", "/v1/imports", {
        name: "Locked key",
        type: "orders",
        format: "velocidi_csv",
        source: { ...source, privateKey },
      });
    const keys = [
      ["not a key", /^is not a private key: paste the whole key file/],
      [readFileSync(join(dir, "locked"), "utf8"), /^is encrypted with a passphrase/],
      [readFileSync(join(dir, "pem"), "utf8"), /^is encrypted with a passphrase/],
    ] as const;
    rmSync(dir, { recursive: true, force: true });
    for (const [key, problem] of keys) {
      const res = await create(key);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        { path: "source.privateKey", message: expect.stringMatching(problem) },
      ]);
    }
  });

  it("fails with a clear message when the private key cannot be read", async () => {
    const damaged = [
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "bm90IGEga2V5",
      "-----END OPENSSH PRIVATE KEY-----",
    ];
    const importId = await sftpImport({ privateKey: damaged.join("\n"), path: "/x.csv" });
    const run = await api.run(importId);
    expect(run.error?.code).toBe("invalid_config");
    expect(run.error?.message).toMatch(/^The SFTP source's private key cannot be used: /);
  });

  it("fails when the host does not answer", async () => {
    // A port nothing listens on: the server closed, as it were.
    const closed = await startSshd();
    const port = closed.port;
    await closed.close();
    const importId = await api.createImport({
      name: "Nobody home",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "sftp", host: "127.0.0.1", port, username: SFTP_USER, password: "x", path: "/x.csv" },
    });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({
      code: "source_unreachable",
      message: `Could not reach the SFTP server 127.0.0.1:${port}: the connection was refused (is the port right, and is the server running?).`,
    });
  });
});
