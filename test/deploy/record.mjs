// Records what wrangler's list commands print about an account, for the deploy plan's tests
// (test/deploy.test.ts): the real wrangler of this checkout, asking a fake of Cloudflare's API
// (test/fakes/cloudflare-api.mjs) in each state of SCENARIOS. `node test/deploy/record.mjs`
// writes test/deploy/recorded/<scenario>/; the test records again and compares.
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { APPS, configPath, ROOT, WRANGLER } from "../../scripts/lib.mjs";
import { startFakeCloudflareApi } from "../fakes/cloudflare-api.mjs";

const QUEUES = [
  "cdp-import-chunks",
  "cdp-import-chunks-dlq",
  "cdp-import-egoi",
  "cdp-import-egoi-dlq",
  "cdp-import-file-events",
  "cdp-import-file-events-dlq",
  "cdp-import-runs",
  "cdp-import-runs-dlq",
  "cdp-import-webhooks",
  "cdp-import-webhooks-dlq",
];
const RULE = {
  queue: "cdp-import-file-events",
  prefix: "tenants/",
  actions: ["PutObject", "CopyObject", "CompleteMultipartUpload"],
};

/** Accounts in three states: new, with everything deployed, and half-way (an earlier partial deploy). */
export const SCENARIOS = {
  "new-account": { d1: [], buckets: [], queues: [], notifications: {}, workers: {} },
  deployed: {
    d1: ["cdp-config"],
    buckets: ["cdp-import-files"],
    queues: QUEUES,
    notifications: { "cdp-import-files": [RULE] },
    workers: {
      "cdp-store": [],
      "cdp-ingest": ["SECRETS_KEYS", "UPLOAD_SIGNING_SECRET"],
      "cdp-transform": [],
      "cdp-egoi-sync": ["SECRETS_KEYS"],
      "cdp-webhooks": ["SECRETS_KEYS"],
      "cdp-dashboard": ["SESSION_SECRET"],
      "cdp-s3-inbox": ["SECRETS_KEYS"],
      "cdp-config-api": ["SECRETS_KEYS", "UPLOAD_SIGNING_SECRET", "ADMIN_TOKEN"],
    },
  },
  "half-way": {
    d1: ["cdp-config", "another-team-db"],
    buckets: ["cdp-import-files"],
    queues: QUEUES.filter((q) => !q.startsWith("cdp-import-webhooks")),
    notifications: { "cdp-import-files": [{ ...RULE, prefix: "" }] },
    workers: {
      "cdp-ingest": ["SECRETS_KEYS", "UPLOAD_SIGNING_SECRET"],
      "cdp-transform": [],
      "cdp-config-api": ["SECRETS_KEYS", "UPLOAD_SIGNING_SECRET"],
    },
  },
};

/** wrangler's banner and update notice: they change with its version and the network, not the account. */
const normalize = (text) =>
  text
    .split("\n")
    .filter((line) => !/wrangler \d+\.\d+\.\d+|^─+$|Logs were written to/.test(line))
    .join("\n")
    .trim();

/** What each list command printed (null: it failed), for one account state. */
export async function record(state) {
  const api = await startFakeCloudflareApi(state);
  const env = {
    ...process.env,
    CLOUDFLARE_API_BASE_URL: api.url,
    CLOUDFLARE_API_TOKEN: "recorded-token",
    CLOUDFLARE_ACCOUNT_ID: api.account,
    WRANGLER_SEND_METRICS: "false",
    CI: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  const wrangler = async (args) => {
    try {
      const { stdout } = await promisify(execFile)(WRANGLER, args, { env, cwd: ROOT });
      return normalize(stdout);
    } catch {
      return null;
    }
  };
  try {
    const outputs = {
      d1: await wrangler(["d1", "list", "--json"]),
      buckets: await wrangler(["r2", "bucket", "list"]),
      queues: await wrangler(["queues", "list"]),
      notifications: await wrangler(["r2", "bucket", "notification", "list", "cdp-import-files"]),
      secrets: {},
    };
    for (const app of APPS) outputs.secrets[app] = await wrangler(["secret", "list", "-c", configPath(app)]);
    return outputs;
  } finally {
    await api.close();
  }
}

export const RECORDED = fileURLToPath(new URL("./recorded/", import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  rmSync(RECORDED, { recursive: true, force: true });
  for (const [name, state] of Object.entries(SCENARIOS)) {
    const outputs = await record(state);
    const dir = `${RECORDED}${name}/`;
    mkdirSync(dir, { recursive: true });
    const write = (file, text) => writeFileSync(`${dir}${file}`, text === null ? "" : `${text}\n`);
    write("d1-list.txt", outputs.d1);
    write("r2-bucket-list.txt", outputs.buckets);
    write("queues-list.txt", outputs.queues);
    write("r2-bucket-notification-list.txt", outputs.notifications);
    for (const [app, text] of Object.entries(outputs.secrets)) write(`secret-list-${app}.txt`, text);
    console.log(`recorded ${name}`);
  }
}
