import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, webhookHeaders, webhookRetryDelay } from "../src/index";

// The example of the Standard Webhooks specification: a receiver's library checks exactly this.
const SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SPEC_MESSAGE = {
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
};

describe("webhook signatures (Standard Webhooks)", () => {
  it("signs {id}.{timestamp}.{body} with the secret's decoded base64 part, as the specification's example", async () => {
    expect(await signWebhook([SPEC_SECRET], SPEC_MESSAGE)).toBe(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("puts one signature per secret in the header, separated by a space", async () => {
    const other = newWebhookSecret();
    const header = await signWebhook([other, SPEC_SECRET], SPEC_MESSAGE);
    const [first, second] = header.split(" ");
    expect(first).toBe(await signWebhook([other], SPEC_MESSAGE));
    expect(second).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("gives the event id, the time in seconds and the signature as the delivery's headers", async () => {
    expect(await webhookHeaders([SPEC_SECRET], SPEC_MESSAGE)).toEqual({
      "content-type": "application/json",
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("makes secrets of 32 random bytes after whsec_, never the same twice", () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(a.slice(6))).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});

describe("webhook retry delays", () => {
  it("double from the base and stop at the most", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => webhookRetryDelay(n, 30, 7200))).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3840, 7200, 7200,
    ]);
    expect(webhookRetryDelay(500, 30, 7200)).toBe(7200);
  });
});
