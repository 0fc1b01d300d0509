/**
 * SSRF guard for the hosts of url, s3 and sftp sources: private, loopback, link-local, metadata
 * and other non-public addresses are refused unless private sources are allowed (local work).
 * It judges literal addresses and well-known names; the Workers check again at run time, when
 * the name resolves.
 */
const BLOCKED_NAMES = new Set(["localhost", "metadata", "metadata.google.internal", "instance-data"]);
const BLOCKED_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa"];

function ipv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

function isBlockedIpv4([a = 0, b = 0]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/**
 * The eight 16-bit groups of an IPv6 address in any spelling (`::`, leading zeros, an IPv4
 * tail, a zone id), or null when it is not one.
 */
function ipv6(host: string): number[] | null {
  let text = host.replace(/%.*$/, "");
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] && dotted[2]) {
    const v4 = ipv4(dotted[2]);
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    tail.push((a << 8) | b, (c << 8) | d);
    text = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const zeros = new Array<number>(8 - given).fill(0);
  return [
    ...head.map((g) => Number.parseInt(g, 16)),
    ...zeros,
    ...rest.map((g) => Number.parseInt(g, 16)),
    ...tail,
  ];
}

function isBlockedIpv6(host: string): boolean {
  const g = ipv6(host.toLowerCase());
  if (!g) return true;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255];
  // ::, ::1, IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0 || g5 === 0xffff)) {
    return g5 === 0 && g6 === 0 && g7 <= 1 ? true : isBlockedIpv4(embedded(g6, g7));
  }
  // IPv4-translated (::ffff:0:a.b.c.d, SIIT) addresses carry one too.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return isBlockedIpv4(embedded(g6, g7));
  }
  // NAT64 (64:ff9b::/96 carries an IPv4 address; 64:ff9b:1::/48 is for local use).
  if (g0 === 0x64 && g1 === 0xff9b) {
    return g2 !== 0 || g3 !== 0 || g4 !== 0 || g5 !== 0 || isBlockedIpv4(embedded(g6, g7));
  }
  // 6to4 (2002::/16) carries an IPv4 address in its second and third groups.
  if (g0 === 0x2002) return isBlockedIpv4(embedded(g1, g2));
  // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8.
  return (g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0 || g0 >= 0xff00;
}

/** Why a host may not be a source, or null when it may. */
export function unsafeHostReason(rawHost: string): string | null {
  const host = rawHost
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (!host) return "the host is empty";
  if (BLOCKED_NAMES.has(host) || BLOCKED_SUFFIXES.some((s) => host.endsWith(s))) {
    return `'${rawHost}' is a local or internal name`;
  }
  const v4 = ipv4(host);
  if (v4)
    return isBlockedIpv4(v4) ? `${rawHost} is a private, loopback, link-local or reserved address` : null;
  if (host.includes(":"))
    return isBlockedIpv6(host) ? `${rawHost} is a private, loopback or link-local address` : null;
  // Decimal, octal or hex spellings of IPv4 addresses (http://2130706433/) are refused outright.
  if (/^(0x[0-9a-f]+|\d+)(\.(0x[0-9a-f]+|\d+))*$/.test(host))
    return `'${rawHost}' is an unusual spelling of an IP address`;
  return null;
}

/** The host a source connects to, for the guard; null for sources without one. */
export function sourceHost(source: {
  type: string;
  url?: string;
  endpoint?: string;
  host?: string;
}): string | null {
  if (source.type === "url" && source.url) return new URL(source.url).hostname;
  if (source.type === "s3" && source.endpoint) return new URL(source.endpoint).hostname;
  if (source.type === "sftp" && source.host) return source.host;
  return null;
}

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
 * The connection-time half of the guard: why a host may not be connected to now, judged on its
 * name and on what it resolves to (a name can be pointed at a private address after it was
 * saved), or null when it may. When the lookup itself fails the connection may go ahead: the
 * literal check still holds, and Workers cannot reach private networks anyway.
 */
export async function resolvedHostReason(
  host: string,
  resolve: Resolver = resolveOverHttps,
): Promise<string | null> {
  const literal = unsafeHostReason(host);
  if (literal) return literal;
  const bare = host.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$/.test(bare) || bare.includes(":")) return null;
  let addresses: string[];
  try {
    addresses = await resolve(bare);
  } catch {
    return null;
  }
  for (const address of addresses) {
    const reason = unsafeHostReason(address);
    if (reason) return `it resolves to ${address}, and ${reason}`;
  }
  return null;
}
