import { BUCKET, type FileEventMessage, QUEUE_NAMES } from "@cdp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type RunView } from "../support/client";
import { velocidiFile } from "../support/files";
import { type Stack, startStack } from "../support/stack";

const R2_WORKER = "r2-notifications";

let stack: Stack;
let api: ApiClient;
let other: ApiClient;

interface R2Env {
  FILES: { put(key: string, body: string): Promise<{ etag: string; size: number }> };
  FILE_EVENTS: { send(body: FileEventMessage): Promise<void> };
}

beforeAll(async () => {
  stack = await startStack({
    workers: [
      {
        config: {
          name: R2_WORKER,
          main: "test/sources/r2-events-worker.ts",
          compatibility_date: "2026-11-01",
          r2_buckets: [{ binding: "FILES", bucket_name: BUCKET.name }],
          queues: { producers: [{ binding: "FILE_EVENTS", queue: QUEUE_NAMES.fileEvents }] },
        },
      },
    ],
  });
  await stack.createTenant("acme", "key_acme");
  await stack.createTenant("globex", "key_globex");
  api = new ApiClient(stack.url, "key_acme");
  other = new ApiClient(stack.url, "key_globex");
});
afterAll(async () => {
  await stack?.close();
});

const r2 = async () => (await stack.server.getWorker(R2_WORKER).getEnv()) as unknown as R2Env;

/** A file put straight into the bucket (as `wrangler r2 object put` or rclone would). */
async function putObject(key: string, content: string): Promise<FileEventMessage> {
  const put = await (await r2()).FILES.put(key, content);
  return {
    account: "0123456789abcdef",
    action: "PutObject",
    bucket: BUCKET.name,
    object: { key, size: put.size, eTag: put.etag },
    eventTime: new Date().toISOString(),
  };
}

/** Delivers an R2 object-create notification to the cdp-import-file-events queue. */
async function notify(event: FileEventMessage): Promise<void> {
  await (await r2()).FILE_EVENTS.send(event);
}

interface RunItem extends RunView {
  trigger: string;
}

async function runsOf(client: ApiClient, importId: string): Promise<RunItem[]> {
  const res = await client.call<{ items: RunItem[] }>("GET", `/v1/imports/${importId}/runs`);
  return res.body.items;
}

