import { encryptSecret, inboxObjectKey, S3_INBOX } from "@cdp/core";
import { insertInboxKey, listInboxKeys, revokeInboxKey, runsStartedBy } from "@cdp/store";
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app";
import { ApiError } from "../errors";
import { ErrorResponse, errorResponses } from "../schemas";

const security = [{ apiKey: [] }];
const json = <T>(schema: T) => ({ "application/json": { schema } });
const tags = ["Inbox"];

/** A tenant keeps at most this many inbox keys that work: one per system that uploads, say. */
export const MAX_INBOX_KEYS = 50;
/** Objects looked at to find the newest files of an inbox (R2 lists by key, not by time). */
export const INBOX_FILES_SCAN = 10_000;

const InboxLocation = {
  endpoint: z.string().openapi({
    example: "https://imports.example.com/s3",
    description: "The S3 endpoint (path style): give it to your client as its endpoint URL.",
  }),
  bucket: z.literal(S3_INBOX.bucket).openapi({ description: "The one bucket of your inbox." }),
  region: z
    .literal(S3_INBOX.region)
    .openapi({ description: "Any region signs; this is the one to configure." }),
};

const Inbox = z.object(InboxLocation).openapi("Inbox");

const InboxKey = z
  .object({
    accessKeyId: z.string().openapi({ example: "CDPIW5RC7QK2M4XJ9TZA" }),
    description: z.string().nullable().openapi({ example: "nightly export" }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().openapi({
      description: "When a request signed with the key last arrived (recorded at most once a minute).",
    }),
  })
  .openapi("InboxKey");

const InboxKeyCreated = InboxKey.omit({ lastUsedAt: true })
  .extend({
    secretAccessKey: z.string().openapi({ description: "Shown only in this answer: store it now." }),
    ...InboxLocation,
  })
  .openapi("InboxKeyCreated");

const InboxKeyRequest = z
  .strictObject({
    description: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "What the key is for, to tell keys apart." }),
  })
  .openapi("InboxKeyRequest", { example: { description: "nightly export" } });

const InboxKeyList = z.object({ items: z.array(InboxKey) }).openapi("InboxKeyList");

const InboxFile = z
  .object({
    key: z.string().openapi({ example: "daily/orders-2026-11-20.csv" }),
    size: z.number().int(),
    eTag: z.string(),
    uploadedAt: z.string(),
    runs: z
      .array(
        z.object({
          id: z.string(),
          importId: z.string(),
          importName: z.string(),
          status: z.string(),
          itemsInvalid: z.number().int().openapi({ description: "Items of the run found invalid so far." }),
          createdAt: z.string(),
        }),
      )
      .openapi({ description: "The runs this version of the file started (imports watching its prefix)." }),
  })
  .openapi("InboxFile");

const InboxFileList = z
  .object({
    items: z.array(InboxFile),
    scanned: z.number().int().openapi({ description: "Files looked at." }),
    complete: z.boolean().openapi({
      description: `False when the inbox holds more than ${INBOX_FILES_SCAN.toLocaleString("en")} files under the prefix: the newest of the first ones by key are shown.`,
    }),
  })
  .openapi("InboxFileList");

const InboxFilesQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    prefix: z.string().max(1024).optional(),
  })
  .openapi("InboxFilesQuery");

const AccessKeyIdParam = z.object({
  accessKeyId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "accessKeyId", in: "path" }, example: "CDPIW5RC7QK2M4XJ9TZA" }),
});

const NoQuery = z.strictObject({}).openapi("NoQuery");

const conflict = { description: "Too many keys.", content: json(ErrorResponse) };

const getInboxRoute = createRoute({
  method: "get",
  path: "/v1/inbox",
  operationId: "getInbox",
  tags,
  summary: "Where your bucket is",
  description: "The S3 endpoint, bucket and region that aws, rclone and s3cmd write to with an inbox key.",
  security,
  request: { query: NoQuery },
  responses: { 200: { description: "Your bucket.", content: json(Inbox) }, ...errorResponses },
});

const createKeyRoute = createRoute({
  method: "post",
  path: "/v1/inbox/keys",
  operationId: "createInboxKey",
  tags,
  summary: "Create an inbox key",
  description:
    "An S3 access key id and secret access key for your bucket. The secret is shown only in this answer.",
  security,
  request: { body: { required: false, content: json(InboxKeyRequest) } },
  responses: {
    201: { description: "The new key, with its secret.", content: json(InboxKeyCreated) },
    ...errorResponses,
    409: conflict,
  },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/v1/inbox/keys",
  operationId: "listInboxKeys",
  tags,
  summary: "List the inbox keys",
  description: "The keys that work, oldest first, without their secrets.",
  security,
  request: { query: NoQuery },
  responses: { 200: { description: "The keys.", content: json(InboxKeyList) }, ...errorResponses },
});

