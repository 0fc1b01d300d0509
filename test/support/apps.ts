import { WORKER_NAMES } from "@cdp/core";

/** The app folders of apps/, in the order the stack starts them (config-api, the front door, first). */
export const APPS_BY_NAME = {
  "config-api": WORKER_NAMES.configApi,
  dashboard: WORKER_NAMES.dashboard,
  ingest: WORKER_NAMES.ingest,
  transform: WORKER_NAMES.transform,
  "egoi-sync": WORKER_NAMES.egoiSync,
  "cdp-store": WORKER_NAMES.cdpStore,
  webhooks: WORKER_NAMES.webhooks,
  "s3-inbox": WORKER_NAMES.s3Inbox,
} as const;
