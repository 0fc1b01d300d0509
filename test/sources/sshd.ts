import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SSHD = "/usr/sbin/sshd";
/** The test user: created once per machine, its password set by every start. */
export const SFTP_USER = "cdpsftp";
export const SFTP_PASSWORD = "Sftp-test-password-1";

export interface Sshd {
  host: string;
  port: number;
  /** A folder the test user can read; put the served files here. */
  dir: string;
  /** The client's private key (OpenSSH format), whose public half the server accepts. */
  privateKey: string;
  /** The server's ed25519 host key fingerprint, as `ssh-keygen -l` prints it (SHA256:...). */
  hostKeySha256: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once the server answers with its SSH banner. */
async function waitForBanner(port: number, deadline: number): Promise<void> {
  for (;;) {
    const banner = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once("error", () => resolve(""));
    });
    if (banner.startsWith("SSH-")) return;
    if (Date.now() > deadline) throw new Error(`sshd did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function ensureUser(): void {
  try {
    execFileSync("id", [SFTP_USER], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", SFTP_USER]);
  }
  execFileSync("chpasswd", { input: `${SFTP_USER}:${SFTP_PASSWORD}\n` });
}

/**
 * A real OpenSSH server on a free loopback port with its own config, host key and an
 * authorised client key, serving SFTP only to a test user with a password. Each start makes a
 * new host key. Needs root (CI and the dev machines run as root) and Debian's openssh-server.
 */
export async function startSshd(options: { port?: number } = {}): Promise<Sshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (.ci/run does)`);
  ensureUser();
  // sshd's privilege separation needs this folder, which only the system service creates.
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const root = mkdtempSync(join(tmpdir(), "cdp-sshd-"));
  chmodSync(root, 0o755);
  const dir = join(root, "files");
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const hostKey = join(root, "host_ed25519");
  const clientKey = join(root, "client_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKey]);
  const authorizedKeys = join(root, "authorized_keys");
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`));
  chmodSync(authorizedKeys, 0o644);
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey}.pub`])
    .toString()
    .split(" ")[1];
  if (!fingerprint?.startsWith("SHA256:")) throw new Error("ssh-keygen printed no fingerprint");

  const port = options.port ?? (await freePort());
  const config = join(root, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${join(root, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin no",
      `AllowUsers ${SFTP_USER}`,
      "Subsystem sftp internal-sftp",
      "ForceCommand internal-sftp",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (data: Buffer) => {
    log += data.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await Promise.race([
      waitForBanner(port, Date.now() + 10_000),
      exited.then(() => {
        throw new Error(`sshd exited: ${log}`);
      }),
    ]);
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    host: "127.0.0.1",
    port,
    dir,
    privateKey: readFileSync(clientKey, "utf8"),
    hostKeySha256: fingerprint,
    async close() {
      child.kill();
      await exited;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Writes a file the test user can read, and returns its absolute path. */
export function serveFile(sshd: Sshd, name: string, content: string | Uint8Array): string {
  const path = join(sshd.dir, name);
  writeFileSync(path, content);
  chmodSync(path, 0o644);
  return path;
}
