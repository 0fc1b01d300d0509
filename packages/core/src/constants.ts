/**
 * Names shared by the Workers' code and their wrangler.jsonc files. A test
 * (`test/wrangler-config.test.ts`) reads every wrangler.jsonc and checks it
 * against this module, so a name lives here once and nowhere drifts.
 */

export const WORKER_NAMES = {
  configApi: "cdp-config-api",
  dashboard: "cdp-dashboard",
  ingest: "cdp-ingest",
  transform: "cdp-transform",
  egoiSync: "cdp-egoi-sync",
  cdpStore: "cdp-store",
  webhooks: "cdp-webhooks",
  s3Inbox: "cdp-s3-inbox",
} as const;

export const QUEUE_NAMES = {
  runs: "cdp-import-runs",
  runsDeadLetter: "cdp-import-runs-dlq",
  chunks: "cdp-import-chunks",
  chunksDeadLetter: "cdp-import-chunks-dlq",
  egoi: "cdp-import-egoi",
  egoiDeadLetter: "cdp-import-egoi-dlq",
  fileEvents: "cdp-import-file-events",
  fileEventsDeadLetter: "cdp-import-file-events-dlq",
  webhooks: "cdp-import-webhooks",
  webhooksDeadLetter: "cdp-import-webhooks-dlq",
} as const;

export const DATABASES = {
  config: { binding: "CONFIG_DB", name: "cdp-config" },
} as const;

/** The CDP's data: the store Worker's SQLite-backed Durable Object class, bound by the others. */
export const CDP_SHARDS = { binding: "CDP_SHARDS", className: "CdpShard" } as const;

export const BUCKET = { binding: "FILES", name: "cdp-import-files" } as const;

export const QUEUE_BINDINGS = {
  runs: "RUNS_QUEUE",
  chunks: "CHUNKS_QUEUE",
  egoi: "EGOI_QUEUE",
  webhooks: "WEBHOOKS_QUEUE",
  webhooksDeadLetter: "WEBHOOKS_DEAD_LETTER_QUEUE",
  fileEvents: "FILE_EVENTS",
} as const;

export const SERVICE_BINDINGS = {
  api: "API",
  dashboard: "DASHBOARD",
  ingest: "INGEST",
  s3Inbox: "S3_INBOX",
} as const;

/** The scheduled-imports check: every 15 minutes. */
export const SCHEDULE_CRON = "*/15 * * * *";

/** The webhooks Worker's check for events still to be sent (or whose queue message was lost): every minute. */
export const WEBHOOK_SWEEP_CRON = "* * * * *";

/** Default local port of the API and dashboard. */
export const DEFAULT_PORT = 8787;

/**
 * Each tenant's own bucket, spoken to by the S3 protocol: served under this path of the product's
 * host (path style), or on `inbox.<host>` (virtual-hosted style). Its one bucket maps onto the
 * tenant's inbox in R2 (`tenants/<tenant id>/inbox/`).
 */
export const S3_INBOX = { path: "/s3", bucket: "inbox", region: "auto" } as const;
