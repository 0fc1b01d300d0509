import { BUCKET, type FileEventMessage, newId, QUEUE_BINDINGS, type RunMessage } from "@cdp/core";
import { insertRun, type StoredImportConfig } from "@cdp/store";

/** R2 event notification actions that mean a new object is there. */
const OBJECT_CREATED = new Set(["PutObject", "CopyObject", "CompleteMultipartUpload"]);

/** How long a run may wait in the queue before a new announcement of its file hands it over again. */
const RESEND_AFTER_MS = 60_000;

/** `tenants/<tenant>/uploads/<upload key>`: where uploadObjectKey puts uploads. */
const UPLOAD_OBJECT = /^tenants\/([^/]+)\/uploads\/(.+)$/;

export interface ArrivedFile {
  tenantId: string;
  /** The upload's key (as in an upload source). */
  uploadKey: string;
  /** The name given to POST /v1/uploads, which watch prefixes are matched against. */
  filename: string;
  /** The R2 object: it starts each watching import once, however often it is announced. */
  objectKey: string;
}

interface WatchingImport {
  id: string;
  config: string;
}

/**
 * Starts a run (trigger `upload`) of each import of the tenant whose upload source watches a
 * prefix of the arrived file's name (or key). The run reads the arrived file. Announcing the
 * same file again starts nothing new: the run is keyed by the object, and a run still queued
 * after a while is handed to the queue again in case the first hand-over was lost.
 */
export async function startWatchingImports(env: Env, file: ArrivedFile): Promise<string[]> {
  const watching = await env.CONFIG_DB.prepare(
    `SELECT id, config FROM imports
     WHERE tenant_id = ?1 AND deleted_at IS NULL AND watch_prefix IS NOT NULL
       AND (substr(?2, 1, length(watch_prefix)) = watch_prefix OR substr(?3, 1, length(watch_prefix)) = watch_prefix)
     ORDER BY id`,
  )
    .bind(file.tenantId, file.filename, file.uploadKey)
    .all<WatchingImport>();
  const started: string[] = [];
  for (const row of watching.results) {
    const config = JSON.parse(row.config) as StoredImportConfig;
    if (config.source.type !== "upload") continue;
    const now = new Date();
    const id = newId("run", now.getTime());
    const inserted = await insertRun(env.CONFIG_DB, {
      id,
      tenantId: file.tenantId,
      importId: row.id,
      trigger: "upload",
      dryRun: false,
      config: JSON.stringify({ ...config, source: { ...config.source, key: file.uploadKey } }),
      now: now.toISOString(),
      triggerKey: file.objectKey,
    });
    let runId: string | null = inserted ? id : null;
    if (!inserted) {
      // Deployed, the upload and its notification both announce a file within seconds; a run
      // queued for longer may have lost its hand-over to the queue (a second one is harmless).
      const existing = await env.CONFIG_DB.prepare(
        "SELECT id FROM runs WHERE import_id = ?1 AND trigger_key = ?2 AND status = 'queued' AND created_at < ?3",
      )
        .bind(row.id, file.objectKey, new Date(now.getTime() - RESEND_AFTER_MS).toISOString())
        .first<{ id: string }>();
      runId = existing?.id ?? null;
    }
    if (runId === null) continue;
    await env[QUEUE_BINDINGS.runs].send({ runId } satisfies RunMessage);
    started.push(runId);
  }
  return started;
}

/**
 * An R2 object-create notification of the files bucket: an upload that arrived by any way
 * (the signed PUT, or straight into R2) starts the imports watching it.
 */
export async function handleFileEvent(env: Env, event: FileEventMessage): Promise<void> {
  if (event.bucket !== BUCKET.name || !OBJECT_CREATED.has(event.action)) return;
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
