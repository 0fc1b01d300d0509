import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiClient } from "../support/client";

/** An inbox key as POST /v1/inbox/keys answers it. */
export interface InboxKey {
  accessKeyId: string;
  secretAccessKey: string;
  endpoint: string;
  bucket: string;
  region: string;
}

export async function createInboxKey(api: ApiClient, description: string): Promise<InboxKey> {
  const res = await api.call<InboxKey>("POST", "/v1/inbox/keys", { description });
  if (res.status !== 201) throw new Error(`inbox key: ${res.status} ${res.text}`);
  return res.body;
}

export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a real S3 client with only the environment it is given (and PATH): nothing of the machine's
 * own AWS settings, CA bundles or rclone config leaks into the test.
 */
export function runClient(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 300_000,
): Promise<ClientRun> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: mkdtempSync(join(tmpdir(), "s3-client-")),
          LANG: "C.UTF-8",
          ...env,
        },
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** What every aws CLI run needs: the key, the region, and no config or credentials files of the machine. */
export function awsEnv(
  key: Pick<InboxKey, "accessKeyId" | "secretAccessKey">,
  extra: Record<string, string> = {},
) {
  return {
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: "auto",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    ...extra,
  };
}

/** rclone with its config in a file of its own, made as the README says (`rclone config create`). */
export async function rcloneWith(key: InboxKey): Promise<(args: string[]) => Promise<ClientRun>> {
  const env = { RCLONE_CONFIG: join(mkdtempSync(join(tmpdir(), "rclone-")), "rclone.conf") };
  const created = await runClient(
    "rclone",
    [
      "config",
      "create",
      "cdp",
      "s3",
      "provider=Other",
      `access_key_id=${key.accessKeyId}`,
      `secret_access_key=${key.secretAccessKey}`,
      `endpoint=${key.endpoint}`,
    ],
    env,
  );
  if (created.code !== 0) throw new Error(`rclone config create: ${created.stderr}`);
  return (args) => runClient("rclone", args, env);
}

/** s3cmd's options for the endpoint as `host:port/s3`, path style, as the README gives them. */
export function s3cmdOptions(key: InboxKey): string[] {
  const endpoint = new URL(key.endpoint);
  const host = `${endpoint.host}${endpoint.pathname}`;
  return [
    `--access_key=${key.accessKeyId}`,
    `--secret_key=${key.secretAccessKey}`,
    `--host=${host}`,
    `--host-bucket=${host}`,
    ...(endpoint.protocol === "https:" ? [] : ["--no-ssl"]),
  ];
}

/** The aws CLIs on this machine: Debian's (required), and another `aws` on PATH if there is one. */
export function awsClis(): string[] {
  const clis = ["/usr/bin/aws"];
  try {
    const other = execFileSync("sh", ["-c", "command -v aws"], { encoding: "utf8" }).trim();
    const version = execFileSync(other, ["--version"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    if (other && other !== "/usr/bin/aws" && /aws-cli\//.test(version)) clis.push(other);
  } catch {}
  return clis;
}

export interface TlsProxy {
  /** `https://127.0.0.1:<port>`. */
  origin: string;
  /** The proxy's self-signed certificate, for the clients to trust. */
  caFile: string;
  close(): Promise<void>;
}

/**
 * HTTPS in front of the local stack, as Cloudflare's edge is in front of the deployed Workers:
 * clients speak to https endpoints as they do in production (the aws CLI then sends unsigned
 * payloads, and recent versions the unsigned trailer with checksums).
 */
export async function startTlsProxy(target: URL): Promise<TlsProxy> {
  const dir = mkdtempSync(join(tmpdir(), "tls-proxy-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const server: Server = createServer(
    { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
    (req, res) => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", (err) => res.destroy(err));
      req.pipe(upstream);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    caFile: join(dir, "cert.pem"),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A file of `bytes` random bytes (made here, never committed). */
export function randomFile(bytes: number): string {
  const path = join(mkdtempSync(join(tmpdir(), "inbox-file-")), `random-${bytes}.bin`);
  execFileSync("sh", ["-c", `head -c ${bytes} /dev/urandom > '${path}'`]);
  return path;
}

/** The SHA-256 of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
