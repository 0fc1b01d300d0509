import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request an endpoint received. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How an endpoint answers its n-th request (from 1): a status (and body), or no answer at all. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | "no answer";

export interface WebhookReceiver {
  /** The server's base URL, without a trailing slash. */
  url: string;
  /** Every request so far, in order of arrival. */
  received: ReceivedWebhook[];
  /** What a path answers from now on (200 "ok" for a path without a rule). */
  answer(path: string, rule: (n: number) => Answer): void;
  /** The requests to a path. */
  at(path: string): ReceivedWebhook[];
  /** Waits until a path has had `count` requests matching `where`; returns them. */
  waitFor(
    path: string,
    count: number,
    where?: (request: ReceivedWebhook) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback that receives webhooks, as a customer's endpoint would: it
 * records each request and answers by the rule of its path.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const rules = new Map<string, (n: number) => Answer>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const n = received.filter((r) => r.path === path).length;
      const answer = rules.get(path)?.(n) ?? { status: 200, body: "ok" };
      if (answer === "no answer") {
        hanging.add(res);
        return;
      }
      res
        .writeHead(answer.status, { "content-type": "text/plain", ...answer.headers })
        .end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const at = (path: string) => received.filter((r) => r.path === path);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answer: (path, rule) => rules.set(path, rule),
    at,
    async waitFor(path, count, where = () => true, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = at(path).filter(where);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`${path} received ${matching.length} of ${count} webhooks within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verifies a delivery as a receiver following Standard Webhooks does: one of the signatures of
 * `webhook-signature` is the HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed with
 * the secret's base64 part, and the timestamp is within 5 minutes of now.
 */
export function verifyWebhook(secret: string, request: ReceivedWebhook): boolean {
  const id = String(request.headers["webhook-id"] ?? "");
  const timestamp = String(request.headers["webhook-timestamp"] ?? "");
  const signatures = String(request.headers["webhook-signature"] ?? "").split(" ");
  if (!id || !/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac("sha256", Buffer.from(secret.replace(/^whsec_/, ""), "base64"))
    .update(`${id}.${timestamp}.${request.body}`)
    .digest();
  return signatures.some((signature) => {
    const [version, value] = signature.split(",");
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
