import { Buffer } from "node:buffer";
import { ImportFileError, type Source } from "@cdp/core";
import type { Client, SFTPWrapper, SshError } from "ssh2";

type SftpSource = Extract<Source, { type: "sftp" }>;

/**
 * ssh2's defaults less what is slow or weak in workerd: the big Diffie-Hellman groups take tens
 * of seconds there, chacha20 needs a wasm poly1305. What is left (curve25519 or ECDH key
 * exchange, ed25519/ECDSA/RSA-SHA2 host keys, AES-CTR with SHA-2 MACs) is what every OpenSSH
 * offers; ssh2 keeps of it what the runtime's crypto supports.
 */
export const SFTP_ALGORITHMS = {
  kex: { remove: [/^diffie-hellman-/] },
  serverHostKey: { remove: [/^ssh-rsa$/, /^ssh-dss$/] },
  // workerd's AES-GCM decipher wants the tag before the data, which ssh2 gives after it.
  cipher: { remove: [/chacha20/, /-gcm/, /-cbc$/, /3des/, /arcfour/] },
  hmac: { remove: [/sha1/, /md5/, /ripemd/] },
  compress: ["none"],
};

/** How long connecting and logging in may take. */
const READY_TIMEOUT_MS = 20_000;
/** Bytes asked for by one read request, and how many requests are in flight at once. */
const READ_BYTES = 64 * 1024;
const READS_IN_FLIGHT = 16;
/** SFTP status codes (draft-ietf-secsh-filexfer). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

export interface SftpFile {
  body: ReadableStream<Uint8Array>;
  /** The size the server reported, when it did. */
  size: number | null;
  /** The server's host key fingerprint, as OpenSSH prints it: `SHA256:<base64>`. */
  hostKeySha256: string;
}

/** A fingerprint as users may paste it (`SHA256:...`, with or without padding, or hex) in one form. */
export function normaliseFingerprint(value: string): string {
  const trimmed = value.trim().replace(/^SHA256:/i, "");
  if (/^[0-9a-f]{64}$/i.test(trimmed) || /^([0-9a-f]{2}:){31}[0-9a-f]{2}$/i.test(trimmed)) {
    const hex = trimmed.replaceAll(":", "");
    const bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return `SHA256:${base64(bytes)}`;
  }
  return `SHA256:${trimmed.replace(/=+$/, "")}`;
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/=+$/, "");
}

async function fingerprintOf(key: Uint8Array): Promise<string> {
  return `SHA256:${base64(new Uint8Array(await crypto.subtle.digest("SHA-256", key)))}`;
}

/**
 * Connects, logs in and opens the file. `trustedHostKey` is the fingerprint the server must
 * show (pinned in the source, or recorded by an earlier run); null trusts the first one seen.
 * The file is then read as a stream of pipelined read requests, never held whole.
 */
export async function openSftp(source: SftpSource, trustedHostKey: string | null): Promise<SftpFile> {
  const port = source.port ?? 22;
  const where = `${source.host}:${port}`;
  // Loaded on first use: only SFTP runs pay for ssh2's start-up.
  const { Client } = await import("ssh2");
  const client = new Client();
  let seenHostKey: string | null = null;
  const expected = trustedHostKey ? normaliseFingerprint(trustedHostKey) : null;

  const ready = new Promise<void>((resolve, reject) => {
    client.on("ready", resolve);
    client.on("error", (err) => reject(connectError(err, source, where, seenHostKey, expected)));
    client.on("close", () =>
      reject(new ImportFileError("source_unreachable", `The SFTP server ${where} closed the connection.`)),
    );
  });
  try {
    client.connect({
      host: source.host,
      port,
      username: source.username,
      password: source.password,
      privateKey: source.privateKey,
      readyTimeout: READY_TIMEOUT_MS,
      algorithms: SFTP_ALGORITHMS,
      hostVerifier: (key, verify) => {
        fingerprintOf(key).then(
          (fingerprint) => {
            seenHostKey = fingerprint;
            verify(expected === null || fingerprint === expected);
          },
          () => verify(false),
        );
        return undefined;
      },
    });
  } catch (err) {
    // ssh2 checks its settings before connecting, the private key above all.
    const why = err instanceof Error ? err.message : String(err);
    throw new ImportFileError(
      "invalid_config",
      /private ?key/i.test(why)
        ? `The SFTP source's private key cannot be used: ${why}.`
        : `The SFTP source cannot be used: ${why}.`,
    );
  }
  try {
    await ready;
    if (!seenHostKey)
      throw new ImportFileError("source_refused", `The SFTP server ${where} showed no host key.`);
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, session) => (err ? reject(sftpError(err, source, where)) : resolve(session))),
    );
    const handle = await new Promise<Buffer>((resolve, reject) =>
      sftp.open(source.path, "r", (err, opened) =>
        err ? reject(sftpError(err, source, where)) : resolve(opened),
      ),
    );
    const size = await new Promise<number | null>((resolve) =>
      sftp.fstat(handle, (err, stats) => resolve(err || stats.size === undefined ? null : stats.size)),
    );
    return { body: readFile(client, sftp, handle, source, where), size, hostKeySha256: seenHostKey };
  } catch (err) {
    client.end();
    throw err;
  }
}

