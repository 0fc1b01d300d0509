import { newApp } from "./app";
import { registerImportPage, renderImportPage } from "./routes/import-page";
import { registerImports } from "./routes/imports";
import { registerInbox } from "./routes/inbox";
import { registerProfiles } from "./routes/profiles";
import { registerRuns } from "./routes/runs";
import { registerSignIn } from "./routes/sign-in";
import { registerWebhooks } from "./routes/webhooks";
import { registerWizard } from "./routes/wizard";

/** The dashboard: Collect > Data Imports, server-rendered, talking to config-api over its service binding. */
export const dashboard = newApp();
registerSignIn(dashboard);
registerImports(dashboard, renderImportPage);
registerWizard(dashboard);
// After the wizard's /imports/new: an import's page is /imports/{id}.
registerImportPage(dashboard);
registerRuns(dashboard);
registerWebhooks(dashboard);
registerProfiles(dashboard);
registerInbox(dashboard);

// Static files (styles, scripts, the API reference's assets) come from the assets directory.
dashboard.get("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default { fetch: dashboard.fetch } satisfies ExportedHandler<Env>;
