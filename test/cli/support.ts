import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/stack";

export const BIN = join(ROOT, "packages/cli/bin/cdp-import.mjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `cdp-import` binary in a child process, as a person or a script would: stdout
 * and stderr are pipes (not a terminal), HOME is an empty folder so no real config file is read.
 */
export function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { interruptWhen?: (stdout: string) => boolean } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: emptyHome, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      // Ctrl-C, as a person at the terminal would press it.
      if (!interrupted && options.interruptWhen?.(stdout)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let emptyHome = tmpdir();

/** A scratch folder for the test's files; also the HOME of every CLI run. */
export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cdp-cli-"));
  emptyHome = await mkdtemp(join(dir, "home-"));
  return dir;
}

export async function writeScratch(dir: string, name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Any ANSI escape (colour, cursor movement, line clearing) begins with ESC. */
export const ESC = String.fromCharCode(0x1b);

/** What the faulty proxy does with a request: passes it on, answers 502, or drops the connection. */
export type Fault = "pass" | "502" | "drop";

export interface FaultyProxy {
  url: URL;
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of the stack, as a load balancer would be, that does with each request
 * what `fault` says: passes it on, answers 502 with an HTML page as a gateway does, or drops the
 * connection without an answer (the API out of reach).
 */
export async function faultyProxy(target: URL, fault: (req: IncomingMessage) => Fault): Promise<FaultyProxy> {
  const server = createHttpServer((req, res) => {
    const what = fault(req);
    if (what === "drop") {
      req.socket.destroy();
      return;
    }
    if (what === "502") {
      res.writeHead(502, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>");
      return;
    }
    const upstream = request(
      new URL(req.url ?? "/", target),
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
