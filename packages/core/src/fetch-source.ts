import { ImportFileError } from "./issue-codes";
import { unsafeHostReason } from "./network-guard";

const MAX_REDIRECTS = 5;

/** Fetches a URL, following redirects by hand so that each hop passes the SSRF guard. */
export async function fetchPublic(
  url: string,
  headers: Record<string, string>,
  allowPrivate: boolean,
  /** Aborting it closes the connection (cancelling a body alone may let the runtime drain it). */
  signal?: AbortSignal,
): Promise<Response> {
  let current = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const reason = allowPrivate ? null : unsafeHostReason(current.hostname);
    if (reason)
      throw new ImportFileError("source_refused", `The URL ${current.origin} cannot be used: ${reason}.`);
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: "manual", signal });
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
  throw new ImportFileError("source_unreachable", `${url} redirected more than ${MAX_REDIRECTS} times.`);
}
