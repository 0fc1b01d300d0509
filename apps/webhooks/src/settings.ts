import { wholeNumberVar } from "@cdp/core";

/** The Worker's vars, read once per batch: each falls back to its default when unset or not a whole number. */
export interface WebhookSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  retryBaseSeconds: number;
  retryMaxDelaySeconds: number;
  retryForSeconds: number;
  disableAfterSeconds: number;
  watchMaxDelaySeconds: number;
  logDays: number;
  publicApiUrl: string;
}

export function settingsOf(env: Env): WebhookSettings {
  return {
    allowPrivate: env.ALLOW_PRIVATE_SOURCES === "true",
    timeoutMs: wholeNumberVar(env.WEBHOOK_TIMEOUT_MS, 10_000),
    retryBaseSeconds: wholeNumberVar(env.WEBHOOK_RETRY_BASE_SECONDS, 30),
    retryMaxDelaySeconds: wholeNumberVar(env.WEBHOOK_RETRY_MAX_DELAY_SECONDS, 7200),
    retryForSeconds: wholeNumberVar(env.WEBHOOK_RETRY_FOR_SECONDS, 86_400),
    disableAfterSeconds: wholeNumberVar(env.WEBHOOK_DISABLE_AFTER_SECONDS, 259_200),
    watchMaxDelaySeconds: wholeNumberVar(env.WEBHOOK_WATCH_MAX_DELAY_SECONDS, 30),
    logDays: wholeNumberVar(env.WEBHOOK_LOG_DAYS, 30),
    publicApiUrl: (env.PUBLIC_API_URL ?? "").replace(/\/+$/, ""),
  };
}
