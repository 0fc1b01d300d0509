import {
  BUCKET,
  type FileEventMessage,
  inboxObjectKey,
  newId,
  QUEUE_BINDINGS,
  type RunMessage,
  type WebhookMessage,
} from "@cdp/core";
import { insertRun, type StoredImportConfig, tenantHasWebhooks } from "@cdp/store";

/** R2 event notification actions that mean a new object is there. */
const OBJECT_CREATED = new Set(["PutObject", "CopyObject", "CompleteMultipartUpload"]);

/** How long a run may wait in the queue before a new announcement of its file hands it over again. */
const RESEND_AFTER_MS = 60_000;

/** `tenants/<tenant>/uploads/<upload key>`: where uploadObjectKey puts uploads. */
const UPLOAD_OBJECT = /^tenants\/([^/]+)\/uploads\/(.+)$/;

/** `tenants/<tenant>/inbox/<key>`: where inboxObjectKey puts files dropped straight into R2. */
const INBOX_OBJECT = /^tenants\/([^/]+)\/inbox\/(.+)$/;

export interface ArrivedFile {
  tenantId: string;
  /** The upload's key (as in an upload source). */
  uploadKey: string;
  /** The name given to POST /v1/uploads, which watch prefixes are matched against. */
  filename: string;
  /** The R2 object: it starts each watching import once, however often it is announced. */
  objectKey: string;
}

/** A file put straight into a tenant's inbox (`tenants/<tenant>/inbox/<key>`). */
export interface InboxFile {
  tenantId: string;
  /** The key inside the inbox (as in an r2 source). */
  key: string;
  /** What tells this version of the object from another put under the same key. */
  eTag: string | null;
}

interface WatchingImport {
  id: string;
  config: string;
}

/** Which imports of a tenant watch a prefix of one of `names`, for one source type. */
async function watchingImports(
  env: Env,
  tenantId: string,
  sourceType: "upload" | "r2",
  names: [string, string],
): Promise<WatchingImport[]> {
  const watching = await env.CONFIG_DB.prepare(
    `SELECT id, config FROM imports
     WHERE tenant_id = ?1 AND source_type = ?4 AND deleted_at IS NULL AND watch_prefix IS NOT NULL
       AND (substr(?2, 1, length(watch_prefix)) = watch_prefix OR substr(?3, 1, length(watch_prefix)) = watch_prefix)
     ORDER BY id`,
  )
    .bind(tenantId, names[0], names[1], sourceType)
    .all<WatchingImport>();
  return watching.results;
}

/**
 * Starts a run (trigger `upload`) of each import of the tenant whose upload source watches a
 * prefix of the arrived file's name (or key). The run reads the arrived file. Announcing the
 * same file again starts nothing new: the run is keyed by the object, and a run still queued
 * after a while is handed to the queue again in case the first hand-over was lost.
 */
export async function startWatchingImports(env: Env, file: ArrivedFile): Promise<string[]> {
  const watching = await watchingImports(env, file.tenantId, "upload", [file.filename, file.uploadKey]);
  return startRuns(env, file.tenantId, watching, file.uploadKey, file.objectKey);
}

/**
 * Starts a run (trigger `upload`) of each import of the tenant whose r2 source watches a prefix
 * of the key put into its inbox; the run reads that object. The same version of the object
 * (its key and eTag) starts each import once; a new put under the same key is a new file.
 */
export async function startInboxImports(env: Env, file: InboxFile): Promise<string[]> {
  const watching = await watchingImports(env, file.tenantId, "r2", [file.key, file.key]);
  const objectKey = inboxObjectKey(file.tenantId, file.key);
  return startRuns(
    env,
    file.tenantId,
    watching,
    file.key,
    file.eTag ? `${objectKey}#${file.eTag}` : objectKey,
  );
}

async function startRuns(
  env: Env,
  tenantId: string,
  watching: WatchingImport[],
  sourceKey: string,
  triggerKey: string,
): Promise<string[]> {
  const started: string[] = [];
  for (const row of watching) {
    const config = JSON.parse(row.config) as StoredImportConfig;
    if (config.source.type !== "upload" && config.source.type !== "r2") continue;
    const now = new Date();
    const id = newId("run", now.getTime());
    const inserted = await insertRun(env.CONFIG_DB, {
      id,
      tenantId,
      importId: row.id,
      trigger: "upload",
      startedBy: "upload",
      dryRun: false,
      config: JSON.stringify({ ...config, source: { ...config.source, key: sourceKey } }),
      now: now.toISOString(),
      triggerKey,
    });
    let runId: string | null = inserted ? id : null;
    if (!inserted) {
      // Deployed, the upload and its notification both announce a file within seconds; a run
      // queued for longer may have lost its hand-over to the queue (a second one is harmless).
      const existing = await env.CONFIG_DB.prepare(
        "SELECT id FROM runs WHERE import_id = ?1 AND trigger_key = ?2 AND status = 'queued' AND created_at < ?3",
      )
        .bind(row.id, triggerKey, new Date(now.getTime() - RESEND_AFTER_MS).toISOString())
        .first<{ id: string }>();
      runId = existing?.id ?? null;
    }
    if (runId === null) continue;
    await env[QUEUE_BINDINGS.runs].send({ runId } satisfies RunMessage);
    // With webhooks, the webhooks Worker watches the run until it ends and sends its event.
    if (inserted && (await tenantHasWebhooks(env.CONFIG_DB, tenantId))) {
      await env[QUEUE_BINDINGS.webhooks].send({ kind: "watch", runId, checks: 0 } satisfies WebhookMessage, {
        delaySeconds: 1,
      });
    }
    started.push(runId);
  }
  return started;
}

/**
 * An R2 object-create notification of the files bucket: an upload that arrived by any way
 * (the signed PUT, or straight into R2) starts the imports watching it, and so does a file put
 * straight into a tenant's inbox.
 */
/**
 * A file event's retries in its dead-letter queue: every 5 minutes (about 8 hours in all). Not
 * exported by the Worker's main module, whose exports must all be handlers.
 */
export const FILE_EVENT_LATE_RETRY_SECONDS = 300;

export async function handleFileEvent(env: Env, event: FileEventMessage): Promise<void> {
  if (event.bucket !== BUCKET.name || !OBJECT_CREATED.has(event.action)) return;
  const inbox = INBOX_OBJECT.exec(event.object.key);
  if (inbox?.[1] && inbox[2]) {
    await startInboxImports(env, { tenantId: inbox[1], key: inbox[2], eTag: event.object.eTag ?? null });
    return;
  }
  const match = UPLOAD_OBJECT.exec(event.object.key);
  const [, tenantId, uploadKey] = match ?? [];
  if (!tenantId || !uploadKey) return;
  const upload = await env.CONFIG_DB.prepare("SELECT filename FROM uploads WHERE key = ?1 AND tenant_id = ?2")
    .bind(uploadKey, tenantId)
    .first<{ filename: string }>();
  if (!upload) return;
  await startWatchingImports(env, {
    tenantId,
    uploadKey,
    filename: upload.filename,
    objectKey: event.object.key,
  });
}
