import { newApp } from "./app";
import { registerImports } from "./routes/imports";
import { registerInbox } from "./routes/inbox";
import { registerRuns } from "./routes/runs";
import { registerSignIn } from "./routes/sign-in";
import { registerWizard } from "./routes/wizard";

/** The dashboard: Collect > Data Imports, server-rendered, talking to config-api over its service binding. */
export const dashboard = newApp();
registerSignIn(dashboard);
registerImports(dashboard);
registerWizard(dashboard);
registerRuns(dashboard);
registerInbox(dashboard);

// Static files (styles, scripts, the API reference's assets) come from the assets directory.
dashboard.get("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default { fetch: dashboard.fetch } satisfies ExportedHandler<Env>;
