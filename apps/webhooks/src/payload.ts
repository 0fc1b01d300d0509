import { getRun, importName, publicRun } from "@cdp/store";
import type { WebhookSettings } from "./settings";

/**
 * The body of a run's event: the run as GET /v1/runs/{id} answers it, its import's id and
 * name, and links to the run and its issues (absolute when PUBLIC_API_URL is set).
 */
export async function runEventBody(
  db: D1Database,
  settings: WebhookSettings,
  event: { id: string; tenantId: string; type: string; runId: string | null; createdAt: string },
): Promise<string> {
  const run = event.runId ? await getRun(db, event.tenantId, event.runId) : null;
  const runPath = `${settings.publicApiUrl}/v1/runs/${encodeURIComponent(event.runId ?? "")}`;
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.createdAt,
    data: {
      run: run ? publicRun(run) : null,
      import: run ? { id: run.importId, name: await importName(db, event.tenantId, run.importId) } : null,
      links: { run: runPath, issues: `${runPath}/issues`, issuesCsv: `${runPath}/issues?format=csv` },
    },
  });
}
