import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a path answers: a body with 200, or a body with another status. */
export type Served = string | Uint8Array | { body: string | Uint8Array; status?: number };

export interface FileServer {
  /** The server's base URL, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback for url sources. Each path answers what `files` holds for it
 * when the request comes (tests add and remove files as they go), any other path 404.
 * `intercept` sees every request first, and answers it itself when it returns true.
 */
export async function serveFiles(
  files: ReadonlyMap<string, Served>,
  options: {
    contentType?: string;
    intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  } = {},
): Promise<FileServer> {
  const server = createServer((req, res) => {
    if (options.intercept?.(req, res)) return;
    const file = files.get(req.url ?? "");
    if (file === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    const { body, status = 200 } =
      typeof file === "string" || file instanceof Uint8Array ? { body: file } : file;
    res.writeHead(status, { "content-type": options.contentType ?? "application/octet-stream" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
