export interface FakeS3Request {
  method: string;
  path: string;
  range: string | null;
}
export interface FakeS3 {
  url: string;
  region: string;
  requests: FakeS3Request[];
  put(bucket: string, key: string, body: string | Uint8Array): void;
  close(): Promise<void>;
}
export function startFakeS3(options?: {
  region?: string;
  credentials?: Record<string, string>;
}): Promise<FakeS3>;
