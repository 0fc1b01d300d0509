import { neutralPackageConfig } from "../../vitest.shared.ts";

export default neutralPackageConfig("core");
