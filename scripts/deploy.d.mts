export const DEPLOY_ORDER: string[];
export function desiredResources(configs: Record<string, unknown>): {
  d1: { name: string; migrationsFrom: string | null }[];
  buckets: string[];
  queues: string[];
  notification: { bucket: string; queue: string; prefix: string };
  secrets: Map<string, string[]>;
  workers: Map<string, string>;
};
export function parseTable(text: string): Record<string, string>[];
export function parseLabelled(text: string): Record<string, string>[];
export function parseState(outputs: {
  d1: string;
  buckets: string;
  queues: string;
  notifications: string | null;
  secrets: Record<string, string | null>;
}): {
  d1: Map<string, string>;
  buckets: Set<string>;
  queues: Set<string>;
  notifications: Record<string, string>[];
  secrets: Map<string, Set<string> | null>;
};
export function planDeploy(
  desired: ReturnType<typeof desiredResources>,
  state: ReturnType<typeof parseState>,
  values?: Record<string, string>,
): { steps: { kind: string }[]; problems: string[] };
export function describe(step: { kind: string }): string;
