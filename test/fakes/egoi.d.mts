export interface FakeRequest {
  method: string;
  path: string;
  offset: number;
  status: number;
}
export interface FakeEgoi {
  url: string;
  state: { apiKey: string; requests: FakeRequest[]; lists: Map<string, unknown[]> };
  revokeKey(): void;
  close(): Promise<void>;
}
export function fakeContact(
  listId: string | number,
  n: number,
): { base: Record<string, unknown>; extra: unknown[]; tags: number[] };
export function startFakeEgoi(options?: {
  port?: number;
  apiKey?: string;
  clientId?: string;
  lists?: Record<string, number | unknown[]>;
  faults?: (request: FakeRequest) => { status: number; reset?: number } | null;
  pageCaps?: Record<string, number>;
}): Promise<FakeEgoi>;
