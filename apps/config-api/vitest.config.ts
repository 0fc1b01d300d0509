import { workerProject } from "../../vitest.shared.ts";

export default workerProject("config-api", {
  peers: ["cdp-dashboard", "cdp-ingest", "cdp-s3-inbox"],
  store: true,
});
