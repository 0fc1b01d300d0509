import { newApp } from "./app";
import { requireApiKey } from "./middleware/auth";
import { registerHealth } from "./routes/health";

const api = newApp();
api.use("/v1/*", requireApiKey);
registerHealth(api);
api.doc31("/v1/openapi.json", {
  openapi: "3.1.0",
  info: { title: "CDP offline imports API", version: "1.0.0" },
});

/**
 * The front door. /v1 is the API; signed upload PUTs go to the ingest Worker and everything
 * else (the dashboard at /) to the dashboard Worker, over service bindings, so one origin
 * serves it all.
 */
export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/uploads/")) return env.INGEST.fetch(request);
    if (pathname === "/docs" || pathname.startsWith("/v1/")) return api.fetch(request, env, ctx);
    return env.DASHBOARD.fetch(request);
  },
} satisfies ExportedHandler<Env>;
