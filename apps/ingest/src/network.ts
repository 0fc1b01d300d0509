import { ImportFileError, type Resolver, resolvedHostReason, resolveOverHttps } from "@cdp/core";

/**
 * The run-time half of the SSRF guard for the hosts of url, s3 and sftp sources: config-api
 * judged the name when the import was saved, but what a name resolves to can change since.
 * A name that now resolves to a private, loopback, link-local or metadata address fails the
 * run. When the lookup itself fails the connection goes ahead: the literal check still holds,
 * and Workers cannot reach private networks anyway.
 */
export async function guardHost(
  host: string,
  what: string,
  allowPrivate: boolean,
  resolve: Resolver = resolveOverHttps,
): Promise<void> {
  if (allowPrivate) return;
  const reason = await resolvedHostReason(host, resolve);
  if (reason) {
    throw new ImportFileError(
      "source_refused",
      `The ${what} ${host} cannot be used: ${reason}. Sources must be reachable on the public internet.`,
    );
  }
}
