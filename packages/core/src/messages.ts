import * as z from "zod";

/** runs queue: config-api → ingest (file sources) or egoi-sync (E-goi). */
export const RunMessage = z.object({ runId: z.string().min(1) });
export type RunMessage = z.infer<typeof RunMessage>;

/** chunks queue: ingest → transform. A pointer into the landed file, never rows. */
export const ChunkMessage = z.object({
  runId: z.string().min(1),
  /** R2 key of the landed (decompressed) file. */
  key: z.string().min(1),
  chunkNo: z.number().int().min(0),
  chunkCount: z.number().int().min(1),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  firstRow: z.number().int().min(1),
  /** Byte length of the prologue (CSV header, XML head) read before the range. */
  prologueEnd: z.number().int().min(0),
});
export type ChunkMessage = z.infer<typeof ChunkMessage>;

/** E-goi queue: one page of contacts at `offset`. */
export const EgoiMessage = z.object({
  runId: z.string().min(1),
  offset: z.number().int().min(0).default(0),
  /** E-goi account id (`general_info.client_id`), once known, so each page skips /my-account. */
  accountId: z.string().optional(),
  /** Index of the page in the run (its chunk number); absent in older messages: offset / 1000. */
  page: z.number().int().min(0).optional(),
  /** Rate-limit waits this page has made so far, and their seconds in total (not queue retries). */
  rateLimited: z.number().int().min(0).optional(),
  rateLimitedSeconds: z.number().min(0).optional(),
  /** Answers 5xx or 408, or no answer, this page has had so far before its current message. */
  serverErrors: z.number().int().min(0).optional(),
});
export type EgoiMessage = z.infer<typeof EgoiMessage>;

/** An R2 event notification (object-create), as Cloudflare delivers it to a queue. */
export const FileEventMessage = z.object({
  account: z.string().optional(),
  action: z.string(),
  bucket: z.string(),
  object: z.object({ key: z.string(), size: z.number().optional(), eTag: z.string().optional() }),
  eventTime: z.string().optional(),
});
export type FileEventMessage = z.infer<typeof FileEventMessage>;
