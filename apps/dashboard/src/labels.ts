import { FORMATS_BY_TYPE } from "@cdp/core";

/** Words users see for the API's codes. */

export const TYPE_LABELS: Record<string, string> = {
  orders: "Orders",
  customers: "Customers",
  products: "Products",
};

export const TYPE_HINTS: Record<string, string> = {
  orders: "Historic and ongoing orders with their line items.",
  customers: "CRM customer records that become profiles.",
  products: "A product catalogue.",
};

export const FORMAT_LABELS: Record<string, string> = {
  velocidi_csv: "Velocidi CSV",
  shopify_csv: "Shopify orders export (CSV)",
  csv: "CSV",
  jsonl: "JSON lines",
  egoi_contacts: "E-goi contact list",
  google_rss: "Google Merchant feed (RSS)",
  google_atom: "Google Merchant feed (Atom)",
  google_tsv: "Google Merchant feed (TSV)",
};

export const SOURCE_LABELS: Record<string, string> = {
  upload: "Uploaded file",
  url: "URL",
  s3: "S3",
  sftp: "SFTP",
  r2: "Our R2 bucket",
  egoi: "E-goi",
};

export const TRIGGER_LABELS: Record<string, string> = {
  manual: "By hand",
  schedule: "Schedule",
  upload: "Upload",
};

export const label = (labels: Record<string, string>, code: string) => labels[code] ?? code;

export { FORMATS_BY_TYPE };

/** "2026-12-01 02:00 UTC": one unambiguous form on every page. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "1 min 5 s", "800 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const BYTE_UNITS = ["bytes", "KB", "MB", "GB", "TB"];

/** "1.2 MB" (powers of 1000, as file browsers show sizes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${BYTE_UNITS[unit]}`;
}

export const formatCount = (n: number) => n.toLocaleString("en-US");

const RELATIVE_UNITS: [limitSeconds: number, unitSeconds: number, name: string][] = [
  [3600, 60, "minute"],
  [86_400, 3600, "hour"],
  [45 * 86_400, 86_400, "day"],
];

/**
 * "3 hours ago", "in 2 days", "just now"; past 45 days the date itself. Pages put the exact
 * UTC time beside it (formatTime), as the hover text of a <time>.
 */
export function formatRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return "—";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - now.getTime()) / 1000);
  const size = Math.abs(seconds);
  if (size < 45) return "just now";
  for (const [limit, unit, name] of RELATIVE_UNITS) {
    if (size < limit) {
      const count = Math.max(1, Math.round(size / unit));
      const amount = `${count} ${name}${count === 1 ? "" : "s"}`;
      return seconds < 0 ? `${amount} ago` : `in ${amount}`;
    }
  }
  return `on ${new Date(then).toISOString().slice(0, 10)}`;
}

/** The first sentence of an error message: what the list has room for. */
export function firstSentence(text: string): string {
  const end = /[.!?](?=\s+[A-Z"“'(])/.exec(text);
  return end ? text.slice(0, end.index + 1) : text;
}

/** Who started a run, from the API's `startedBy`; nothing where the trigger says it already. */
export function startedByText(startedBy: string | undefined): string | null {
  if (!startedBy || startedBy === "schedule" || startedBy === "upload") return null;
  const [kind, prefix] = startedBy.split(":", 2);
  if (kind === "key" && prefix) return `API key ${prefix}…`;
  if (kind === "dashboard" && prefix) return `Dashboard, key ${prefix}…`;
  return startedBy;
}

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${formatCount(count)} ${count === 1 ? one : many}`;

/** "€1,234.50": an amount in its currency (a code Intl does not know shows as "1,234.50 XYZ"). */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
  }
}
