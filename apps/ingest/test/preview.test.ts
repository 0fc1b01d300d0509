import { env, exports } from "cloudflare:workers";
import {
  inboxObjectKey,
  PREVIEW_PATH,
  PREVIEW_SIGNATURE_HEADER,
  type PreviewRequest,
  signPreviewRequest,
} from "@cdp/core";
import { describe, expect, it } from "vitest";

const URL_OF_PREVIEW = `http://ingest.test${PREVIEW_PATH}`;
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

async function ask(
  request: PreviewRequest,
  secret = env.UPLOAD_SIGNING_SECRET,
  body = JSON.stringify(request),
) {
  return exports.default.fetch(URL_OF_PREVIEW, {
    method: "POST",
    headers: { [PREVIEW_SIGNATURE_HEADER]: await signPreviewRequest(body, secret) },
    body,
  });
}

const csv = `orderId,total\n${Array.from({ length: 1000 }, (_, i) => `or${i},${i}`).join("\n")}\n`;

describe("the preview ingest answers to config-api", () => {
  it("answers the first bytes of a tenant's file, and no more than asked", async () => {
    await env.FILES.put(inboxObjectKey("acme", "orders.csv"), csv);
    const res = await ask({
      tenantId: "acme",
      source: { type: "r2", key: "orders.csv" },
      maxBytes: 100,
      expires: inAMinute(),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(csv.slice(0, 100));
  });

  it("answers a file that cannot be read with the error a run would give", async () => {
    const res = await ask({
      tenantId: "globex",
      source: { type: "r2", key: "orders.csv" },
      maxBytes: 100,
      expires: inAMinute(),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: {
        code: "source_not_found",
        message:
          "No file at 'tenants/globex/inbox/orders.csv' in the bucket cdp-import-files: put it there first (r2 keys are read from your inbox, tenants/globex/inbox/).",
      },
    });
  });

  it("refuses a request that config-api did not sign, that was changed, or that has expired", async () => {
    const request: PreviewRequest = {
      tenantId: "acme",
      source: { type: "r2", key: "orders.csv" },
      maxBytes: 100,
      expires: inAMinute(),
    };
    const unsigned = await exports.default.fetch(URL_OF_PREVIEW, {
      method: "POST",
      body: JSON.stringify(request),
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ error: { code: "forbidden" } });

    expect((await ask(request, "another-secret")).status).toBe(403);

    const signature = await signPreviewRequest(JSON.stringify(request), env.UPLOAD_SIGNING_SECRET);
    const changed = await exports.default.fetch(URL_OF_PREVIEW, {
      method: "POST",
      headers: { [PREVIEW_SIGNATURE_HEADER]: signature },
      body: JSON.stringify({ ...request, tenantId: "globex" }),
    });
    expect(changed.status).toBe(403);

    const expired = await ask({ ...request, expires: Math.floor(Date.now() / 1000) - 1 });
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: { message: "The preview request has expired." } });
  });
});
