import { router } from "./http";

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  async queue(batch) {
    // Runs are opened and fanned out into chunks here; until a run's source is readable the
    // message is acknowledged so that nothing loops.
    for (const message of batch.messages) message.ack();
  },
} satisfies ExportedHandler<Env>;
