import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  chunkDone,
  chunkItemsRead,
  claimUpload,
  getUploadState,
  insertUpload,
  recordChunk,
  recordScheduleSkip,
  releaseUploadMultipart,
  releaseUploadStarted,
  setUploadMultipartId,
  slotTaken,
} from "../src/index";

const db = (env as unknown as { CONFIG_DB: D1Database }).CONFIG_DB;

async function newUpload(key: string) {
  const upload = { key, tenantId: "acme" };
  await insertUpload(db, {
    ...upload,
    filename: "f.csv",
    now: "2026-01-01T00:00:00Z",
    expiresAt: "2026-01-02T00:00:00Z",
  });
  return upload;
}

describe("upload claims", () => {
  it("answers null for an upload never issued", async () => {
    expect(await getUploadState(db, { key: "missing", tenantId: "acme" })).toBeNull();
  });

  it("lets one claim in, and the multipart upload it names release it", async () => {
    const upload = await newUpload("up_claim");
    expect(await claimUpload(db, upload, "2026-01-01T01:00:00Z")).toBe(true);
    expect(await claimUpload(db, upload, "2026-01-01T01:00:01Z")).toBe(false);
    await setUploadMultipartId(db, upload, "2026-01-01T01:00:00Z", "mp_1");
    expect(await getUploadState(db, upload)).toEqual({
      completedAt: null,
      startedAt: "2026-01-01T01:00:00Z",
      multipartUploadId: "mp_1",
    });
    await releaseUploadMultipart(db, upload, "mp_other");
    expect((await getUploadState(db, upload))?.multipartUploadId).toBe("mp_1");
    await releaseUploadMultipart(db, upload, "mp_1");
    expect(await getUploadState(db, upload)).toEqual({
      completedAt: null,
      startedAt: null,
      multipartUploadId: null,
    });
  });

  it("is released only by the start that took it", async () => {
    const upload = await newUpload("up_release");
    await claimUpload(db, upload, "2026-01-01T01:00:00Z");
    await releaseUploadStarted(db, upload, "2026-01-01T02:00:00Z");
    expect((await getUploadState(db, upload))?.startedAt).toBe("2026-01-01T01:00:00Z");
    await releaseUploadStarted(db, upload, "2026-01-01T01:00:00Z");
    expect((await getUploadState(db, upload))?.startedAt).toBeNull();
    expect(await claimUpload(db, upload, "2026-01-01T03:00:00Z")).toBe(true);
  });
});

describe("slotTaken", () => {
  it("is true for a slot started or skipped, false otherwise", async () => {
    await db
      .prepare(
        `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at, slot)
         VALUES ('run_slot', 'acme', 'imp_slot', 'queued', 'schedule', '{}', '', '2026-01-01T00:00:00.000Z')`,
      )
      .run();
    await recordScheduleSkip(db, "imp_slot", "2026-01-02T00:00:00.000Z", "busy", "2026-01-02T00:00:00Z");
    expect(await slotTaken(db, "imp_slot", "2026-01-01T00:00:00.000Z")).toBe(true);
    expect(await slotTaken(db, "imp_slot", "2026-01-02T00:00:00.000Z")).toBe(true);
    expect(await slotTaken(db, "imp_slot", "2026-01-03T00:00:00.000Z")).toBe(false);
    expect(await slotTaken(db, "imp_other", "2026-01-01T00:00:00.000Z")).toBe(false);
  });
});

describe("chunkItemsRead", () => {
  it("answers the items a recorded chunk read, 0 for an empty one, null when not recorded", async () => {
    await db
      .prepare(
        `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at, chunks_total)
         VALUES ('run_chunks', 'acme', 'imp_1', 'in_progress', 'manual', '{}', '', 3)`,
      )
      .run();
    const chunk = (chunkNo: number, itemsRead: number) => ({
      runId: "run_chunks",
      chunkNo,
      bytesRead: 0,
      rowsRead: itemsRead,
      itemsRead,
      itemsValid: itemsRead,
      itemsInvalid: 0,
      added: itemsRead,
      updated: 0,
      unchanged: 0,
      issues: [],
      now: "2026-01-01T00:00:00Z",
    });
    await recordChunk(db, chunk(0, 7));
    await recordChunk(db, chunk(1, 0));
    expect(await chunkItemsRead(db, "run_chunks", 0)).toBe(7);
    expect(await chunkItemsRead(db, "run_chunks", 1)).toBe(0);
    expect(await chunkItemsRead(db, "run_chunks", 2)).toBeNull();
    expect(await chunkDone(db, "run_chunks", 1)).toBe(true);
    expect(await chunkDone(db, "run_chunks", 2)).toBe(false);
  });
});
