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

export const STATUS_LABELS: Record<string, string> = {
  queued: "Queued",
  in_progress: "In progress",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const TRIGGER_LABELS: Record<string, string> = {
  manual: "Started by hand",
  schedule: "Scheduled",
  upload: "Started by an upload",
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
