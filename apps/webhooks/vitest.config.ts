import { workerProject } from "../../vitest.shared.ts";

export default workerProject("webhooks");
