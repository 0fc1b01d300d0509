import { workerProject } from "../../vitest.shared.ts";

export default workerProject("transform", { store: true });