function readAt(sftp: SFTPWrapper, handle: Buffer, position: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const buffer = Buffer.alloc(READ_BYTES);
    sftp.read(handle, buffer, 0, READ_BYTES, position, (err, bytesRead) =>
      err ? reject(err) : resolve(buffer.subarray(0, bytesRead)),
    );
  });
}

function readFile(
  client: Client,
  sftp: SFTPWrapper,
  handle: Buffer,
  source: SftpSource,
  where: string,
): ReadableStream<Uint8Array> {
  let position = 0;
  const finish = () => {
    sftp.close(handle, () => client.end());
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let results: Uint8Array[];
        try {
          results = await Promise.all(
            Array.from({ length: READS_IN_FLIGHT }, (_, i) =>
              readAt(sftp, handle, position + i * READ_BYTES),
            ),
          );
        } catch (err) {
          finish();
          controller.error(sftpError(err as SshError, source, where));
          return;
        }
        for (const data of results) {
          if (data.byteLength === 0) {
            controller.close();
            finish();
            return;
          }
          controller.enqueue(data);
          position += data.byteLength;
          // A short read that is not the end: the reads after it started at the wrong place.
          if (data.byteLength < READ_BYTES) return;
        }
      },
      cancel: finish,
    },
    { highWaterMark: 0 },
  );
}

function connectError(
  err: SshError,
  source: SftpSource,
  where: string,
  seenHostKey: string | null,
  expected: string | null,
): ImportFileError {
  if (expected && seenHostKey && seenHostKey !== expected) {
    return new ImportFileError(
      "source_refused",
      `The SFTP server ${where} showed the host key ${seenHostKey}, but this import trusts ${expected}. ` +
        "If the server's key was changed on purpose, set source.hostKeySha256 to the new fingerprint.",
    );
  }
  if (err.level === "client-authentication") {
    return new ImportFileError(
      "source_refused",
      `The SFTP server ${where} refused the login of user '${source.username}': check the ${
        source.privateKey ? "private key" : "password"
      }.`,
    );
  }
  if (err.level === "client-timeout") {
    return new ImportFileError(
      "source_unreachable",
      `The SFTP server ${where} did not answer within ${READY_TIMEOUT_MS / 1000} seconds.`,
    );
  }
  if (err.level === "handshake") {
    return new ImportFileError(
      "source_refused",
      `Could not agree on encryption with the SFTP server ${where} (${err.message}). The service speaks ` +
        "curve25519 or ECDH key exchange, ed25519, ECDSA or RSA (SHA-2) host keys and AES ciphers.",
    );
  }
  const why = typeof err.code === "string" ? SOCKET_ERRORS[err.code] : undefined;
  return new ImportFileError(
    "source_unreachable",
    `Could not reach the SFTP server ${where}: ${why ?? err.message}.`,
  );
}

/** What the socket errors mean, in words. */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: "the connection was refused (is the port right, and is the server running?)",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve",
};

function sftpError(err: SshError, source: SftpSource, where: string): ImportFileError {
  if (err.code === NO_SUCH_FILE) {
    return new ImportFileError("source_not_found", `No file at ${source.path} on the SFTP server ${where}.`);
  }
  if (err.code === PERMISSION_DENIED) {
    return new ImportFileError(
      "source_refused",
      `The SFTP user '${source.username}' may not read ${source.path} on ${where}.`,
    );
  }
  return new ImportFileError(
    "source_unreachable",
    `The SFTP server ${where} failed while reading ${source.path}: ${err.message}.`,
  );
}
