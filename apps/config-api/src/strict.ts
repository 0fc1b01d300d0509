// Requests are strict: a field the API does not know is refused (400 unknown_field, naming it and
// the known name it was likely meant to be), never dropped, since dropping it silently does
// something else than the sender asked (`dry_run` would start a real run). Routes declare strict
// zod objects; this module turns zod's failures into the API's words, makes routes without a query
// or a body refuse one, and answers a body that is not JSON with 415.
import { closestName } from "@cdp/core";
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors";

/** One bad field of a request, as the 400 envelope's details list it. */
export interface FieldError {
  /** Dotted path of the field (`options.hashUserIds`, `transformations.0.from`); "" for the whole. */
  path: string;
  message: string;
  /** For an unknown field: the known name it was likely meant to be. */
  suggestion?: string;
}

type Segment = PropertyKey;

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  options?: unknown[];
  discriminator?: string;
  element?: unknown;
  valueType?: unknown;
  values?: unknown[];
  getter?: () => unknown;
}

const defOf = (schema: unknown): SchemaDef | undefined =>
  (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

const valueAt = (value: unknown, key: Segment): unknown =>
  typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;

/** The schema that reads `value`: wrappers unwrapped, and of a union the option that fits it. */
function resolve(schema: unknown, value: unknown): unknown {
  for (let depth = 0; depth < 50; depth++) {
    const def = defOf(schema);
    if (!def) return schema;
    if (def.innerType !== undefined) schema = def.innerType;
    else if (def.type === "pipe") schema = def.in;
    else if (def.type === "lazy" && def.getter) schema = def.getter();
    else if (def.type === "union" && def.options) {
      const options = def.options;
      const discriminator = def.discriminator;
      const wanted = discriminator === undefined ? undefined : valueAt(value, discriminator);
      const chosen = discriminator
        ? options.find((option) =>
            defOf(defOf(resolve(option, value))?.shape?.[discriminator])?.values?.includes(wanted),
          )
        : options.find((option) => (option as z.ZodType).safeParse(value).success);
      if (chosen === undefined) return schema;
      schema = chosen;
    } else return schema;
  }
  return schema;
}

/** The fields the object at `path` knows, following the value sent for unions; null if none is known. */
function knownFieldsAt(schema: unknown, input: unknown, path: readonly Segment[]): string[] | null {
  let current = schema;
  let value = input;
  for (const key of path) {
    const def = defOf(resolve(current, value));
    if (def?.type === "object") current = def.shape?.[String(key)];
    else if (def?.type === "array") current = def.element;
    else if (def?.type === "record") current = def.valueType;
    else return null;
    value = valueAt(value, key);
  }
  const def = defOf(resolve(current, value));
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : null;
}

const joinPath = (path: readonly Segment[]) => path.map(String).join(".");

const listed = (values: readonly unknown[]) => values.map((v) => String(v)).join(", ");

/**
 * Each bad field of a zod failure in words: an unknown field by its own path (with the close
 * known name, if any), "is required" for a missing one, and the choices for a wrong choice.
 * `schema` and `input` are what was parsed: they tell which fields an object knows.
 */
export function fieldErrors(error: z.ZodError, schema?: unknown, input?: unknown): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const path = issue.path as Segment[];
    const value = path.reduce<unknown>(valueAt, input);
    const missing = input !== undefined && value === undefined;
    if (issue.code === "unrecognized_keys") {
      const known = schema === undefined ? null : knownFieldsAt(schema, input, path);
      for (const key of issue.keys) {
        const suggestion = known ? closestName(key, known) : null;
        out.push({
          path: joinPath([...path, key]),
          message: suggestion
            ? `is not a known field; did you mean "${suggestion}"?`
            : known
              ? `is not a known field; the fields here are: ${listed(known)}`
              : "is not a known field",
          ...(suggestion ? { suggestion } : {}),
        });
      }
    } else if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator) {
      const options = (issue as { options?: unknown[] }).options ?? [];
      out.push({
        path: joinPath(path),
        message: missing
          ? `is required: one of ${listed(options)}`
          : `must be one of ${listed(options)}; got ${JSON.stringify(value)}`,
      });
    } else if (issue.code === "invalid_type" && (missing || /received undefined$/.test(issue.message))) {
      out.push({ path: joinPath(path), message: "is required" });
    } else if (issue.code === "invalid_value" && /^Invalid (option|input)/.test(issue.message)) {
      const choices =
        issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${listed(issue.values)}`;
      out.push({
        path: joinPath(path),
        message: missing ? `is required: ${choices}` : `must be ${choices}; got ${JSON.stringify(value)}`,
      });
    } else {
      out.push({ path: joinPath(path), message: issue.message.replace(/^Invalid input: /, "") });
    }
  }
  return out;
}

/**
 * The 400 of a failed request: `unknown_field` when a field is not known (a typo is the likely
 * cause of any other problem: `nmae` leaves `name` missing), else `fallback`.
 */
export function requestError(
  details: FieldError[],
  fallback: { code: "validation_failed" | "unknown_format"; message: string },
): ApiError {
  const unknown = details.filter((d) => d.message.startsWith("is not a known field"));
  const [first] = unknown;
  if (first) {
    const more = unknown.length > 1 ? ` and ${unknown.length - 1} more (see details)` : "";
    const hint = first.suggestion ? ` (did you mean "${first.suggestion}"?)` : "";
    return new ApiError(
      "unknown_field",
      `The request has a field this API does not know: "${first.path}"${hint}${more}. Unknown fields are refused, not ignored.`,
      details,
    );
  }
  return new ApiError(fallback.code, fallback.message, details);
}

/** A route with no query parameters refuses any (a typo of one would otherwise do nothing). */
export const NoQuery = z.strictObject({});

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** What answers a body that is not JSON: 415, with what to send instead. */
export const unsupportedMediaType = () =>
  new ApiError(
    "unsupported_media_type",
    "The request body must be JSON: send it with the header Content-Type: application/json.",
  );

/**
 * For a route that takes no body: a body with fields is refused as unknown fields (nothing of it
 * would be read); an empty body, `{}` or none at all is fine.
 */
export const refuseBody: MiddlewareHandler = async (c, next) => {
  if (BODY_METHODS.has(c.req.method) && c.req.raw.body) {
    const text = (await c.req.text()).trim();
    if (text !== "") {
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) throw unsupportedMediaType();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError("bad_request", "The request body is not valid JSON.");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new ApiError("validation_failed", "This request takes no body: send none, or {}.", [
          { path: "", message: "this request takes no body" },
        ]);
      }
      const keys = Object.keys(body);
      if (keys.length > 0) {
        throw requestError(
          keys.map((key) => ({ path: key, message: "is not a known field: this request takes no body" })),
          { code: "validation_failed", message: "" },
        );
      }
    }
  }
  await next();
};
