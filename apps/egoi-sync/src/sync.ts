import {
  type EgoiMessage,
  type Issue,
  loadKeyring,
  mapEgoiContact,
  openSource,
  QUEUE_BINDINGS,
  type SecretKeyring,
} from "@cdp/core";
import {
  chunkDone,
  failRun,
  getRun,
  markRunStarted,
  recordChunk,
  type StoredImportConfig,
  setRunPlan,
  writeCustomers,
} from "@cdp/store";

/** E-goi pages contacts by offset, at most 1000 at a time. */
export const PAGE_SIZE = 1000;
/** 5xx and 408 answers are retried this many times before the run fails. */
export const MAX_SERVER_ERROR_ATTEMPTS = 5;

/** What the consumer does with the message after a page. */
export type PageOutcome = { kind: "done" } | { kind: "retry"; delaySeconds: number };

let keyringCache: { source: string; keyring: Promise<SecretKeyring> } | undefined;
function keyring(env: Env): Promise<SecretKeyring> {
  if (keyringCache?.source !== env.SECRETS_KEYS) {
    keyringCache = { source: env.SECRETS_KEYS, keyring: loadKeyring(env.SECRETS_KEYS) };
  }
  return keyringCache.keyring;
}

class EgoiAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    what: string,
  ) {
    super(`E-goi answered ${status} for ${what}`);
  }
}

async function egoiGet<T>(env: Env, apiKey: string, path: string, what: string): Promise<T> {
  const base = (env.EGOI_API_BASE || "https://api.egoiapp.com").replace(/\/$/, "");
  const response = await fetch(`${base}${path}`, { headers: { Apikey: apiKey, accept: "application/json" } });
  if (!response.ok) {
    await response.body?.cancel();
    throw new EgoiAnswer(response.status, response.headers, what);
  }
  return (await response.json()) as T;
}

/** Seconds until E-goi lets us in again, from its rate-limit headers (it sends no Retry-After). */
function rateLimitDelay(headers: Headers): number {
  const window = Number(headers.get("x-ratelimit-reset"));
  const remaining = headers.get("x-account-remaining");
  const hourly = Number(headers.get("x-account-reset"));
  const seconds = remaining === "0" && hourly > 0 ? hourly : window > 0 ? window : 60;
  return Math.min(Math.max(1, Math.ceil(seconds)), 3600);
}

const nowIso = () => new Date().toISOString();

/**
 * One page of an E-goi contacts sync: fetch contacts [offset, offset + 1000), map them to
 * customer records, write them, record the page like a file chunk (so a redelivered page counts
 * nothing twice), and queue the next page. Rate limits wait for E-goi's reset and resume at the
 * same offset.
 */
