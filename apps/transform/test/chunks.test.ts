import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ChunkMessage } from "@cdp/core";
import { getRun } from "@cdp/store";
import { describe, expect, it } from "vitest";
import worker from "../src/index";

/** Adds a run with this status and stored config, as config-api would. */
async function addRun(id: string, status: string, config: string) {
  await env.CONFIG_DB.prepare(
    "INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', '') ON CONFLICT DO NOTHING",
  ).run();
  await env.CONFIG_DB.prepare(
    `INSERT INTO runs (id, tenant_id, import_id, status, trigger, config, created_at)
     VALUES (?1, 'acme', 'imp_1', ?2, 'manual', ?3, '')`,
  )
    .bind(id, status, config)
    .run();
}

/** Delivers chunk 0 of the run to the consumer; answers what it acknowledged and retried. */
async function deliverChunk(runId: string, messageId: string, chunkCount: number) {
  const batch = createMessageBatch("cdp-import-chunks", [
    {
      id: messageId,
      timestamp: new Date(),
      attempts: 1,
      body: { runId, key: "k", chunkNo: 0, chunkCount, start: 10, end: 20, firstRow: 2, prologueEnd: 10 },
    },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("transform consumer", () => {
  it("acknowledges the chunks of a run that was cancelled, doing nothing", async () => {
    await addRun("run_c", "cancelled", "{}");
    const result = await deliverChunk("run_c", "m1", 1);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(result.retryMessages).toEqual([]);
    const chunks = await env.CONFIG_DB.prepare("SELECT COUNT(*) AS n FROM run_chunks").first();
    expect(chunks).toEqual({ n: 0 });
  });

  it("fails a run whose stored configuration cannot be read, naming the field, without retrying", async () => {
    const config = JSON.stringify({ type: "orders", format: "velocidi_csv", options: { delimiter: ";;" } });
    await addRun("run_bad", "in_progress", config);
    const result = await deliverChunk("run_bad", "m2", 2);
    expect(result.explicitAcks).toEqual(["m2"]);
    expect(result.retryMessages).toEqual([]);
    const run = await env.CONFIG_DB.prepare(
      "SELECT status, error_code, error_message FROM runs WHERE id = 'run_bad'",
    ).first();
    expect(run).toEqual({
      status: "failed",
      error_code: "invalid_config",
      error_message:
        "The import's configuration is not valid: options.delimiter must be exactly 1 character long.",
    });
  });
});

describe("run progress", () => {
  const config = JSON.stringify({
    type: "customers",
    format: "csv",
    options: { userIdField: "email", userIdType: "email" },
  });
  const header = "email,first_name\n";
  const bytes = (text: string) => new TextEncoder().encode(text).length;

  /** Lands the files of a zip archive's entries, plans the run as ingest does, and answers the chunks. */
  async function plannedRun(runId: string, files: Record<string, string>) {
    await addRun(runId, "in_progress", config);
    const chunks: ChunkMessage[] = [];
    for (const [key, text] of Object.entries(files)) {
      await env.FILES.put(key, text);
      const prologueEnd = bytes(header);
      if (text.length > header.length)
        chunks.push({
          runId,
          key,
          chunkNo: chunks.length,
          chunkCount: 0,
          start: prologueEnd,
          end: bytes(text),
          firstRow: 2,
          prologueEnd,
        });
    }
    for (const chunk of chunks) chunk.chunkCount = chunks.length;
    const total = Object.values(files).reduce((sum, text) => sum + bytes(text), 0);
    await env.CONFIG_DB.prepare("UPDATE runs SET bytes_total = ?2, chunks_total = ?3 WHERE id = ?1")
      .bind(runId, total, chunks.length)
      .run();
    return { chunks, total };
  }

  async function deliver(chunk: ChunkMessage) {
    const batch = createMessageBatch("cdp-import-chunks", [
      { id: `m_${chunk.runId}_${chunk.chunkNo}`, timestamp: new Date(), attempts: 1, body: chunk },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
  }

  const progressOf = async (runId: string) => {
    const run = await getRun(env.CONFIG_DB, null, runId);
    return { status: run?.status, ...run?.progress };
  };

  it("counts each file's header of a zip archive, whichever file's chunk finishes first", async () => {
    const b = `${header}b@x.com,Bea\nc@x.com,Cid\n`;
    const { chunks, total } = await plannedRun("run_zip", {
      "zip/a.csv": `${header}a@x.com,Ann\n`,
      "zip/b.csv": b,
    });
    const [first, second] = chunks;
    if (!first || !second) throw new Error("two chunks expected");
    await deliver(second);
    // The second file alone is read: all its bytes, header too.
    expect(await progressOf("run_zip")).toEqual({
      status: "in_progress",
      bytesRead: bytes(b),
      bytesTotal: total,
    });
    await deliver(first);
    expect(await progressOf("run_zip")).toEqual({ status: "completed", bytesRead: total, bytesTotal: total });
  });

  it("ends at 100 % when a file of the archive is only a header", async () => {
    const { chunks, total } = await plannedRun("run_header_entry", {
      "zip2/a.csv": `${header}a@x.com,Ann\n`,
      "zip2/empty.csv": header,
    });
    expect(chunks).toHaveLength(1);
    for (const chunk of chunks) await deliver(chunk);
    expect(await progressOf("run_header_entry")).toEqual({
      status: "completed",
      bytesRead: total,
      bytesTotal: total,
    });
  });

  it("takes a batch of several chunks at once, acknowledging each and dropping a malformed one", async () => {
    const { chunks, total } = await plannedRun("run_batch", {
      "batch/a.csv": `${header}a@x.com,Ann\n`,
      "batch/b.csv": `${header}b@x.com,Bea\nc@x.com,Cid\n`,
      "batch/c.csv": `${header}d@x.com,Dan\n`,
    });
    const batch = createMessageBatch<unknown>("cdp-import-chunks", [
      ...chunks.map((chunk) => ({
        id: `m_batch_${chunk.chunkNo}`,
        timestamp: new Date(),
        attempts: 1,
        body: chunk,
      })),
      { id: "m_batch_bad", timestamp: new Date(), attempts: 1, body: { runId: "run_batch" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m_batch_0", "m_batch_1", "m_batch_2", "m_batch_bad"]);
    expect(result.retryMessages).toEqual([]);
    expect(await progressOf("run_batch")).toEqual({
      status: "completed",
      bytesRead: total,
      bytesTotal: total,
    });
    const stats = await env.CONFIG_DB.prepare(
      "SELECT SUM(rows_read) AS rows, SUM(items_valid) AS valid FROM run_chunks WHERE run_id = 'run_batch'",
    ).first();
    expect(stats).toEqual({ rows: 4, valid: 4 });
  });
});
