import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describe as describeStep, desiredResources, parseState, planDeploy } from "../scripts/deploy.mjs";
import { APPS, portableConfig } from "../scripts/lib.mjs";
import { RECORDED, record, SCENARIOS } from "./deploy/record.mjs";

/**
 * `npm run deploy` plans from what wrangler's list commands print about the account: here, their
 * recorded outputs (test/deploy/recorded, made by the real wrangler of this checkout against a
 * fake of Cloudflare's API) for a new account, a deployed one and one deployed half-way.
 */

type Outputs = Awaited<ReturnType<typeof record>>;

function recorded(scenario: string): Outputs {
  const read = (file: string) => {
    const text = readFileSync(`${RECORDED}${scenario}/${file}`, "utf8");
    return text === "" ? null : text.trimEnd();
  };
  return {
    d1: read("d1-list.txt") ?? "",
    buckets: read("r2-bucket-list.txt") ?? "",
    queues: read("queues-list.txt") ?? "",
    notifications: read("r2-bucket-notification-list.txt"),
    secrets: Object.fromEntries(APPS.map((app) => [app, read(`secret-list-${app}.txt`)])),
  };
}

const desired = desiredResources(Object.fromEntries(APPS.map((app) => [app, portableConfig(app)])));
const plan = (scenario: string, values: Record<string, string> = {}) =>
  planDeploy(desired, parseState(recorded(scenario)), values);
const words = (steps: { kind: string }[]) => steps.map((step) => describeStep(step as never));

describe("the deploy plan", () => {
  it("reads what the recorded list commands say the account has", () => {
    const state = parseState(recorded("half-way"));
    expect([...state.d1.keys()]).toEqual(["cdp-config", "another-team-db"]);
    expect(state.d1.get("cdp-config")).toMatch(/^[0-9a-f-]{36}$/);
    expect([...state.buckets]).toEqual(["cdp-import-files"]);
    expect(state.queues.has("cdp-import-runs")).toBe(true);
    expect(state.queues.has("cdp-import-webhooks")).toBe(false);
    expect(state.notifications).toMatchObject([
      { queue_name: "cdp-import-file-events", prefix: "(all prefixes)" },
    ]);
    expect(state.secrets.get("config-api")).toEqual(new Set(["SECRETS_KEYS", "UPLOAD_SIGNING_SECRET"]));
    // A Worker that does not exist yet has no secret list at all.
    expect(state.secrets.get("dashboard")).toBeNull();
  });

  it("on a new account creates everything, then deploys the store first and config-api around the dashboard", () => {
    const { steps, problems } = plan("new-account");
    expect(problems).toEqual([]);
    expect(words(steps)).toEqual([
      "create the D1 database cdp-config",
      "create the R2 bucket cdp-import-files",
      ...desired.queues.map((queue: string) => `create the queue ${queue}`),
      "send object-create events of cdp-import-files under tenants/ to the queue cdp-import-file-events",
      "apply the migrations of cdp-config",
      "deploy cdp-store",
      "deploy ingest with the secrets SECRETS_KEYS, UPLOAD_SIGNING_SECRET",
      "deploy transform",
      "deploy egoi-sync with the secrets SECRETS_KEYS",
      "deploy webhooks with the secrets SECRETS_KEYS",
      "deploy s3-inbox with the secrets SECRETS_KEYS",
      "deploy config-api without its DASHBOARD binding (first deploy) with the secrets SECRETS_KEYS, UPLOAD_SIGNING_SECRET, ADMIN_TOKEN",
      "deploy dashboard with the secrets SESSION_SECRET",
      "deploy config-api",
    ]);
    expect(desired.queues).toContain("cdp-import-chunks-dlq");
    // One generated value for a secret every Worker shares.
    const deploys = steps.filter((s) => s.kind === "deploy") as unknown as {
      secrets: Record<string, { value: string }>;
    }[];
    const keys = new Set(
      deploys.flatMap((d) => (d.secrets.SECRETS_KEYS ? [d.secrets.SECRETS_KEYS.value] : [])),
    );
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
  });

  it("on a deployed account creates nothing, applies new migrations and deploys every Worker again", () => {
    const { steps, problems } = plan("deployed");
    expect(problems).toEqual([]);
    expect(words(steps)).toEqual([
      "apply the migrations of cdp-config",
      "deploy cdp-store",
      "deploy ingest",
      "deploy transform",
      "deploy egoi-sync",
      "deploy webhooks",
      "deploy s3-inbox",
      "deploy dashboard",
      "deploy config-api",
    ]);
  });

  it("half-way, creates only what is missing, and refuses to guess a secret some Workers have", () => {
    const { steps, problems } = plan("half-way");
    expect(words(steps).filter((w) => w.startsWith("create"))).toEqual([
      "create the queue cdp-import-webhooks",
      "create the queue cdp-import-webhooks-dlq",
    ]);
    // SECRETS_KEYS is on config-api and ingest: egoi-sync, webhooks and s3-inbox need that value.
    expect(problems).toEqual([
      "SECRETS_KEYS is set on config-api, ingest but not on egoi-sync, webhooks, s3-inbox, and a secret cannot be read back: run again with SECRETS_KEYS=<its value> in the environment.",
    ]);
    const given = plan("half-way", { SECRETS_KEYS: "k1:given" });
    expect(given.problems).toEqual([]);
    expect(words(given.steps).filter((w) => w.startsWith("deploy"))).toEqual([
      "deploy cdp-store",
      "deploy ingest",
      "deploy transform",
      "deploy egoi-sync with the secrets SECRETS_KEYS",
      "deploy webhooks with the secrets SECRETS_KEYS",
      "deploy s3-inbox with the secrets SECRETS_KEYS",
      "deploy dashboard with the secrets SESSION_SECRET",
      "deploy config-api with the secrets ADMIN_TOKEN",
    ]);
  });
});

describe("the recorded outputs", () => {
  it("are what this checkout's wrangler prints for each account", async () => {
    for (const [scenario, state] of Object.entries(SCENARIOS))
      expect(await record(state), scenario).toEqual(recorded(scenario));
  }, 180_000);
});
