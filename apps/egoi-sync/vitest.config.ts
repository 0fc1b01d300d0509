import { workerProject } from "../../vitest.shared.ts";

export default workerProject("egoi-sync", { store: true });
