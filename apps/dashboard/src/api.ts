import type { Issue, IssueSeverity, Order, Run, RunStats, UserId } from "@cdp/core";

/** The API Worker behind the service binding; requests to it never leave Cloudflare. */
export const API_BASE = "https://api.internal";

/** What the dashboard needs of a Fetcher: tests hand it a fake API. */
export interface ApiBinding {
  fetch(request: Request): Promise<Response>;
}

export interface ApiSuccess<T> {
  ok: true;
  status: number;
  body: T;
}

export interface ApiFailure {
  ok: false;
  status: number;
  code: string;
  /** The API's own sentence, shown to the user as it is. */
  message: string;
  details?: unknown;
}

export type ApiResult<T> = ApiSuccess<T> | ApiFailure;

/** An import as GET /v1/imports answers it (the parts the dashboard shows). */
export interface ImportView {
  id: string;
  name: string;
  type: string;
  format: string;
  source: { type: string } & Record<string, unknown>;
  options: Record<string, unknown>;
  transformations: unknown[];
  schedule: {
    everyDays: number;
    startAt: string;
    enabled: boolean;
    nextRunAt: string | null;
    lastRunAt: string | null;
    lastRunStatus: string | null;
    consecutiveFailures?: number;
    lastSkippedSlot?: string | null;
    lastSkippedReason?: string | null;
  } | null;
  lastRun: LastRunView | null;
  createdAt: string;
  updatedAt: string;
}

/** An import's latest run as the list of imports gives it. */
export interface LastRunView {
  id: string;
  status: Run["status"];
  trigger?: Run["trigger"];
  dryRun?: boolean;
  stats?: RunStats;
  error?: Run["error"];
  createdAt: string;
  startedAt?: string | null;
  finishedAt: string | null;
}

/** A run; `startedBy` (key:<prefix>, dashboard:<prefix>, schedule, upload) where the API gives it. */
export type RunView = Run & { startedBy?: string };
/** An issue; `column` is the file's own column where a rename mapped it onto `field`. */
export type IssueView = Issue & { column?: string };

/** Which issues of a run to list. */
export interface IssueFilter {
  severity?: IssueSeverity;
  code?: string;
  field?: string;
}

/** A run's stored issues counted by code (with severity) and by field. */
export interface IssueSummaryView {
  total: number;
  stored: number;
  codes: { code: string; severity: IssueSeverity; count: number }[];
  fields: { field: string; count: number }[];
}

export type RunItemType = "orders" | "products" | "profiles";

