import { ImportFileError, unsafeHostReason } from "@cdp/core";

/** Answers the addresses a name resolves to (A and AAAA records). */
export type Resolver = (host: string) => Promise<string[]>;

const DOH_URL = "https://cloudflare-dns.com/dns-query";

/** Resolves a name over DNS-over-HTTPS (Workers have no resolver API of their own). */
export const resolveOverHttps: Resolver = async (host) => {
  const answers = await Promise.all(
    ["A", "AAAA"].map(async (type) => {
      const response = await fetch(`${DOH_URL}?name=${encodeURIComponent(host)}&type=${type}`, {
        headers: { accept: "application/dns-json" },
      });
      if (!response.ok) return [];
      const body = (await response.json()) as { Answer?: { type: number; data: string }[] };
      // 1 = A, 28 = AAAA; CNAME steps of the chain are skipped.
      return (body.Answer ?? []).filter((a) => a.type === 1 || a.type === 28).map((a) => a.data);
    }),
  );
  return answers.flat();
};

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
  const refuse = (reason: string) => {
    throw new ImportFileError(
      "source_refused",
      `The ${what} ${host} cannot be used: ${reason}. Sources must be reachable on the public internet.`,
    );
  };
  const literal = unsafeHostReason(host);
  if (literal) refuse(literal);
  const bare = host.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$/.test(bare) || bare.includes(":")) return;
  let addresses: string[];
  try {
    addresses = await resolve(bare);
  } catch {
    return;
  }
  for (const address of addresses) {
    const reason = unsafeHostReason(address);
    if (reason) refuse(`it resolves to ${address}, and ${reason}`);
  }
}
