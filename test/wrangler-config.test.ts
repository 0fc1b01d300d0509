import { fileURLToPath } from "node:url";
import {
  BUCKET,
  CDP_SHARDS,
  DATABASES,
  QUEUE_BINDINGS,
  QUEUE_NAMES,
  SCHEDULE_CRON,
  SERVICE_BINDINGS,
  WEBHOOK_SWEEP_CRON,
  WORKER_NAMES,
} from "@cdp/core";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

// Every Worker's wrangler.jsonc must use the names of packages/core/src/constants.ts.
const APPS = {
  "config-api": WORKER_NAMES.configApi,
  dashboard: WORKER_NAMES.dashboard,
  ingest: WORKER_NAMES.ingest,
  transform: WORKER_NAMES.transform,
  "egoi-sync": WORKER_NAMES.egoiSync,
  "cdp-store": WORKER_NAMES.cdpStore,
  webhooks: WORKER_NAMES.webhooks,
  "s3-inbox": WORKER_NAMES.s3Inbox,
} as const;

function readApp(app: keyof typeof APPS) {
  return unstable_readConfig({
    config: fileURLToPath(new URL(`../apps/${app}/wrangler.jsonc`, import.meta.url)),
  });
}

const queueNames = new Set<string>(Object.values(QUEUE_NAMES));
const databaseNames = new Map<string, string>(Object.values(DATABASES).map((d) => [d.binding, d.name]));
const workerNames = new Set<string>(Object.values(WORKER_NAMES));
const queueBindings = new Map<string, string>([
  [QUEUE_BINDINGS.runs, QUEUE_NAMES.runs],
  [QUEUE_BINDINGS.chunks, QUEUE_NAMES.chunks],
  [QUEUE_BINDINGS.egoi, QUEUE_NAMES.egoi],
  [QUEUE_BINDINGS.webhooks, QUEUE_NAMES.webhooks],
  [QUEUE_BINDINGS.webhooksDeadLetter, QUEUE_NAMES.webhooksDeadLetter],
  [QUEUE_BINDINGS.fileEvents, QUEUE_NAMES.fileEvents],
]);

/**
 * The dead-letter queue of every queue a Worker consumes: a work queue's messages that fail their
 * last retry go there; a dead-letter queue has none.
 */
const DEAD_LETTER_QUEUES: Record<string, string | undefined> = {
  [QUEUE_NAMES.runs]: QUEUE_NAMES.runsDeadLetter,
  [QUEUE_NAMES.chunks]: QUEUE_NAMES.chunksDeadLetter,
  [QUEUE_NAMES.egoi]: QUEUE_NAMES.egoiDeadLetter,
  [QUEUE_NAMES.webhooks]: QUEUE_NAMES.webhooksDeadLetter,
  [QUEUE_NAMES.runsDeadLetter]: undefined,
  [QUEUE_NAMES.chunksDeadLetter]: undefined,
  [QUEUE_NAMES.egoiDeadLetter]: undefined,
  [QUEUE_NAMES.webhooksDeadLetter]: undefined,
  [QUEUE_NAMES.fileEvents]: QUEUE_NAMES.fileEventsDeadLetter,
  [QUEUE_NAMES.fileEventsDeadLetter]: undefined,
};

