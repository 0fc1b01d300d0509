import { ImportFileError } from "./issue-codes";
import { unsafeHostReason } from "./network-guard";

const MAX_REDIRECTS = 5;

/** Headers that describe the request rather than authenticate it: they follow every redirect. */
const REQUEST_HEADERS = new Set(["range", "accept", "accept-encoding"]);

/**
 * Fetches a URL, following redirects by hand so that each hop passes the SSRF guard: the
 * literal check here, and `checkHost` (the run-time DNS check) for the host of every hop.
 * The source's own headers (credentials, often) go only to its URL's origin: a redirect to
 * another origin is sent without them, as browsers and curl do.
 */
export async function fetchPublic(
  url: string,
  headers: Record<string, string>,
  allowPrivate: boolean,
  /** Aborting it closes the connection (cancelling a body alone may let the runtime drain it). */
  signal?: AbortSignal,
  checkHost?: (host: string) => Promise<void>,
): Promise<Response> {
  const first = new URL(url);
  let current = first;
  const anywhere = Object.fromEntries(
    Object.entries(headers).filter(([name]) => REQUEST_HEADERS.has(name.toLowerCase())),
  );
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    await checkHost?.(current.hostname);
    const reason = allowPrivate ? null : unsafeHostReason(current.hostname);
    if (reason)
      throw new ImportFileError("source_refused", `The URL ${current.origin} cannot be used: ${reason}.`);
    let response: Response;
    try {
      response = await fetch(current, {
        headers: current.origin === first.origin ? headers : anywhere,
        redirect: "manual",
        signal,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ImportFileError("source_unreachable", `Could not reach ${current.host}: ${why}.`);
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current);
      continue;
    }
    if (response.status === 404 || response.status === 410) {
      throw new ImportFileError(
        "source_not_found",
        `${current.host} answered ${response.status}: no file at ${current.pathname}.`,
      );
    }
    if (!response.ok || !response.body) {
      throw new ImportFileError(
        "source_unreachable",
        `${current.host} answered ${response.status} ${response.statusText} for ${current.pathname}.`,
      );
    }
    return response;
  }
  const { origin, pathname } = new URL(url);
  throw new ImportFileError(
    "source_unreachable",
    `${origin}${pathname} redirected more than ${MAX_REDIRECTS} times.`,
  );
}
