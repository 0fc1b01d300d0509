interface ChunkMessage {
  runId: string;
  chunkNo: number;
}

/** Whether the run a chunk belongs to still wants its chunks processed. */
async function runIsActive(db: D1Database, runId: string): Promise<boolean> {
  const run = await db
    .prepare("SELECT status FROM runs WHERE id = ?1")
    .bind(runId)
    .first<{ status: string }>();
  return run?.status === "in_progress";
}

export default {
  async queue(batch, env, _ctx) {
    for (const message of batch.messages) {
      if (!(await runIsActive(env.CONFIG_DB, message.body.runId))) {
        // A chunk of a cancelled, failed or deleted run has nothing left to do.
        message.ack();
        continue;
      }
      message.retry({ delaySeconds: 1 });
    }
  },
} satisfies ExportedHandler<Env, ChunkMessage>;
