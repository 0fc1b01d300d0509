import { env } from "cloudflare:workers";
import { listStalledRuns, touchRuns } from "@cdp/store";
import { describe, expect, it } from "vitest";

const T0 = "2027-03-01T10:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

async function run(
  id: string,
  status: string,
  createdAt: string,
  startedAt: string | null,
  chunksAt: string[] = [],
  source = "upload",
) {
  await env.CONFIG_DB.prepare(
    `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at, started_at)
     VALUES (?1, 'recovery', 'imp_recovery', ?2, 'manual', ?5, ?3, ?4)`,
  )
    .bind(id, status, createdAt, startedAt, JSON.stringify({ source: { type: source } }))
    .run();
  for (const [i, finishedAt] of chunksAt.entries())
    await env.CONFIG_DB.prepare("INSERT INTO run_chunks (run_id, chunk_no, finished_at) VALUES (?1, ?2, ?3)")
      .bind(id, i, finishedAt)
      .run();
}

describe("stalled runs", () => {
  it("are the runs not ended with no sign of progress since the cutoff", async () => {
    await run("run_r1", "queued", at(0), null);
    await run("run_r2", "in_progress", at(0), at(1), [at(2), at(3)]);
    await run("run_r3", "in_progress", at(0), at(1), [at(2), at(20)]);
    await run("run_r4", "in_progress", at(0), at(18));
    await run("run_r5", "completed", at(0), at(1), [at(2)]);
    await run("run_r6", "failed", at(0), null);
    await run("run_r7", "queued", at(17), null);
    await run("run_r8", "in_progress", at(0), at(1), [], "egoi");
    // Cutoff at minute 15: r3 finished a chunk since, r4 started since, r7 was created since.
    expect((await listStalledRuns(env.CONFIG_DB, at(15))).map((r) => r.id).sort()).toEqual([
      "run_r1",
      "run_r2",
      "run_r8",
    ]);
    expect((await listStalledRuns(env.CONFIG_DB, at(30))).map((r) => r.id).sort()).toEqual([
      "run_r1",
      "run_r2",
      "run_r3",
      "run_r4",
      "run_r7",
      "run_r8",
    ]);
    // The source type tells which queue resumes a run.
    expect(
      Object.fromEntries((await listStalledRuns(env.CONFIG_DB, at(15))).map((r) => [r.id, r.sourceType])),
    ).toEqual({ run_r1: "upload", run_r2: "upload", run_r8: "egoi" });
  });

  it("leave alone a run that said it is alive since, until the end of the wait it announced", async () => {
    // Landing a large file: started at minute 1, alive at minute 14 and 16, no chunk yet.
    await run("run_h1", "in_progress", at(0), at(1));
    await touchRuns(env.CONFIG_DB, ["run_h1"], at(14));
    await touchRuns(env.CONFIG_DB, ["run_h1"], at(16));
    // An E-goi sync waiting out an hour of rate limit from minute 5.
    await run("run_h2", "in_progress", at(0), at(1), [], "egoi");
    await touchRuns(env.CONFIG_DB, ["run_h2"], at(65));
    // A heartbeat never goes back, and an ended run takes none.
    await touchRuns(env.CONFIG_DB, ["run_h2"], at(6));
    await run("run_h3", "completed", at(0), at(1));
    await touchRuns(env.CONFIG_DB, ["run_h3"], at(40));
    const stalled = async (minute: number) =>
      (await listStalledRuns(env.CONFIG_DB, at(minute)))
        .map((r) => r.id)
        .filter((id) => id.startsWith("run_h"));
    expect(await stalled(15)).toEqual([]);
    expect(await stalled(30)).toEqual(["run_h1"]);
    expect(await stalled(70)).toEqual(["run_h1", "run_h2"]);
  });
});
