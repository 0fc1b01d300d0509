import { workerProject } from "../../vitest.shared.ts";

export default workerProject("cdp-store");
