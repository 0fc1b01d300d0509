import { env } from "cloudflare:workers";
import { encryptSecret, loadKeyring, newWebhookSecret } from "@cdp/core";
import { insertTestEvent, insertWebhook, listDeliveries } from "@cdp/store";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { deliver } from "../src/deliver";
import { settingsOf } from "../src/settings";

const receiver = inject("receiverUrl");
let seq = 0;

/** An endpoint at `url` with a test event waiting for it. */
async function endpointWithEvent(url: string) {
  seq++;
  const keyring = await loadKeyring(env.SECRETS_KEYS);
  const webhookId = `wh_${seq}`;
  const eventId = `evt_${seq}`;
  const now = new Date().toISOString();
  await insertWebhook(env.CONFIG_DB, {
    id: webhookId,
    tenantId: "acme",
    url,
    events: ["run.completed"],
    description: null,
    secret: await encryptSecret(keyring, newWebhookSecret(), "acme"),
    now,
  });
  await insertTestEvent(env.CONFIG_DB, { id: eventId, tenantId: "acme", webhookId, payload: "{}", now });
  return { webhookId, eventId };
}

const log = async (webhookId: string) =>
  (await listDeliveries(env.CONFIG_DB, "acme", webhookId, { limit: 10 })).items;

const received = async () => (await (await fetch(`${receiver}/received`)).json()) as string[];

/** The network as deployed, where no request may go: the guard must stop the delivery first. */
const noNetwork = {
  fetch: async () => {
    throw new Error("a refused webhook URL was requested");
  },
};

beforeAll(async () => {
  expect(await received()).toEqual([]);
});

describe("a delivery", () => {
  it("does not follow a redirect: the attempt is logged with its status and retried", async () => {
    const ref = await endpointWithEvent(`${receiver}/moved`);
    const decision = await deliver(env, { ...settingsOf(env), allowPrivate: true }, ref);
    expect(decision).toEqual({ retryAfterSeconds: 30 });
    expect(await log(ref.webhookId)).toMatchObject([
      {
        attempt: 1,
        statusCode: 302,
        outcome: "retrying",
        error: "A redirect to /elsewhere is not followed: give the endpoint's final URL.",
      },
    ]);
    expect(await received()).toEqual(["/moved"]);
  });

  it("is refused when the URL's name now resolves to a private address: no request, the event fails", async () => {
    const ref = await endpointWithEvent("https://hooks.example.com/cdp");
    const decision = await deliver(env, { ...settingsOf(env), allowPrivate: false }, ref, {
      ...noNetwork,
      resolve: async () => ["93.184.215.14", "10.0.0.7"],
    });
    expect(decision).toEqual({ gaveUpAfter: 1 });
    expect(await log(ref.webhookId)).toMatchObject([
      {
        statusCode: null,
        outcome: "failed",
        error:
          "Not sent: hooks.example.com cannot be used: it resolves to 10.0.0.7, and 10.0.0.7 is a private, loopback, link-local or reserved address.",
      },
    ]);
  });

  it("is refused to a literal metadata address, and to http, where private addresses are not allowed", async () => {
    const metadata = await endpointWithEvent("https://169.254.169.254/latest");
    const settings = { ...settingsOf(env), allowPrivate: false };
    const never = { ...noNetwork, resolve: async () => [] };
    expect(await deliver(env, settings, metadata, never)).toEqual({ gaveUpAfter: 1 });
    expect((await log(metadata.webhookId))[0]?.error).toMatch(
      /169\.254\.169\.254 is a private, loopback, link-local/,
    );
    const http = await endpointWithEvent("http://hooks.example.com/cdp");
    expect(await deliver(env, settings, http, never)).toEqual({ gaveUpAfter: 1 });
    expect((await log(http.webhookId))[0]?.error).toBe("Not sent: a webhook URL must be https.");
  });
});
