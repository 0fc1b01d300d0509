import { env, exports } from "cloudflare:workers";
import { createTenantWithKey } from "@cdp/store";

export const BASE = "http://api.test";

export const TENANTS = {
  acme: { id: "acme", name: "Acme", key: "key_acme_0123456789" },
  globex: { id: "globex", name: "Globex", key: "key_globex_0123456789" },
} as const;

export async function seedTenants(): Promise<void> {
  const now = new Date().toISOString();
  for (const t of Object.values(TENANTS))
    await createTenantWithKey(env.CONFIG_DB, { id: t.id, name: t.name }, t.key, now);
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A call to the API as a client makes it: JSON in, JSON (or text) out. */
export async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; rawBody?: BodyInit; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? TENANTS.acme.key : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await exports.default.fetch(`${BASE}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (res.headers.get("content-type")?.includes("application/json")) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Asks for a signed upload URL (the PUT itself is ingest's) and returns the upload key. */
export async function upload(filename = "orders.csv", key: string = TENANTS.acme.key) {
  const created = await call<{ key: string; uploadUrl: string }>("POST", "/v1/uploads", {
    key,
    body: { filename },
  });
  return created.body.key;
}

export const ordersImport = (uploadKey: string, overrides: Record<string, unknown> = {}) => ({
  name: "Historic orders",
  type: "orders",
  format: "velocidi_csv",
  source: { type: "upload", key: uploadKey },
  options: { hashUserIds: true },
  ...overrides,
});

export const urlImport = (overrides: Record<string, unknown> = {}) => ({
  name: "Nightly customers",
  type: "customers",
  format: "csv",
  source: {
    type: "url",
    url: "https://exports.example.com/customers.csv",
    headers: { Authorization: "Bearer s3cr3t-header" },
  },
  options: { userIdField: "email", userIdType: "email" },
  ...overrides,
});
