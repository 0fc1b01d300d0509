import type { D1Migration } from "@cloudflare/vitest-plugin";

declare global {
  namespace Cloudflare {
    interface Env {
      CONFIG_MIGRATIONS: D1Migration[];
      CDP_MIGRATIONS: D1Migration[];
      SECRETS_KEYS: string;
    }
  }
}
