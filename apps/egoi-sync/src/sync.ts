import { CdpStore } from "@cdp/cdp-store/client";
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
  chunkItemsRead,
  failRun,
  getRun,
  getTenant,
  markRunStarted,
  recordChunk,
  type StoredImportConfig,
  setRunPlan,
  touchRuns,
} from "@cdp/store";

/** E-goi pages contacts by offset, at most 1000 at a time. */
export const PAGE_SIZE = 1000;
/** 5xx and 408 answers, and requests that get no answer, are tried this many times before the run fails. */
export const MAX_SERVER_ERROR_ATTEMPTS = 5;
/**
 * A page waits out E-goi's rate limit at most this many times, and this long in total (a day: the
 * hourly account limit resets many times over), before the run fails. Waits are new queue
 * messages, so they never use up the queue's retries (which are for errors).
 */
export const MAX_RATE_LIMIT_WAITS = 500;
export const MAX_RATE_LIMIT_WAIT_SECONDS = 24 * 3600;

/** What the consumer does with the message after a page. */
export type PageOutcome = { kind: "done" } | { kind: "retry"; delaySeconds: number };

let keyringCache: { source: string; keyring: Promise<SecretKeyring> } | undefined;
function keyring(env: Env): Promise<SecretKeyring> {
  if (keyringCache?.source !== env.SECRETS_KEYS) {
    keyringCache = { source: env.SECRETS_KEYS, keyring: loadKeyring(env.SECRETS_KEYS) };
  }
  return keyringCache.keyring;
}

/** E-goi answered with an error, or (status 0) did not answer at all. */
class EgoiAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    what: string,
  ) {
    super(status === 0 ? `E-goi did not answer for ${what}` : `E-goi answered ${status} for ${what}`);
  }
}

async function egoiGet<T>(env: Env, apiKey: string, path: string, what: string): Promise<T> {
  const base = (env.EGOI_API_BASE || "https://api.egoiapp.com").replace(/\/$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { headers: { Apikey: apiKey, accept: "application/json" } });
  } catch {
    // A network failure counts like a 5xx: the same small budget, not the queue's retries.
    throw new EgoiAnswer(0, new Headers(), what);
  }
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

/**
 * The account id of /my-account (`general_info.client_id`), or null when it has none that can
 * name attributes (`egoi.account<ID>.list<LIST>.…`): missing, empty, or not a plain id.
 */
function accountIdOf(account: { general_info?: { client_id?: unknown } } | null): string | null {
  const raw = account?.general_info?.client_id;
  const id =
    typeof raw === "string"
      ? raw.trim()
      : typeof raw === "number" && Number.isSafeInteger(raw)
        ? String(raw)
        : "";
  return /^[A-Za-z0-9_-]+$/.test(id) ? id : null;
}

