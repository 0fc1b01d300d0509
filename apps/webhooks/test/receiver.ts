import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A real HTTP server on loopback that the Worker's deliveries reach. */
    receiverUrl: string;
  }
}

/**
 * An endpoint for the Worker's deliveries, run in Node next to workerd: /moved answers a
 * redirect, any other path 200; GET /received lists the paths posted to so far.
 */
export default async function setup(project: TestProject) {
  const received: string[] = [];
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/received") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received));
      return;
    }
    req.resume();
    req.on("end", () => {
      received.push(req.url ?? "/");
      if (req.url === "/moved") res.writeHead(302, { location: "/elsewhere" }).end();
      else res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("receiverUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
