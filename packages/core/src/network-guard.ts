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

function isBlockedIpv6(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "::" || h === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped?.[1]) {
    const v4 = ipv4(mapped[1]);
    return v4 ? isBlockedIpv4(v4) : true;
  }
  return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(h);
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
