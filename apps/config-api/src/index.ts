// First: zod 4 gives a schema its methods when it is made, so `.openapi()` exists only on schemas
// made after @hono/zod-openapi has extended zod, including those of @cdp/core.
import "@hono/zod-openapi";
import { S3_INBOX } from "@cdp/core";
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
import { registerInbox } from "./routes/inbox";
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
registerInbox(api);
registerDocs(api);
api.get("/v1/openapi.json", (c) => c.json(apiDocument(api, new URL(c.req.url).origin)));

/**
 * The tenants' buckets, spoken to by the S3 protocol: `/s3` on this host (path style), any path
 * of `inbox.<host>` (virtual-hosted style, where a custom domain routes that name here), and any
 * request signed with SigV4, whatever its path: an S3 key with '..' segments arrives resolved
 * (`/s3/inbox/../../x` as `/x`), and its client must hear S3's answer, not the dashboard's.
 */
function isInboxRequest(request: Request, url: URL): boolean {
  const { pathname } = url;
  if (pathname === S3_INBOX.path || pathname.startsWith(`${S3_INBOX.path}/`)) return true;
  const host = request.headers.get("host") ?? url.host;
  if (host.toLowerCase().startsWith(`${S3_INBOX.bucket}.`)) return true;
  return (
    request.headers.get("authorization")?.startsWith("AWS4-HMAC-SHA256 ") === true ||
    url.searchParams.has("X-Amz-Credential")
  );
}

/**
 * The front door. /v1 is the API, /admin the operator's routes, /s3 (and SigV4) the tenants'
 * buckets; signed upload PUTs go to the ingest Worker and everything
 * else (the dashboard at /) to the dashboard Worker, over service bindings, so one origin
 * serves it all.
 */
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const { pathname } = url;
    if (pathname.startsWith("/uploads/")) return env.INGEST.fetch(request);
    if (isInboxRequest(request, url)) return env.S3_INBOX.fetch(request);
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
