import { neutralPackageConfig } from "../../vitest.shared.ts";

export default neutralPackageConfig("store", { d1: true });
