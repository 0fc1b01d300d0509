export const SCENARIOS: Record<string, unknown>;
export const RECORDED: string;
export function record(state: unknown): Promise<{
  d1: string;
  buckets: string;
  queues: string;
  notifications: string | null;
  secrets: Record<string, string | null>;
}>;
