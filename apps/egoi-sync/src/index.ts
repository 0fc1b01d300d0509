interface EgoiSyncMessage {
  runId: string;
  offset?: number;
}

async function runIsActive(db: D1Database, runId: string): Promise<boolean> {
  const run = await db
    .prepare("SELECT status FROM runs WHERE id = ?1")
    .bind(runId)
    .first<{ status: string }>();
  return run?.status === "queued" || run?.status === "in_progress";
}

export default {
  async queue(batch, env, _ctx) {
    for (const message of batch.messages) {
      if (!(await runIsActive(env.CONFIG_DB, message.body.runId))) {
        message.ack();
        continue;
      }
      message.retry({ delaySeconds: 5 });
    }
  },
} satisfies ExportedHandler<Env, EgoiSyncMessage>;
