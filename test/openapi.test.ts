import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../scripts/openapi-document.mjs";
import { ROOT } from "./support/stack";

// The API's OpenAPI document checked by tools nobody here wrote: Redocly's recommended rules
// (every warning an error) and openapi-typescript's generated client.

type Json = Record<string, unknown>;
type Operation = {
  operationId?: string;
  requestBody?: { content?: Record<string, { schema?: Json; example?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
};

let doc: Json & {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
};
let dir: string;
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

beforeAll(async () => {
  doc = (await openApiDocument()) as typeof doc;
  dir = mkdtempSync(join(tmpdir(), "cdp-openapi-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The TypeScript openapi-typescript makes of a document. */
async function clientOf(document: Json): Promise<string> {
  return astToString(await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]));
}

/** Media types of request and response bodies that a generated client can only type as unknown. */
const unknownBodies = (client: string) =>
  (client.match(/^\s*"[\w.+-]+\/[\w.+-]+": unknown;$/gm) ?? []).map((line) => line.trim());

describe("the OpenAPI document", () => {
  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(doc));
    const redocly = join(ROOT, "node_modules/.bin/redocly");
    const config = join(ROOT, "apps/config-api/redocly.yaml");
    const { stdout } = await promisify(execFile)(
      redocly,
      ["lint", "--config", config, "--format", "json", file],
      {
        cwd: ROOT,
      },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? "" }));
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: unknown[];
    };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("makes a client in which no request or response body is unknown", async () => {
    const client = await clientOf(doc);
    expect(unknownBodies(client)).toEqual([]);
    // The check itself finds a body of no type.
    const untyped = structuredClone(doc);
    const upload = untyped.paths["/v1/uploads"]?.post?.requestBody?.content?.["application/json"];
    if (upload) upload.schema = {};
    expect(unknownBodies(await clientOf(untyped))).toEqual(['"application/json": unknown;']);
  });

  it("names each operation as a client method, once", () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const byRoute = Object.fromEntries(operations().map(({ name, op }) => [name, op.operationId]));
    expect(byRoute).toMatchObject({
      "GET /v1/health": "getHealth",
      "POST /v1/uploads": "createUpload",
      "PUT /uploads/{upload}/{filename}": "uploadFile",
      "POST /uploads/{upload}/{filename}": "startOrCompleteMultipartUpload",
      "DELETE /uploads/{upload}/{filename}": "abortMultipartUpload",
      "POST /v1/imports": "createImport",
      "GET /v1/imports/{id}": "getImport",
      "PATCH /v1/imports/{id}": "updateImport",
      "POST /v1/imports/{id}/runs": "startRun",
      "GET /v1/runs/{runId}/issues": "listRunIssues",
      "GET /v1/orders/{orderId}": "getOrder",
      "GET /v1/profiles/{idType}/{idValue}": "getProfile",
      "GET /v1/products/{productId}": "getProduct",
    });
  });

  it("names the schemas of runs, issues, orders, profiles and products, and answers with them", () => {
    for (const name of ["Run", "Issue", "Order", "LineItem", "Profile", "Product", "ImportConfig", "Error"])
      expect(doc.components.schemas, name).toHaveProperty(name);
    const schemaOf = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses?.[status]?.content?.["application/json"]?.schema;
    expect(schemaOf("/v1/runs/{runId}", "get", "200")).toEqual({ $ref: "#/components/schemas/Run" });
    expect(schemaOf("/v1/orders/{orderId}", "get", "200")).toEqual({ $ref: "#/components/schemas/Order" });
    expect(schemaOf("/v1/products/{productId}", "get", "200")).toEqual({
      $ref: "#/components/schemas/Product",
    });
    expect(schemaOf("/v1/profiles/{idType}/{idValue}", "get", "200")).toEqual({
      $ref: "#/components/schemas/Profile",
    });
  });

  it("gives every request body an example, and says that request objects take no other field", () => {
    const open: string[] = [];
    const visit = (schema: unknown, where: string, seen: Set<string>) => {
      if (typeof schema !== "object" || schema === null) return;
      const s = schema as Json;
      if (typeof s.$ref === "string") {
        const name = s.$ref.replace("#/components/schemas/", "");
        if (seen.has(name)) return;
        seen.add(name);
        visit(doc.components.schemas[name], `${where} → ${name}`, seen);
        return;
      }
      if (s.properties && s.additionalProperties !== false && typeof s.additionalProperties !== "object")
        open.push(where);
      for (const value of Object.values(s)) {
        if (Array.isArray(value)) for (const item of value) visit(item, where, seen);
        else if (typeof value === "object") visit(value, where, seen);
      }
    };
    for (const { name, op } of operations()) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        expect(media.example, `${name} ${type}`).toBeDefined();
        if (type === "application/json") visit(media.schema, name, new Set());
      }
    }
    expect(open).toEqual([]);
  });
});
