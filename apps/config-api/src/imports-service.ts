import {
  FORMATS_BY_TYPE,
  ImportConfigInput,
  keepMaskedSecrets,
  maskSource,
  nextSlot,
  type Source,
  sealedSecretPaths,
  sealSource,
  sourceHost,
  unsafeHostReason,
} from "@cdp/core";
import { getImport, type ImportRecord, type StoredImportConfig, uploadBelongsTo } from "@cdp/store";
import type { z } from "zod";
import type { Services } from "./app";
import { ApiError } from "./errors";
import { fieldErrors, requestError } from "./strict";

/** The answer to an import id that is not one of the tenant's. */
export const importNotFound = (id: string) => new ApiError("not_found", `No import '${id}'.`);

/** Parses an import config; an unknown format names the formats of the type. */
export function parseImportConfig(body: unknown): ImportConfigInput {
  const parsed = ImportConfigInput.safeParse(body);
  if (parsed.success) return parsed.data;
  throw configError(parsed.error, body);
}

/**
 * The 400 of an import configuration that is not valid: an unknown field first (unknown_field),
 * then an unknown format (naming the formats of the type), else each bad field.
 */
export function configError(error: z.ZodError, body: unknown): ApiError {
  const details = fieldErrors(error, ImportConfigInput, body);
  const formatIssue = error.issues.find((issue) => issue.path[0] === "format");
  const type = (body as { type?: unknown } | null)?.type;
  if (formatIssue && typeof type === "string" && type in FORMATS_BY_TYPE) {
    const formats = FORMATS_BY_TYPE[type as keyof typeof FORMATS_BY_TYPE];
    const format = (body as { format?: unknown }).format;
    return requestError(details, {
      code: "unknown_format",
      message: `'${String(format)}' is not a format of ${type} imports. The formats are: ${formats.join(", ")}.`,
    });
  }
  return requestError(details, {
    code: "validation_failed",
    message: "The import configuration is not valid: see details for each field.",
  });
}

/**
 * A source as sent in a request: a secret in its stored, encrypted form is refused (only the
 * stored record holds those; accepting one would decrypt it for the sender).
 */
export function refuseSealedSecrets(source: Source): void {
  const paths = sealedSecretPaths(source);
  if (paths.length === 0) return;
  throw new ApiError(
    "validation_failed",
    "A secret was sent in its stored, encrypted form: send the secret itself, or *** to keep the stored one (PATCH).",
    paths.map((path) => ({ path, message: "an encrypted value cannot be sent" })),
  );
}

/**
 * A PATCH's source with each "***" replaced by the stored secret. A secret that would go to
 * another place (host, endpoint, user name) than the one it was given for must be sent again.
 */
export function withStoredSecrets(sent: Source, stored: Source): Source {
  refuseSealedSecrets(sent);
  const { source, unkept } = keepMaskedSecrets(sent, stored);
  if (unkept.length === 0) return source;
  throw new ApiError(
    "validation_failed",
    "The source now points to another host, endpoint, user name or type than its stored secrets were given for: send those secrets again instead of ***.",
    unkept.map((path) => ({
      path,
      message: "send the secret again: *** keeps it only for the same destination",
    })),
  );
}

/**
 * The source to read: as sent (a sealed secret refused), or for an import being edited, with its
 * stored secrets in place of each "***" under the rule of a PATCH.
 */
export async function sourceToRead(
  services: Services,
  tenantId: string,
  source: Source,
  importId: string | undefined,
): Promise<Source> {
  if (importId === undefined) {
    refuseSealedSecrets(source);
    return source;
  }
  const stored = await getImport(services.db, tenantId, importId);
  if (!stored) throw importNotFound(importId);
  return withStoredSecrets(source, stored.config.source);
}

/**
 * What cannot be seen in the config's shape alone: an upload key must be the tenant's, and a
 * source host must be public (unless local work allows private sources).
 */
export async function checkSource(
  source: Source,
  context: { services: Services; tenantId: string; allowPrivate: boolean },
): Promise<void> {
  if (
    source.type === "upload" &&
    !(await uploadBelongsTo(context.services.db, context.tenantId, source.key))
  ) {
    throw new ApiError(
      "upload_not_found",
      `No upload with key '${source.key}': create one with POST /v1/uploads first.`,
      [{ path: "source.key", message: "unknown upload key" }],
    );
  }
  const host = sourceHost(source);
  const reason = host && !context.allowPrivate ? unsafeHostReason(host) : null;
  if (reason) {
    throw new ApiError(
      "unsafe_source",
      `This source cannot be used: ${reason}. Sources must be reachable on the public internet.`,
      [
        {
          path:
            source.type === "sftp" ? "source.host" : source.type === "s3" ? "source.endpoint" : "source.url",
          message: reason,
        },
      ],
    );
  }
}

export async function sealConfig(
  services: Services,
  config: ImportConfigInput,
  tenantId: string,
): Promise<StoredImportConfig> {
  return { ...config, source: await sealSource(await services.keyring(), config.source, tenantId) };
}

/**
 * An SFTP source shows the host key its runs trust: the pinned one, or else the one recorded
 * on first use (sending it back in a PATCH pins it).
 */
function withRecordedHostKey(source: Source, recorded: string | null): Source {
  if (source.type !== "sftp" || source.hostKeySha256 || !recorded) return source;
  return { ...source, hostKeySha256: recorded };
}

/** The import as users see it: secrets masked, the schedule with its status. */
export async function presentImport(record: ImportRecord, now: Date) {
  const { config } = record;
  const lastRun = record.lastRun;
  return {
    id: record.id,
    name: config.name,
    type: config.type,
    format: config.format,
    source: await maskSource(withRecordedHostKey(config.source, record.hostKeySha256)),
    options: config.options,
    transformations: config.transformations,
    schedule: config.schedule
      ? {
          ...config.schedule,
          nextRunAt: config.schedule.enabled ? nextSlot(config.schedule, now).toISOString() : null,
          lastRunAt: lastRun?.createdAt ?? null,
          lastRunStatus: lastRun?.status ?? null,
          consecutiveFailures: record.consecutiveFailures,
          lastSkippedSlot: record.lastSkippedSlot,
          lastSkippedReason: record.lastSkippedReason,
        }
      : null,
    lastRun,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
