import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer of the API as a user's client sees it: status, headers and body text. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  text: string;
  body: unknown;
}

/**
 * Calls the public API over HTTP and keeps every answer (status line, headers, body), so that a
 * test can search all of them afterwards.
 */
export class Recorder {
  readonly exchanges: Exchange[] = [];

  constructor(readonly base: URL) {}

  async call(
    method: string,
    path: string,
    options: { key?: string | null; body?: unknown; authorization?: string } = {},
  ): Promise<Exchange> {
    const headers: Record<string, string> = {};
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    else if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: "manual",
    });
    const text = await res.text();
    let body: unknown = text;
    if (res.headers.get("content-type")?.includes("application/json")) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    const exchange = {
      method,
      path,
      status: res.status,
      headers: responseHeaders,
      text,
      body,
    };
    this.exchanges.push(exchange);
    return exchange;
  }

  /** A page of the dashboard, with a session cookie (see `signIn`). */
  async page(path: string, cookie: string): Promise<Exchange> {
    const res = await fetch(new URL(path, this.base), { headers: { cookie }, redirect: "manual" });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const text = await res.text();
    const exchange = { method: "GET", path, status: res.status, headers, text, body: text };
    this.exchanges.push(exchange);
    return exchange;
  }

  /** Signs in to the dashboard with an API key, as its form does; answers the session cookie. */
  async signIn(apiKey: string): Promise<string> {
    const form = await fetch(new URL("/sign-in", this.base));
    const cookies = (res: Response) =>
      res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .filter((c) => c && !c.endsWith("="));
    const csrf = /name="_csrf"[^>]*value="([^"]+)"/.exec(await form.text())?.[1];
    if (!csrf) throw new Error("the sign-in form has no _csrf field");
    const res = await fetch(new URL("/sign-in", this.base), {
      method: "POST",
      headers: {
        origin: this.base.origin,
        cookie: cookies(form).join("; "),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ apiKey, _csrf: csrf }).toString(),
      redirect: "manual",
    });
    if (res.status !== 303) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
    return cookies(res).join("; ");
  }

  /** Every recorded answer as one text: status, headers and body of each. */
  transcript(): string {
    return this.exchanges
      .map((e) => `${e.method} ${e.path} ${e.status}\n${JSON.stringify(e.headers)}\n${e.text}`)
      .join("\n");
  }
}

/**
 * Everything the test process prints while it runs: its own stdout and stderr, and what goes
 * through `console` (where the test harness writes the Workers' console output and its logs).
 */
export interface Capture {
  text(): string;
  stop(): void;
}

export function captureOutput(): Capture {
  const chunks: string[] = [];
  const keep = (args: unknown[]) => {
    chunks.push(
      args
        .map((a) =>
          typeof a === "string" ? a : a instanceof Uint8Array ? new TextDecoder().decode(a) : String(a),
        )
        .join(" "),
    );
  };
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep([chunk]);
    return (stdout as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep([chunk]);
    return (stderr as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const originals = methods.map((m) => console[m]);
  for (const m of methods) {
    const original = console[m];
    console[m] = (...args: unknown[]) => {
      keep(args);
      original.apply(console, args);
    };
  }
  return {
    text: () => chunks.join("\n"),
    stop() {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
      methods.forEach((m, i) => {
        console[m] = originals[i] as (typeof console)[typeof m];
      });
    },
  };
}

/** A small HTTP server whose handler the test gives; it keeps the path and headers of each request. */
export interface TestServer {
  url: string;
  port: number;
  requests: { path: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = "127.0.0.1",
): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses CSV text (RFC 4180: quoted fields, doubled quotes, CR LF or LF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
      if (ch === "\r") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** How many of the needles occur in the haystack, with the names of those that do. */
export function occurrences(haystack: string, needles: string[]): { count: number; found: string[] } {
  const found = needles.filter((n) => haystack.includes(n));
  let count = 0;
  for (const n of found) count += haystack.split(n).length - 1;
  return { count, found };
}
