import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import { newApp } from "./app";
import { ApiError } from "./errors";
import { markFromDashboard, requireApiKey } from "./middleware/auth";
import { buildServices, services } from "./middleware/services";
import { apiDocument } from "./openapi";
import { resumeStalledRuns } from "./recovery";
import { admin } from "./routes/admin";
import { registerData } from "./routes/data";
import { registerDocs } from "./routes/docs";
import { registerHealth } from "./routes/health";
import { registerImports } from "./routes/imports";
import { registerMapping } from "./routes/mapping";
import { registerPreview } from "./routes/preview";
import { registerRuns } from "./routes/runs";
import { registerUploads } from "./routes/uploads";
import { registerWebhooks } from "./routes/webhooks";
import { runDueSchedules } from "./schedules";

/** Request bodies of the API are JSON configs, never files (files go to signed upload URLs). */
const MAX_BODY_BYTES = 1024 * 1024;

export const api = newApp();
api.use("*", async (c, next) => {
  await next();
  // Responses of the API are not cached by browsers or proxies: they carry tenants' data.
  c.header("cache-control", "no-store");
});
api.use(
  "/v1/*",
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError(
        "payload_too_large",
        "The request body is over 1 MB. Upload files with POST /v1/uploads.",
      );
    },
  }),
);
api.use("/v1/*", services);
api.use("/v1/*", requireApiKey);
api.use(
  "/v1/*",
  methodNotAllowed({
    app: api,
    onMethodNotAllowed: (c, allowed) =>
      c.json(
        {
          error: {
            code: "method_not_allowed",
            message: `${c.req.method} is not allowed here; use ${allowed.join(", ")}.`,
          },
        },
        405,
        { Allow: allowed.join(", ") },
      ),
  }),
);
registerHealth(api);
registerUploads(api);
registerPreview(api);
registerMapping(api);
registerImports(api);
registerRuns(api);
registerData(api);
registerWebhooks(api);
registerDocs(api);
api.get("/v1/openapi.json", (c) => c.json(apiDocument(api, new URL(c.req.url).origin)));

/**
 * The front door. /v1 is the API, /admin the operator's routes; signed upload PUTs go to the ingest Worker and everything
 * else (the dashboard at /) to the dashboard Worker, over service bindings, so one origin
 * serves it all.
 */
export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/uploads/")) return env.INGEST.fetch(request);
    if (pathname === "/docs" || pathname.startsWith("/v1/")) return api.fetch(request, env, ctx);
    if (pathname.startsWith("/admin/")) return admin.fetch(request, env, ctx);
    return env.DASHBOARD.fetch(request);
  },
  async scheduled(controller, env, _ctx) {
    const services = buildServices(env, new Date(controller.scheduledTime));
    const outcome = await runDueSchedules(env, services);
    console.log(`scheduled imports: ${outcome.started.length} started, ${outcome.skipped.length} skipped`);
    const resumed = await resumeStalledRuns(env, services);
    if (resumed.length > 0) console.log(`stalled runs resumed: ${resumed.join(", ")}`);
  },
} satisfies ExportedHandler<Env>;

/**
 * The dashboard's way in: its service binding names this entrypoint, which no request from the
 * internet reaches. The API is the same; the runs it starts are started by "dashboard".
 */
export const DashboardApi = {
  fetch(request, env, ctx) {
    markFromDashboard(request);
    return api.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