describe("wrangler.jsonc of every Worker", () => {
  for (const app of Object.keys(APPS) as (keyof typeof APPS)[]) {
    it(`${app} uses the shared names`, () => {
      const config = readApp(app);
      expect(config.name).toBe(APPS[app]);
      for (const db of config.d1_databases) {
        expect(databaseNames.get(db.binding)).toBe(db.database_name);
        expect(db.migrations_dir).toMatch(/packages\/store\/migrations\/config$/);
      }
      for (const bucket of config.r2_buckets) {
        expect(bucket).toMatchObject({ binding: BUCKET.binding, bucket_name: BUCKET.name });
      }
      for (const producer of config.queues.producers ?? []) {
        expect(queueBindings.get(producer.binding)).toBe(producer.queue);
      }
      for (const consumer of config.queues.consumers ?? []) {
        expect(queueNames).toContain(consumer.queue);
        expect(Object.keys(DEAD_LETTER_QUEUES)).toContain(consumer.queue);
        expect(consumer.dead_letter_queue, consumer.queue).toBe(DEAD_LETTER_QUEUES[consumer.queue]);
      }
      for (const service of config.services ?? []) {
        expect(Object.values(SERVICE_BINDINGS)).toContain(service.binding);
        expect(workerNames).toContain(service.service);
      }
      for (const namespace of config.durable_objects.bindings) {
        expect(namespace).toMatchObject({ name: CDP_SHARDS.binding, class_name: CDP_SHARDS.className });
        // Only the store Worker hosts the class; the others bind it by its name.
        expect(namespace.script_name ?? config.name).toBe(WORKER_NAMES.cdpStore);
      }
      expect(config.observability?.enabled).toBe(true);
    });
  }

  it("hosts the CDP's shards in the store Worker, as a SQLite-backed class, and binds them where they are used", () => {
    const store = readApp("cdp-store");
    const migrations = store.migrations as { new_sqlite_classes?: string[]; new_classes?: string[] }[];
    expect(migrations.flatMap((m) => m.new_sqlite_classes ?? [])).toEqual([CDP_SHARDS.className]);
    expect(migrations.flatMap((m) => m.new_classes ?? [])).toEqual([]);
    for (const app of ["config-api", "transform", "egoi-sync"] as const)
      expect(
        readApp(app).durable_objects.bindings.map((b: { script_name?: string }) => b.script_name),
      ).toEqual([WORKER_NAMES.cdpStore]);
    for (const app of ["dashboard", "ingest", "webhooks", "s3-inbox"] as const)
      expect(readApp(app).durable_objects.bindings).toEqual([]);
  });

  it("declares the schedule's cron on config-api, the webhooks' periodic check on webhooks, and no other", () => {
    expect(readApp("config-api").triggers.crons).toEqual([SCHEDULE_CRON]);
    expect(readApp("webhooks").triggers.crons).toEqual([WEBHOOK_SWEEP_CRON]);
    for (const app of ["dashboard", "ingest", "transform", "egoi-sync", "cdp-store", "s3-inbox"] as const) {
      expect(readApp(app).triggers.crons ?? []).toEqual([]);
    }
  });

  it("consumes every queue in exactly one Worker, each work queue with its dead-letter queue", () => {
    const all = (Object.keys(APPS) as (keyof typeof APPS)[]).flatMap(
      (app) => readApp(app).queues.consumers ?? [],
    );
    expect(all.map((c) => c.queue).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    expect(Object.keys(DEAD_LETTER_QUEUES).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    for (const queue of [
      QUEUE_NAMES.runs,
      QUEUE_NAMES.chunks,
      QUEUE_NAMES.egoi,
      QUEUE_NAMES.webhooks,
      QUEUE_NAMES.fileEvents,
    ]) {
      const consumer = all.find((c) => c.queue === queue);
      expect(consumer?.dead_letter_queue, queue).toBe(DEAD_LETTER_QUEUES[queue]);
      expect(queue.endsWith("-dlq")).toBe(false);
      expect(DEAD_LETTER_QUEUES[queue]).toBe(`${queue}-dlq`);
    }
  });
});

describe("the bucket's Worker", () => {
  it("is config-api's S3_INBOX and announces files to the queue R2's notifications use", () => {
    expect(readApp("config-api").services).toContainEqual({
      binding: SERVICE_BINDINGS.s3Inbox,
      service: WORKER_NAMES.s3Inbox,
    });
    expect(readApp("s3-inbox").queues.producers).toContainEqual(
      expect.objectContaining({ binding: QUEUE_BINDINGS.fileEvents, queue: QUEUE_NAMES.fileEvents }),
    );
  });
});
