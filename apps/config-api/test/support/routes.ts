import { api } from "../../src/index";

/** Every route of the API app, as `[METHOD, path with sample ids]`, read from the app itself. */
export function allRoutes(): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const route of api.routes) {
    if (route.method === "ALL" || !route.path.startsWith("/v1/")) continue;
    const path = route.path.replace(/:(\w+)/g, (_, name: string) => `sample_${name}`);
    const key = `${route.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([route.method, path]);
  }
  return out;
}

/** Routes open without a key. */
export const PUBLIC_ROUTES = new Set(["GET /v1/health", "GET /v1/openapi.json"]);
