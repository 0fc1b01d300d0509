/** A client of the public API, as users and scripts call it over HTTP. */
export class ApiClient {
  constructor(
    readonly base: URL,
    readonly key: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }> {
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const isJson = res.headers.get("content-type")?.includes("application/json");
    return { status: res.status, body: (isJson ? JSON.parse(text) : text) as T, text };
  }

  /** Uploads a file through a signed URL; returns the upload key. */
  async upload(filename: string, content: string | Uint8Array<ArrayBuffer>): Promise<string> {
    const created = await this.call<{ key: string; uploadUrl: string }>("POST", "/v1/uploads", { filename });
    if (created.status !== 201) throw new Error(`upload URL: ${created.status} ${created.text}`);
    const put = await fetch(created.body.uploadUrl, { method: "PUT", body: content });
    if (put.status !== 201) throw new Error(`upload PUT: ${put.status} ${await put.text()}`);
    return created.body.key;
  }

  async createImport(config: Record<string, unknown>): Promise<string> {
    const res = await this.call<{ id: string }>("POST", "/v1/imports", config);
    if (res.status !== 201) throw new Error(`create import: ${res.status} ${res.text}`);
    return res.body.id;
  }

  /** Starts a run and waits until it ends. */
  async run(importId: string, body: Record<string, unknown> = {}, timeoutMs = 90_000): Promise<RunView> {
    const started = await this.call<RunView>("POST", `/v1/imports/${importId}/runs`, body);
    if (started.status !== 202) throw new Error(`start run: ${started.status} ${started.text}`);
    return this.waitForRun(started.body.id, timeoutMs);
  }

  async waitForRun(runId: string, timeoutMs = 90_000): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.call<RunView>("GET", `/v1/runs/${runId}`);
      if (["completed", "failed", "cancelled"].includes(res.body.status)) return res.body;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} still ${res.body.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async issues(runId: string): Promise<IssueView[]> {
    const res = await this.call<{ items: IssueView[] }>("GET", `/v1/runs/${runId}/issues?limit=1000`);
    return res.body.items;
  }
}

export interface RunView {
  id: string;
  status: string;
  dryRun: boolean;
  progress: { bytesRead: number; bytesTotal: number };
  stats: {
    rowsRead: number;
    itemsRead: number;
    itemsValid: number;
    itemsInvalid: number;
    added: number;
    updated: number;
    unchanged: number;
  };
  error: { code: string; message: string } | null;
}

export interface IssueView {
  row: number;
  item: string | null;
  field: string | null;
  /** The file's column a transformation mapped onto `field`, when one did. */
  column?: string;
  code: string;
  severity: string;
  message: string;
  value: string | null;
}