/** An item a run added or updated: an order's or product's id, or a profile's with its ids. */
export interface RunItemView {
  id: string;
  ids?: { type: string; value: string }[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface IssuePage extends Page<IssueView> {
  total: number;
  /** Stored issues that match the filter asked for. */
  matching?: number;
}

export interface UploadGrant {
  key: string;
  uploadUrl: string;
  method: "PUT";
  expiresAt: string;
}

/** A customer profile as GET /v1/profiles/{idType}/{idValue} answers it. */
export interface ProfileView {
  id: string;
  ids: UserId[];
  attributes: Record<string, unknown>;
  /** The run that last changed each attribute. */
  attributeRuns: Record<string, string>;
  orders: {
    count: number;
    revenue: Record<string, number>;
    firstOrderAt: string | null;
    lastOrderAt: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

/** An order with its line items. */
export type OrderView = Order;

/** What DELETE /v1/profiles/{idType}/{idValue} deleted. */
export interface ErasedView {
  deleted: { profiles: number; ids: number; orders: number; lineItems: number };
}

export interface PreviewView {
  columns: string[];
  items: unknown[];
  issues: IssueView[];
}

/** One tenant's view of the API, with the key of the signed-in session. */
export class TenantApi {
  constructor(
    private readonly binding: ApiBinding,
    private readonly apiKey: string,
  ) {}

  /** The raw response, for downloads passed through as they are. */
  raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers = new Headers({ authorization: `Bearer ${this.apiKey}`, accept: "application/json" });
    if (body !== undefined) headers.set("content-type", "application/json");
    return this.binding.fetch(
      new Request(new URL(path, API_BASE), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await this.raw(method, path, body);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        status: 502,
        code: "api_unreachable",
        message: `The API could not be reached: ${reason}`,
      };
    }
    return readResult<T>(response);
  }

  listImports = (limit = 100) => this.call<Page<ImportView>>("GET", `/v1/imports?limit=${limit}`);
  getImport = (id: string) => this.call<ImportView>("GET", `/v1/imports/${encodeURIComponent(id)}`);
  deleteImport = (id: string) => this.call<null>("DELETE", `/v1/imports/${encodeURIComponent(id)}`);
  startRun = (importId: string, dryRun: boolean) =>
    this.call<RunView>("POST", `/v1/imports/${encodeURIComponent(importId)}/runs`, { dryRun });
  /** A new run of a run's import with that run's own configuration (a dry run's real run). */
  cloneRun = (runId: string, dryRun: boolean) =>
    this.call<RunView>("POST", `/v1/runs/${encodeURIComponent(runId)}/clone`, { dryRun });
  getRun = (id: string) => this.call<RunView>("GET", `/v1/runs/${encodeURIComponent(id)}`);
  cancelRun = (id: string) => this.call<RunView>("POST", `/v1/runs/${encodeURIComponent(id)}/cancel`);
  /** A page of an import's runs, newest first. */
  listRuns = (importId: string, limit: number, cursor?: string) =>
    this.call<Page<RunView>>(
      "GET",
      `/v1/imports/${encodeURIComponent(importId)}/runs${query({ limit: String(limit), cursor })}`,
    );
  listIssues = (runId: string, limit: number, cursor?: string, filter: IssueFilter = {}) =>
    this.call<IssuePage>(
      "GET",
      `/v1/runs/${encodeURIComponent(runId)}/issues${query({ limit: String(limit), cursor, ...filter })}`,
    );
  issueSummary = (runId: string) =>
    this.call<IssueSummaryView>("GET", `/v1/runs/${encodeURIComponent(runId)}/issues/summary`);
  getProfile = (idType: string, idValue: string) =>
    this.call<ProfileView>("GET", profilePath(idType, idValue));
  /** A page of a profile's orders, newest first, with their line items. */
  listProfileOrders = (idType: string, idValue: string, limit: number, cursor?: string) =>
    this.call<Page<OrderView>>(
      "GET",
      `${profilePath(idType, idValue)}/orders${query({ limit: String(limit), cursor })}`,
    );
  deleteProfile = (idType: string, idValue: string) =>
    this.call<ErasedView>("DELETE", profilePath(idType, idValue));
  /** A page of what a run added or updated: its orders, products or profiles. */
  listRunItems = (runId: string, type: RunItemType, limit: number, cursor?: string) =>
    this.call<Page<RunItemView>>(
      "GET",
      `/v1/runs/${encodeURIComponent(runId)}/items${query({ type, limit: String(limit), cursor })}`,
    );
  getOrder = (orderId: string) => this.call<OrderView>("GET", `/v1/orders/${encodeURIComponent(orderId)}`);
  listInboxKeys = () => this.call<{ items: InboxKeyView[] }>("GET", "/v1/inbox/keys");
  createInboxKey = (description: string | undefined) =>
    this.call<InboxKeyCreated>("POST", "/v1/inbox/keys", description ? { description } : {});
  revokeInboxKey = (accessKeyId: string) =>
    this.call<null>("DELETE", `/v1/inbox/keys/${encodeURIComponent(accessKeyId)}`);
  listInboxFiles = (limit: number) => this.call<InboxFilePage>("GET", `/v1/inbox/files?limit=${limit}`);
}

/** The API's path of a profile by one of its ids. */
export const profilePath = (idType: string, idValue: string) =>
  `/v1/profiles/${encodeURIComponent(idType)}/${encodeURIComponent(idValue)}`;

/** "?a=1&b=2" of the values given (undefined and empty ones left out). */
function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** An inbox key as GET /v1/inbox/keys lists it. */
export interface InboxKeyView {
  accessKeyId: string;
  description: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A new inbox key: its secret is in this answer only. */
export interface InboxKeyCreated extends Omit<InboxKeyView, "lastUsedAt"> {
  secretAccessKey: string;
  endpoint: string;
  bucket: string;
  region: string;
}

export interface InboxFileView {
  key: string;
  size: number;
  uploadedAt: string;
  runs: {
    id: string;
    importId: string;
    importName: string;
    status: string;
    itemsInvalid: number;
    createdAt: string;
  }[];
}

export interface InboxFilePage {
  items: InboxFileView[];
  scanned: number;
  complete: boolean;
}

async function readResult<T>(response: Response): Promise<ApiResult<T>> {
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (response.ok) {
    if (body === undefined) {
      return {
        ok: false,
        status: 502,
        code: "bad_api_response",
        message: `The API answered ${response.status} with a body that is not JSON.`,
      };
    }
    return { ok: true, status: response.status, body: body as T };
  }
  const error = isErrorBody(body) ? body.error : undefined;
  return {
    ok: false,
    status: response.status,
    code: error?.code ?? `http_${response.status}`,
    message: error?.message ?? `The API answered ${response.status} ${response.statusText}`.trim(),
    details: error?.details,
  };
}

function isErrorBody(body: unknown): body is { error: { code: string; message: string; details?: unknown } } {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = body.error;
  return (
    typeof error === "object" &&
    error !== null &&
    "message" in error &&
    typeof error.message === "string" &&
    "code" in error &&
    typeof error.code === "string"
  );
}