/** "40 minutes", "23.5 hours": how long a run waited, for its error message. */
function duration(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} minutes`;
  return `${Math.round(seconds / 360) / 10} hours`;
}

const nowIso = () => new Date().toISOString();

/**
 * One page of an E-goi contacts sync: fetch up to 1000 contacts from `offset`, map them to
 * customer records, write them, record the page like a file chunk (so a redelivered page counts
 * nothing twice), and queue the next page at the offset after the contacts E-goi actually
 * returned. Rate limits wait for E-goi's reset in a new message and resume at the same offset.
 */
export async function syncPage(env: Env, message: EgoiMessage, attempts: number): Promise<PageOutcome> {
  const run = await getRun(env.CONFIG_DB, null, message.runId);
  if (!run || !(run.status === "queued" || run.status === "in_progress")) return { kind: "done" };
  if (!(await markRunStarted(env.CONFIG_DB, run.id, nowIso()))) return { kind: "done" };
  const stored = JSON.parse(run.config) as StoredImportConfig;
  const source = await openSource(await keyring(env), stored.source, run.tenantId);
  if (source.type !== "egoi") {
    await failRun(
      env.CONFIG_DB,
      run.id,
      { code: "invalid_config", message: "This run's source is not E-goi." },
      nowIso(),
    );
    return { kind: "done" };
  }
  // Messages from before pages were numbered always had offsets that are multiples of 1000.
  const chunkNo = message.page ?? Math.floor(message.offset / PAGE_SIZE);
  const what = `contacts ${message.offset + 1}–${message.offset + PAGE_SIZE} of list ${source.listId}`;
  const queue = env[QUEUE_BINDINGS.egoi];
  try {
    // The contacts the page already read (0 for an empty last page), or null when it is not recorded.
    const done = await chunkItemsRead(env.CONFIG_DB, run.id, chunkNo);
    if (done === null) {
      let accountId = message.accountId || null;
      if (!accountId) {
        accountId = accountIdOf(await egoiGet(env, source.apiKey, "/my-account", "the account"));
        if (!accountId) {
          await failRun(
            env.CONFIG_DB,
            run.id,
            {
              code: "source_unreachable",
              message:
                "E-goi's account information (GET /my-account) has no account id (general_info.client_id), which names the imported attributes (egoi.account<ID>.list<LIST>.…). Nothing was imported: check that the API key may read the account.",
            },
            nowIso(),
          );
          return { kind: "done" };
        }
      }
      const page = await egoiGet<{ total_items: number; items: unknown[] }>(
        env,
        source.apiKey,
        `/lists/${source.listId}/contacts?offset=${message.offset}&limit=${PAGE_SIZE}`,
        what,
      );
      const items = Array.isArray(page.items) ? page.items : [];
      const total = Number(page.total_items) || 0;
      const nextOffset = message.offset + items.length;
      const more = items.length > 0 && nextOffset < total;
      const empty = chunkNo === 0 && items.length === 0;
      // The pages still to come, at the size E-goi gives (which may be less than asked for): the
      // run completes when the last page is recorded, and never before.
      const pagesLeft = more ? Math.ceil((total - nextOffset) / items.length) : 0;
      await setRunPlan(env.CONFIG_DB, run.id, {
        fileKey: `egoi:list${source.listId}`,
        bytesTotal: 0,
        chunksTotal: empty ? 0 : chunkNo + 1 + pagesLeft,
      });
      if (empty) {
        await completeEmptyRun(env, run.id);
        return { kind: "done" };
      }
      await importPage(env, { id: run.id, tenantId: run.tenantId, dryRun: run.dryRun }, chunkNo, items, {
        accountId,
        listId: source.listId,
        offset: message.offset,
      });
      if (more) {
        await queue.send({
          runId: run.id,
          offset: nextOffset,
          page: chunkNo + 1,
          accountId,
        } satisfies EgoiMessage);
      }
    } else {
      // A redelivery of a page already imported: make sure the next one is on its way.
      const current = await getRun(env.CONFIG_DB, null, run.id);
      if (
        done > 0 &&
        current?.status === "in_progress" &&
        current.chunksTotal !== null &&
        chunkNo + 1 < current.chunksTotal
      ) {
        await queue.send({
          runId: run.id,
          offset: message.offset + done,
          page: chunkNo + 1,
          accountId: message.accountId,
        } satisfies EgoiMessage);
      }
    }
    return { kind: "done" };
  } catch (err) {
    if (!(err instanceof EgoiAnswer)) throw err;
    // This delivery's server errors: those carried over from earlier messages of the page, and
    // the queue's retries of this one (which only server errors, and failures, ask for).
    const serverErrors = (message.serverErrors ?? 0) + attempts - 1;
    if (err.status === 429) {
      const delaySeconds = rateLimitDelay(err.headers);
      const waits = (message.rateLimited ?? 0) + 1;
      const waited = (message.rateLimitedSeconds ?? 0) + delaySeconds;
      if (waits > MAX_RATE_LIMIT_WAITS || waited > MAX_RATE_LIMIT_WAIT_SECONDS) {
        await failRun(
          env.CONFIG_DB,
          run.id,
          {
            code: "source_unreachable",
            message: `E-goi's rate limit (429 Too Many Requests) kept refusing ${what}: the sync waited ${waits - 1} times, ${duration(message.rateLimitedSeconds ?? 0)} in total, and stopped. Start the run again later, or ask E-goi for a higher API limit.`,
          },
          nowIso(),
        );
        return { kind: "done" };
      }
      // A new message rather than a retry: waiting for E-goi is no failure of the page.
      await queue.send(
        {
          ...message,
          rateLimited: waits,
          rateLimitedSeconds: waited,
          serverErrors,
        } satisfies EgoiMessage,
        { delaySeconds },
      );
      // Alive while it waits: the stalled-run check must not start the run over meanwhile.
      await touchRuns(env.CONFIG_DB, [run.id], new Date(Date.now() + delaySeconds * 1000).toISOString());
      return { kind: "done" };
    }
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
    const tries = serverErrors + 1;
    if ((err.status === 0 || err.status >= 500 || err.status === 408) && tries < MAX_SERVER_ERROR_ATTEMPTS) {
      return { kind: "retry", delaySeconds: Math.min(2 ** tries, 60) };
    }
    const hint = err.status === 404 ? ` List ${source.listId} may not exist.` : "";
    await failRun(
      env.CONFIG_DB,
      run.id,
      {
        code: "source_unreachable",
        message: `${err.message}${tries > 1 ? ` after ${tries} attempts` : ""}.${hint}`,
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
  const tenant = await getTenant(env.CONFIG_DB, run.tenantId);
  if (!tenant) throw new Error(`run ${run.id}: its tenant ${run.tenantId} no longer exists`);
  const store = new CdpStore(env.CDP_SHARDS, tenant);
  const counts = await store.writeCustomers(
    { runId: run.id, dryRun: run.dryRun, now: nowIso() },
    "merge",
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