async function waitForRuns(client: ApiClient, importId: string, count: number): Promise<RunItem[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const runs = await runsOf(client, importId);
    if (runs.length >= count) return runs;
    if (Date.now() > deadline) throw new Error(`${importId} has ${runs.length} runs, not ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Every notification sent before this one has been handled once this one has: a file for an
 * import of its own, whose run is waited for.
 */
async function drained(): Promise<void> {
  const prefix = `sentinel-${crypto.randomUUID()}/`;
  const importId = await api.createImport({
    name: "Sentinel",
    type: "orders",
    format: "velocidi_csv",
    source: { type: "r2", watchPrefix: prefix },
  });
  await notify(await putObject(`tenants/acme/inbox/${prefix}x.csv`, velocidiFile(1)));
  await waitForRuns(api, importId, 1);
}

const orders = (source: Record<string, unknown>) => ({
  name: "Orders dropped into R2",
  type: "orders",
  format: "velocidi_csv",
  source: { type: "r2", ...source },
});

describe("r2 sources", () => {
  it("start when a file is put straight into the tenant's inbox under the watched prefix, once per object", async () => {
    const importId = await api.createImport(orders({ watchPrefix: "daily/" }));
    const shown = await api.call<{ source: unknown }>("GET", `/v1/imports/${importId}`);
    expect(shown.body.source).toEqual({ type: "r2", watchPrefix: "daily/" });

    const arrived = await putObject("tenants/acme/inbox/daily/orders-2026-11-20.csv", velocidiFile(7));
    await notify(arrived);
    const [run] = await waitForRuns(api, importId, 1);
    expect(run?.trigger).toBe("upload");
    const done = await api.waitForRun(run?.id ?? "");
    expect(done.status).toBe("completed");
    expect(done.error).toBeNull();
    expect(done.stats).toMatchObject({ itemsRead: 7, itemsValid: 7, added: 7 });
    const order = await api.call<{ id: string }>("GET", "/v1/orders/or7");
    expect(order.status).toBe(200);

    // R2 delivers at least once: the same notification again starts nothing.
    await notify(arrived);
    // Outside the prefix, and another tenant's file under the same prefix: nothing either.
    await notify(await putObject("tenants/acme/inbox/weekly/orders.csv", velocidiFile(2)));
    await notify(await putObject("tenants/globex/inbox/daily/orders.csv", velocidiFile(2)));
    // Outside any inbox (a run's landed copy, say): nothing.
    await notify(await putObject("tenants/acme/runs/run_x/daily/source", velocidiFile(2)));
    await drained();
    expect(await runsOf(api, importId)).toHaveLength(1);

    // A new file put under the same key is a new object: it is imported too.
    await notify(await putObject("tenants/acme/inbox/daily/orders-2026-11-20.csv", velocidiFile(3)));
    const runs = await waitForRuns(api, importId, 2);
    expect(runs.map((r) => r.trigger)).toEqual(["upload", "upload"]);
    const second = await api.waitForRun(runs[0]?.id ?? "");
    expect(second.stats).toMatchObject({ itemsRead: 3, itemsValid: 3, unchanged: 3 });
  });

  it("read the object named by key when run by hand", async () => {
    await putObject("tenants/acme/inbox/exports/orders.csv", velocidiFile(12));
    const importId = await api.createImport(orders({ key: "exports/orders.csv" }));
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 12, itemsValid: 12 });
    expect(run.progress.bytesTotal).toBe(velocidiFile(12).length);

    const missing = await api.createImport(orders({ key: "exports/not-there.csv" }));
    const failed = await api.run(missing);
    expect(failed.status).toBe("failed");
    expect(failed.error).toEqual({
      code: "source_not_found",
      message: `No file at 'tenants/acme/inbox/exports/not-there.csv' in the bucket ${BUCKET.name}: put it there first (r2 keys are read from your inbox, tenants/acme/inbox/).`,
    });

    // An import that only watches has nothing to read now: refused before a run exists.
    const watchOnly = await api.createImport(orders({ watchPrefix: "hourly/" }));
    const refused = await api.call<{ error: { message: string; details: { path: string }[] } }>(
      "POST",
      `/v1/imports/${watchOnly}/runs`,
      {},
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/watchPrefix and names no key/);
    expect(refused.body.error.details[0]?.path).toBe("source.key");
    const runs = await api.call<{ items: unknown[] }>("GET", `/v1/imports/${watchOnly}/runs`);
    expect(runs.body.items).toEqual([]);
  });

  it("need a key or a watchPrefix", async () => {
    const res = await api.call<{ error: { code: string; details: { path: string }[] } }>(
      "POST",
      "/v1/imports",
      orders({}),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details.map((d) => d.path)).toContain("source.key");
    // A preview reads a file: a prefix alone names none yet.
    const preview = await api.call<{ error: { code: string; message: string } }>(
      "POST",
      "/v1/imports/preview",
      { config: { type: "orders", format: "velocidi_csv", source: { type: "r2", watchPrefix: "daily/" } } },
    );
    expect(preview.status).toBe(400);
    expect(preview.body.error.message).toContain("give the R2 source the key of a file in your inbox");
  });

  it("can never name another tenant's objects", async () => {
    await putObject("tenants/globex/inbox/secret.csv", velocidiFile(4));
    // Their own tenant reads the file by its key.
    const theirs = await other.createImport(orders({ key: "secret.csv" }));
    expect((await other.run(theirs)).stats).toMatchObject({ itemsRead: 4 });

    for (const key of [
      "../globex/inbox/secret.csv",
      "../../globex/inbox/secret.csv",
      "/tenants/globex/inbox/secret.csv",
    ]) {
      const res = await api.call<{ error: { code: string; details: { path: string; message: string }[] } }>(
        "POST",
        "/v1/imports",
        orders({ key }),
      );
      expect(res.status, key).toBe(400);
      expect(res.body.error.details).toContainEqual({
        path: "source.key",
        message:
          "must be a path inside your inbox (tenants/<tenant id>/inbox/), without a leading '/' or '..'",
      });
      const watch = await api.call("POST", "/v1/imports", orders({ watchPrefix: key }));
      expect(watch.status, key).toBe(400);
    }

    // A full key is read inside the tenant's own inbox, where there is no such file.
    const importId = await api.createImport(orders({ key: "tenants/globex/inbox/secret.csv" }));
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("source_not_found");
    expect(run.error?.message).toContain("'tenants/acme/inbox/tenants/globex/inbox/secret.csv'");
    const preview = await api.call<{ error: { details: { code: string } } }>("POST", "/v1/imports/preview", {
      config: {
        type: "orders",
        format: "velocidi_csv",
        source: { type: "r2", key: "tenants/globex/inbox/secret.csv" },
      },
    });
    expect(preview.status).toBe(422);
    expect(preview.body.error.details.code).toBe("source_not_found");
    const own = await api.call<{ items: unknown[] }>("POST", "/v1/imports/preview", {
      config: { type: "orders", format: "velocidi_csv", source: { type: "r2", key: "exports/orders.csv" } },
      limit: 3,
    });
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(3);
  });
});
