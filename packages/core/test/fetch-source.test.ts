import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchPublic } from "../src/fetch-source";
import { ImportFileError } from "../src/issue-codes";

/** A loopback server that records the headers of each request and answers with `answer`. */
async function server(answer: (path: string) => { status: number; location?: string }) {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const http: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? "", headers: req.headers });
    const { status, location } = answer(req.url ?? "");
    res.writeHead(status, location ? { location } : {});
    res.end(status === 200 ? "id,name\n1,a\n" : "");
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { origin, seen, close: () => new Promise((resolve) => http.close(resolve)) };
}

// Real loopback servers need Node: the workerd project of this package cannot listen.
const inWorkerd = typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";

describe.skipIf(inWorkerd)("fetchPublic's redirects", () => {
  let files: Awaited<ReturnType<typeof server>>;
  let front: Awaited<ReturnType<typeof server>>;

  beforeAll(async () => {
    files = await server(() => ({ status: 200 }));
    front = await server((path) =>
      path === "/same"
        ? { status: 200 }
        : path === "/here"
          ? { status: 302, location: "/same" }
          : { status: 302, location: `${files.origin}/file.csv` },
    );
  });
  afterAll(async () => {
    await files.close();
    await front.close();
  });

  const headers = { Authorization: "Bearer source-secret", "X-Api-Key": "k", Range: "bytes=0-99" };

  it("sends the source's headers to its own origin only; another origin gets the range alone", async () => {
    const response = await fetchPublic(`${front.origin}/away`, headers, true);
    expect(await response.text()).toBe("id,name\n1,a\n");
    expect(front.seen.at(-1)?.headers).toMatchObject({
      authorization: "Bearer source-secret",
      "x-api-key": "k",
    });
    const landed = files.seen.at(-1)?.headers;
    expect(landed?.range).toBe("bytes=0-99");
    expect(landed?.authorization).toBeUndefined();
    expect(landed?.["x-api-key"]).toBeUndefined();
  });

  it("keeps the headers on a redirect within the same origin", async () => {
    await (await fetchPublic(`${front.origin}/here`, headers, true)).text();
    expect(front.seen.at(-1)).toMatchObject({
      path: "/same",
      headers: { authorization: "Bearer source-secret" },
    });
  });

  it("runs the host check on every hop, and a refusal stops the redirect before it is followed", async () => {
    const checked: string[] = [];
    const before = files.seen.length;
    const refusal = new ImportFileError("source_refused", "The URL host resolves to a private address.");
    const attempt = fetchPublic(`${front.origin}/away`, {}, true, undefined, async (host) => {
      checked.push(host);
      if (checked.length > 1) throw refusal;
    });
    await expect(attempt).rejects.toBe(refusal);
    expect(checked).toEqual(["127.0.0.1", "127.0.0.1"]);
    expect(files.seen.length).toBe(before);
  });

  it("names the URL without its query in the error of too many redirects", async () => {
    const loop = await server(() => ({ status: 302, location: "/again?token=secret-token" }));
    try {
      const error = await fetchPublic(`${loop.origin}/start?token=secret-token`, {}, true).catch((e) => e);
      expect(error).toMatchObject({ code: "source_unreachable" });
      expect(error.message).toBe(`${loop.origin}/start redirected more than 5 times.`);
    } finally {
      await loop.close();
    }
  });
});