export async function syncPage(env: Env, message: EgoiMessage, attempts: number): Promise<PageOutcome> {
  const run = await getRun(env.CONFIG_DB, null, message.runId);
  if (!run || !(run.status === "queued" || run.status === "in_progress")) return { kind: "done" };
  if (!(await markRunStarted(env.CONFIG_DB, run.id, nowIso()))) return { kind: "done" };
  const stored = JSON.parse(run.config) as StoredImportConfig;
  const source = await openSource(await keyring(env), stored.source);
  if (source.type !== "egoi") {
    await failRun(
      env.CONFIG_DB,
      run.id,
      { code: "invalid_config", message: "This run's source is not E-goi." },
      nowIso(),
    );
    return { kind: "done" };
  }
  const chunkNo = Math.floor(message.offset / PAGE_SIZE);
  const what = `contacts ${message.offset + 1}–${message.offset + PAGE_SIZE} of list ${source.listId}`;
  try {
    if (!(await chunkDone(env.CONFIG_DB, run.id, chunkNo))) {
      const accountId =
        message.accountId ??
        String(
          (
            await egoiGet<{ general_info?: { client_id?: unknown } }>(
              env,
              source.apiKey,
              "/my-account",
              "the account",
            )
          ).general_info?.client_id ?? "",
        );
      const page = await egoiGet<{ total_items: number; items: unknown[] }>(
        env,
        source.apiKey,
        `/lists/${source.listId}/contacts?offset=${message.offset}&limit=${PAGE_SIZE}`,
        what,
      );
      const pages = Math.ceil(page.total_items / PAGE_SIZE);
      await setRunPlan(env.CONFIG_DB, run.id, {
        fileKey: `egoi:list${source.listId}`,
        bytesTotal: 0,
        chunksTotal: pages,
      });
      if (pages === 0) {
        await completeEmptyRun(env, run.id);
        return { kind: "done" };
      }
      await importPage(env, { id: run.id, tenantId: run.tenantId, dryRun: run.dryRun }, chunkNo, page.items, {
        accountId,
        listId: source.listId,
        offset: message.offset,
      });
      if (message.offset + page.items.length < page.total_items && page.items.length > 0) {
        await env[QUEUE_BINDINGS.egoi].send({
          runId: run.id,
          offset: message.offset + PAGE_SIZE,
          accountId,
        } satisfies EgoiMessage);
      }
    } else {
      // A redelivery of a page already imported: make sure the next one is on its way.
      const current = await getRun(env.CONFIG_DB, null, run.id);
      if (
        current?.status === "in_progress" &&
        current.chunksTotal !== null &&
        chunkNo + 1 < current.chunksTotal
      ) {
        await env[QUEUE_BINDINGS.egoi].send({
          runId: run.id,
          offset: message.offset + PAGE_SIZE,
          accountId: message.accountId,
        } satisfies EgoiMessage);
      }
    }
    return { kind: "done" };
  } catch (err) {
    if (!(err instanceof EgoiAnswer)) throw err;
    if (err.status === 429) return { kind: "retry", delaySeconds: rateLimitDelay(err.headers) };
    if (err.status === 401 || err.status === 403) {
      await failRun(
        env.CONFIG_DB,
        run.id,
        {
          code: "source_refused",
          message:
            "The E-goi API key was refused: check that it is valid and may list contacts and read the account.",
        },
        nowIso(),
      );
      return { kind: "done" };
    }
    if ((err.status >= 500 || err.status === 408) && attempts < MAX_SERVER_ERROR_ATTEMPTS) {
      return { kind: "retry", delaySeconds: Math.min(2 ** attempts, 60) };
    }
    const hint = err.status === 404 ? ` List ${source.listId} may not exist.` : "";
    await failRun(
      env.CONFIG_DB,
      run.id,
      {
        code: "source_unreachable",
        message: `E-goi answered ${err.status} for ${what}${attempts > 1 ? ` after ${attempts} attempts` : ""}.${hint}`,
      },
      nowIso(),
    );
    return { kind: "done" };
  }
}

async function importPage(
  env: Env,
  run: { id: string; tenantId: string; dryRun: boolean },
  chunkNo: number,
  contacts: unknown[],
  ctx: { accountId: string; listId: number; offset: number },
): Promise<void> {
  const mapped = await Promise.all(
    contacts.map((contact, i) =>
      mapEgoiContact(contact, { accountId: ctx.accountId, listId: ctx.listId, row: ctx.offset + i + 1 }),
    ),
  );
  const records = mapped.flatMap((m) => (m.record ? [m.record] : []));
  const issues: Issue[] = mapped.flatMap((m) =>
    m.issues.map((issue) => (issue.item === null ? { ...issue, item: m.key } : issue)),
  );
  const counts = await writeCustomers(
    env.CDP_DB,
    { tenantId: run.tenantId, runId: run.id, dryRun: run.dryRun, now: nowIso(), mergeStrategy: "merge" },
    records,
  );
  await recordChunk(env.CONFIG_DB, {
    runId: run.id,
    chunkNo,
    bytesRead: 0,
    rowsRead: contacts.length,
    itemsRead: contacts.length,
    itemsValid: records.length,
    itemsInvalid: contacts.length - records.length,
    ...counts,
    issues,
    now: nowIso(),
  });
}

async function completeEmptyRun(env: Env, runId: string): Promise<void> {
  await env.CONFIG_DB.prepare(
    "UPDATE runs SET status = 'completed', finished_at = ?2 WHERE id = ?1 AND status = 'in_progress'",
  )
    .bind(runId, nowIso())
    .run();
}

export async function deadLetterPage(env: Env, message: EgoiMessage): Promise<void> {
  await failRun(
    env.CONFIG_DB,
    message.runId,
    {
      code: "chunk_failed",
      message: `The E-goi contacts from ${message.offset + 1} could not be imported after several attempts. Start the run again.`,
    },
    nowIso(),
  );
}
