import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { D1Migration } from "@cloudflare/vitest-plugin";

interface MigrationBindings {
  CONFIG_DB?: D1Database;
  CONFIG_MIGRATIONS: D1Migration[];
}

const bindings = env as unknown as MigrationBindings;
if (bindings.CONFIG_DB) await applyD1Migrations(bindings.CONFIG_DB, bindings.CONFIG_MIGRATIONS);