const revokeKeyRoute = createRoute({
  method: "delete",
  path: "/v1/inbox/keys/{accessKeyId}",
  operationId: "revokeInboxKey",
  tags,
  summary: "Revoke an inbox key",
  description: "Requests signed with it are refused within 30 seconds (InvalidAccessKeyId).",
  security,
  request: { params: AccessKeyIdParam },
  responses: { 204: { description: "Revoked." }, ...errorResponses },
});

const listFilesRoute = createRoute({
  method: "get",
  path: "/v1/inbox/files",
  operationId: "listInboxFiles",
  tags,
  summary: "List the newest files of your bucket",
  description: "Newest first, with the runs each started.",
  security,
  request: { query: InboxFilesQuery },
  responses: { 200: { description: "The newest files.", content: json(InboxFileList) }, ...errorResponses },
});

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` characters of `alphabet`, uniformly at random. */
function randomText(alphabet: string, length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      // Bytes past the largest multiple of the alphabet's size would favour its first letters.
      if (byte < 256 - (256 % alphabet.length) && out.length < length)
        out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** Access key ids look like AWS's: 20 upper-case characters, here starting with CDPI. */
const newAccessKeyId = () => `CDPI${randomText(ALPHABET, 16)}`;
/** 40 characters of letters and digits (238 bits): nothing a shell or config file would quote. */
const newSecret = () => randomText(SECRET_ALPHABET, 40);

const location = (requestUrl: string) => ({
  endpoint: `${new URL(requestUrl).origin}${S3_INBOX.path}`,
  bucket: S3_INBOX.bucket,
  region: S3_INBOX.region,
});

export function registerInbox(app: App): void {
  app.openapi(getInboxRoute, (c) => c.json(location(c.req.url), 200));

  app.openapi(createKeyRoute, async (c) => {
    const { services, tenant } = c.var;
    const body = c.req.valid("json") ?? {};
    const existing = await listInboxKeys(services.db, tenant.id);
    if (existing.length >= MAX_INBOX_KEYS) {
      throw new ApiError(
        "conflict",
        `This tenant has ${MAX_INBOX_KEYS} inbox keys, the most it may have: revoke one (DELETE /v1/inbox/keys/{accessKeyId}) first.`,
      );
    }
    const now = services.now().toISOString();
    const accessKeyId = newAccessKeyId();
    const secretAccessKey = newSecret();
    await insertInboxKey(services.db, {
      accessKeyId,
      tenantId: tenant.id,
      secretSealed: await encryptSecret(await services.keyring(), secretAccessKey, tenant.id),
      description: body.description ?? null,
      now,
    });
    return c.json(
      {
        accessKeyId,
        secretAccessKey,
        description: body.description ?? null,
        createdAt: now,
        ...location(c.req.url),
      },
      201,
    );
  });

  app.openapi(listKeysRoute, async (c) => {
    const { services, tenant } = c.var;
    return c.json({ items: await listInboxKeys(services.db, tenant.id) }, 200);
  });

  app.openapi(revokeKeyRoute, async (c) => {
    const { services, tenant } = c.var;
    const { accessKeyId } = c.req.valid("param");
    if (!(await revokeInboxKey(services.db, tenant.id, accessKeyId, services.now().toISOString()))) {
      throw new ApiError("not_found", `No inbox key ${accessKeyId}.`);
    }
    return c.body(null, 204);
  });

  app.openapi(listFilesRoute, async (c) => {
    const { services, tenant } = c.var;
    const { limit, prefix } = c.req.valid("query");
    const base = inboxObjectKey(tenant.id, "");
    // R2 lists by key: the newest files are found among all of them (up to the scan's bound).
    let newest: R2Object[] = [];
    let scanned = 0;
    let cursor: string | undefined;
    let complete = false;
    while (scanned < INBOX_FILES_SCAN) {
      const page = await c.env.FILES.list({ prefix: base + (prefix ?? ""), cursor, limit: 1000 });
      scanned += page.objects.length;
      newest = [...newest, ...page.objects]
        .sort((a, b) => b.uploaded.getTime() - a.uploaded.getTime() || (a.key < b.key ? -1 : 1))
        .slice(0, limit);
      if (!page.truncated) {
        complete = true;
        break;
      }
      cursor = page.cursor;
    }
    const triggerKey = (object: R2Object) => `${object.key}#${object.etag}`;
    const runs = await runsStartedBy(services.db, tenant.id, newest.map(triggerKey));
    return c.json(
      {
        items: newest.map((object) => ({
          key: object.key.slice(base.length),
          size: object.size,
          eTag: object.etag,
          uploadedAt: object.uploaded.toISOString(),
          runs: runs
            .filter((run) => run.triggerKey === triggerKey(object))
            .map((run) => ({
              id: run.runId,
              importId: run.importId,
              importName: run.importName,
              status: run.status,
              itemsInvalid: run.itemsInvalid,
              createdAt: run.createdAt,
            })),
        })),
        scanned,
        complete,
      },
      200,
    );
  });
}
