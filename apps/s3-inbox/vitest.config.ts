import { workerProject } from "../../vitest.shared.ts";

export default workerProject("s3-inbox");
