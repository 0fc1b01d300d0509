import { mergeConfig } from "vitest/config";
import { workerProject } from "../../vitest.shared.ts";

export default mergeConfig(workerProject("webhooks"), { test: { globalSetup: ["./test/receiver.ts"] } });
