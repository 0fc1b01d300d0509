import { workerProject } from "../../vitest.shared.ts";

export default workerProject("dashboard", {
  peers: [{ name: "cdp-config-api", entrypoints: ["DashboardApi"] }],
  bindings: { SESSION_SECRET: "test-dashboard-session-secret" },
});
