import type { App } from "./app";

/** The OpenAPI document's own fields; `servers` is the origin it is served from. */
const INFO = {
  title: "CDP offline imports API",
  version: "1.0.0",
  description:
    "Import orders, customers and products into the customer-data platform. Requests are strict: an unknown field in a body or query is refused (400 `unknown_field`, naming it and the close known name), a missing one is `is required`, and a body must be JSON (`Content-Type: application/json`, else 415).",
  license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
};

type Json = Record<string, unknown>;
type Operation = Json & { operationId?: string; requestBody?: Json };

/**
 * The OpenAPI 3.1 document of the API as served from `origin`. Operations that name no
 * operationId get one from their method and path, and request bodies without an example get one
 * made from their schema, so that every route (those added later too) reads well in a
 * generated client and in the reference.
 */
export function apiDocument(app: App, origin: string): Json {
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: INFO,
    servers: [{ url: origin, description: "This API" }],
  }) as unknown as Json & { paths?: Record<string, Record<string, Operation>> };
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      if (typeof operation !== "object" || operation === null) continue;
      operation.operationId ??= operationName(method, path);
      const content = (operation.requestBody?.content ?? {}) as Record<string, Json>;
      for (const media of Object.values(content)) {
        if (media.example === undefined && media.examples === undefined && media.schema)
          media.example = exampleOf(media.schema, doc, 0);
      }
      const responses = (operation.responses ?? {}) as Json;
      if ("application/json" in content && !("415" in responses)) {
        responses["415"] = {
          description: "The body was not sent as JSON (`unsupported_media_type`).",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        };
      }
    }
  }
  return doc;
}

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const camel = (text: string) => text.replace(/[-_](\w)/g, (_, c: string) => c.toUpperCase());
const singular = (word: string) =>
  word.endsWith("ies") ? `${word.slice(0, -3)}y` : word.endsWith("s") ? word.slice(0, -1) : word;
const isParam = (segment: string) => segment.startsWith("{");

/**
 * A client method name from an operation's method and path, for routes that give none:
 * `GET /v1/orders/{orderId}` → getOrder, `GET /v1/imports/{id}/runs` → listImportRuns,
 * `POST /v1/webhooks` → createWebhook, `POST /v1/runs/{runId}/cancel` → cancelRun,
 * `POST /v1/webhooks/{id}/rotate-secret` → rotateWebhookSecret.
 */
export function operationName(method: string, path: string): string {
  const segments = path.split("/").filter((s) => s !== "" && s !== "v1");
  const nouns = segments.filter((s) => !isParam(s)).map((s) => capital(camel(s)));
  const last = segments[segments.length - 1] ?? "";
  if (isParam(last) || segments.length === 0) {
    const owner = nouns.map(singular).join("");
    const verb = { get: "get", put: "replace", patch: "update", delete: "delete", post: "create" }[method];
    return `${verb ?? method}${owner}`;
  }
  const lastNoun = nouns.pop() ?? "";
  const owner = nouns.map(singular).join("");
  const collection = /s$/.test(last) && segments.length > 0;
  if (collection) {
    if (method === "get") return `list${owner}${lastNoun}`;
    if (method === "post") return `create${owner}${singular(lastNoun)}`;
    return `${method}${owner}${lastNoun}`;
  }
  if (method !== "post") return `${method}${owner}${lastNoun}`;
  // An action after its resource: its first word is the verb, the rest follows the resource.
  const [verb = method, ...rest] = last.split("-");
  return `${verb}${owner}${rest.map(capital).join("")}`;
}

/** An example value made from a JSON schema: its own examples first, then one of its type. */
function exampleOf(schema: unknown, doc: Json, depth: number): unknown {
  if (typeof schema !== "object" || schema === null || depth > 8) return null;
  const s = schema as Json;
  if (typeof s.$ref === "string") {
    const name = s.$ref.replace("#/components/schemas/", "");
    const components = (doc.components as { schemas?: Json } | undefined)?.schemas ?? {};
    return exampleOf(components[name], doc, depth + 1);
  }
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ["oneOf", "anyOf", "allOf"] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return exampleOf(options[0], doc, depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (type === "object") {
    const properties = (s.properties ?? {}) as Json;
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const out: Json = {};
    for (const [name, property] of Object.entries(properties)) {
      if (required.has(name)) out[name] = exampleOf(property, doc, depth + 1);
    }
    return out;
  }
  if (type === "array") return [exampleOf(s.items, doc, depth + 1)];
  if (type === "integer" || type === "number") return typeof s.minimum === "number" ? s.minimum : 1;
  if (type === "boolean") return true;
  if (type === "string") return s.format === "date-time" ? "2026-12-01T02:00:00Z" : "text";
  return null;
}
