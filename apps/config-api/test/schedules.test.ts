import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index";
import { call, ordersImport, seedTenants, upload } from "./support/api";

beforeAll(seedTenants);

const DAY = 86_400_000;

/** Fires the Cron Trigger as Cloudflare would at `time`. */
async function fire(time: string | number): Promise<void> {
  const controller = createScheduledController({ scheduledTime: new Date(time), cron: "*/15 * * * *" });
  await worker.scheduled(controller, env, createExecutionContext());
}

async function scheduledImport(schedule: Record<string, unknown>): Promise<string> {
  const res = await call<{ id: string }>("POST", "/v1/imports", {
    body: ordersImport(await upload(), { schedule }),
  });
  expect(res.status).toBe(201);
  // The schedule was "set" long ago, so that these tests control every slot.
  await env.CONFIG_DB.prepare("UPDATE imports SET schedule_set_at = '2020-01-01T00:00:00.000Z' WHERE id = ?")
    .bind(res.body.id)
    .run();
  return res.body.id;
}

async function runsOf(importId: string) {
  const rows = await env.CONFIG_DB.prepare(
    "SELECT id, status, trigger, slot FROM runs WHERE import_id = ? ORDER BY id",
  )
    .bind(importId)
    .all<{ id: string; status: string; trigger: string; slot: string }>();
  return rows.results;
}

const finish = (importId: string, status = "completed") =>
  env.CONFIG_DB.prepare("UPDATE runs SET status = ?2 WHERE import_id = ?1").bind(importId, status).run();

describe("scheduled imports", () => {
  it("starts a due slot once, and nothing before it or between slots", async () => {
    const id = await scheduledImport({ everyDays: 2, startAt: "2027-01-01T02:00:00Z" });
    await fire("2027-01-01T01:59:00Z");
    expect(await runsOf(id)).toEqual([]);
    await fire("2027-01-01T02:00:00Z");
    expect(await runsOf(id)).toMatchObject([
      { trigger: "schedule", status: "queued", slot: "2027-01-01T02:00:00.000Z" },
    ]);
    await finish(id);
    await fire("2027-01-02T02:00:00Z");
    expect(await runsOf(id)).toHaveLength(1);
    await fire("2027-01-03T02:15:00Z");
    expect((await runsOf(id)).map((r) => r.slot)).toEqual([
      "2027-01-01T02:00:00.000Z",
      "2027-01-03T02:00:00.000Z",
    ]);
  });

  it("starts a slot once when the cron fires twice at the same time", async () => {
    const id = await scheduledImport({ everyDays: 1, startAt: "2027-02-01T00:00:00Z" });
    await Promise.all([
      fire("2027-02-01T00:00:00Z"),
      fire("2027-02-01T00:00:00Z"),
      fire("2027-02-01T00:14:00Z"),
    ]);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("starts one run, not one per missed slot, after downtime", async () => {
    const id = await scheduledImport({ everyDays: 1, startAt: "2027-03-01T00:00:00Z" });
    await fire(Date.parse("2027-03-01T00:00:00Z") + 10 * DAY + 3_600_000);
    expect((await runsOf(id)).map((r) => r.slot)).toEqual(["2027-03-11T00:00:00.000Z"]);
  });

  it("skips a slot while a run is still going, and shows the skip", async () => {
    const id = await scheduledImport({ everyDays: 1, startAt: "2027-04-01T00:00:00Z" });
    await fire("2027-04-01T00:00:00Z");
    await env.CONFIG_DB.prepare("UPDATE runs SET status = 'in_progress' WHERE import_id = ?").bind(id).run();
    await fire("2027-04-02T00:00:00Z");
    expect(await runsOf(id)).toHaveLength(1);
    const got = await call<{ schedule: { lastSkippedSlot: string; lastSkippedReason: string } }>(
      "GET",
      `/v1/imports/${id}`,
    );
    expect(got.body.schedule).toMatchObject({
      lastSkippedSlot: "2027-04-02T00:00:00.000Z",
      lastSkippedReason: "a run was still in progress",
    });
  });

  it("never runs a skipped slot late, once the run that was going has ended", async () => {
    const id = await scheduledImport({ everyDays: 1, startAt: "2027-04-10T00:00:00Z" });
    await fire("2027-04-10T00:00:00Z");
    await env.CONFIG_DB.prepare("UPDATE runs SET status = 'in_progress' WHERE import_id = ?").bind(id).run();
    await fire("2027-04-11T00:00:00Z");
    await finish(id);
    await fire("2027-04-11T00:15:00Z");
    await fire("2027-04-11T00:30:00Z");
    expect((await runsOf(id)).map((r) => r.slot)).toEqual(["2027-04-10T00:00:00.000Z"]);
    const got = await call<{ schedule: { lastSkippedSlot: string } }>("GET", `/v1/imports/${id}`);
    expect(got.body.schedule.lastSkippedSlot).toBe("2027-04-11T00:00:00.000Z");
    // The next slot runs as usual.
    await fire("2027-04-12T00:00:00Z");
    expect((await runsOf(id)).map((r) => r.slot)).toEqual([
      "2027-04-10T00:00:00.000Z",
      "2027-04-12T00:00:00.000Z",
    ]);
  });

  it("follows a schedule edited between fires, and stops when it is disabled", async () => {
    const id = await scheduledImport({ everyDays: 7, startAt: "2027-05-01T00:00:00Z" });
    await fire("2027-05-01T00:00:00Z");
    await finish(id);
    const patched = await call("PATCH", `/v1/imports/${id}`, {
      body: { schedule: { everyDays: 1, startAt: "2027-05-01T00:00:00Z" } },
    });
    expect(patched.status).toBe(200);
    await env.CONFIG_DB.prepare(
      "UPDATE imports SET schedule_set_at = '2027-05-01T12:00:00.000Z' WHERE id = ?",
    )
      .bind(id)
      .run();
    await fire("2027-05-02T00:00:00Z");
    expect((await runsOf(id)).map((r) => r.slot)).toEqual([
      "2027-05-01T00:00:00.000Z",
      "2027-05-02T00:00:00.000Z",
    ]);
    await finish(id);
    await call("PATCH", `/v1/imports/${id}`, {
      body: { schedule: { everyDays: 1, startAt: "2027-05-01T00:00:00Z", enabled: false } },
    });
    await fire("2027-05-03T00:00:00Z");
    expect(await runsOf(id)).toHaveLength(2);
  });

  it("does not start a slot from before the schedule was set", async () => {
    const res = await call<{ id: string }>("POST", "/v1/imports", {
      body: ordersImport(await upload(), { schedule: { everyDays: 1, startAt: "2020-01-01T00:00:00Z" } }),
    });
    await fire(Date.now());
    expect(await runsOf(res.body.id)).toEqual([]);
  });

  it("counts consecutive failures of scheduled runs in the import", async () => {
    const id = await scheduledImport({ everyDays: 1, startAt: "2027-06-01T00:00:00Z" });
    await fire("2027-06-01T00:00:00Z");
    await finish(id, "failed");
    await fire("2027-06-02T00:00:00Z");
    await finish(id, "failed");
    const got = await call<{ schedule: { consecutiveFailures: number; lastRunStatus: string } }>(
      "GET",
      `/v1/imports/${id}`,
    );
    expect(got.body.schedule).toMatchObject({ consecutiveFailures: 2, lastRunStatus: "failed" });
  });
});
