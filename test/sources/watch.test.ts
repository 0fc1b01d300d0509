import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type RunView } from "../support/client";
import { velocidiFile } from "../support/files";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
let api: ApiClient;
let other: ApiClient;

beforeAll(async () => {
  stack = await startStack();
  await stack.createTenant("acme", "key_acme");
  await stack.createTenant("globex", "key_globex");
  api = new ApiClient(stack.url, "key_acme");
  other = new ApiClient(stack.url, "key_globex");
});
afterAll(async () => {
  await stack?.close();
});

interface RunItem extends RunView {
  trigger: string;
}

async function runsOf(client: ApiClient, importId: string): Promise<RunItem[]> {
  const res = await client.call<{ items: RunItem[] }>("GET", `/v1/imports/${importId}/runs`);
  return res.body.items;
}

/** A signed upload URL, and a PUT to it. */
async function putUpload(client: ApiClient, filename: string, content: string) {
  const created = await client.call<{ key: string; uploadUrl: string }>("POST", "/v1/uploads", { filename });
  const put = async (status = 201) => {
    const res = await fetch(created.body.uploadUrl, { method: "PUT", body: content });
    expect(res.status).toBe(status);
  };
  await put();
  // An upload URL stores one file: a second PUT is refused (409) and starts nothing.
  return { key: created.body.key, putAgain: () => put(409) };
}

describe("imports that start when a file arrives", () => {
  it("start a run of the arrived file when an upload's name falls under the watched prefix", async () => {
    const template = await api.upload("daily/template.csv", velocidiFile(1));
    const importId = await api.createImport({
      name: "Daily orders",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key: template, watchPrefix: "daily/" },
    });
    expect(await runsOf(api, importId)).toEqual([]);

    const arrived = await putUpload(api, "daily/orders-2026-11-20.csv", velocidiFile(7));
    const [run] = await runsOf(api, importId);
    expect(run?.trigger).toBe("upload");
    const done = await api.waitForRun(run?.id ?? "");
    expect(done.error).toBeNull();
    // The arrived file was imported, not the one the import was created with.
    expect(done.stats).toMatchObject({ itemsRead: 7, itemsValid: 7, added: 7 });

    // The same URL used again (refused, 409) starts nothing new.
    await arrived.putAgain();
    expect(await runsOf(api, importId)).toHaveLength(1);

    // Outside the prefix, or another tenant's upload under it: nothing starts.
    await putUpload(api, "weekly/orders.csv", velocidiFile(2));
    await putUpload(other, "daily/orders.csv", velocidiFile(2));
    expect(await runsOf(api, importId)).toHaveLength(1);

    // The next file under the prefix is a run of its own.
    await putUpload(api, "daily/orders-2026-11-21.csv", velocidiFile(3));
    const runs = await runsOf(api, importId);
    expect(runs.map((r) => r.trigger)).toEqual(["upload", "upload"]);
    const second = await api.waitForRun(runs[0]?.id ?? "");
    expect(second.stats).toMatchObject({ itemsRead: 3, itemsValid: 3 });
  });

  it("leave imports without a watched prefix alone", async () => {
    const key = await api.upload("daily/plain.csv", velocidiFile(1));
    const importId = await api.createImport({
      name: "Once",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    await putUpload(api, "daily/another.csv", velocidiFile(1));
    expect(await runsOf(api, importId)).toEqual([]);
  });
});
