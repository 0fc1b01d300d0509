import { workerProject } from "../../vitest.shared.ts";

export default workerProject("dashboard", {
  peers: ["cdp-config-api"],
  bindings: { SESSION_SECRET: "test-dashboard-session-secret" },
});
