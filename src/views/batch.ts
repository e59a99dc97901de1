import { ticksPerUsd, toDate, withRaw } from "../core/internal/view-support.js";
import type { Batch } from "../core/internal/wire.js";

/**
 * Where a batch stands, derived from its counts and times (first match wins):
 * - `cancelled`: cancelled by you (`cancelTime`) or by xAI (`cancelByXaiMessage` says why, e.g. a file that
 *   failed validation); finished results are kept.
 * - `completed`: it holds requests and none is pending, and none was cut off by expiry.
 * - `expired`: `expireTime` has passed while requests were pending (the server then counts them as cancelled).
 * - `loading`: created from an input file that is still being loaded (zero requests so far).
 * - `empty`: no requests yet; add some.
 * - `processing`: requests are pending.
 */
export type BatchStatus = "cancelled" | "completed" | "expired" | "loading" | "empty" | "processing";

/** A batch's requests by state, as numbers. */
export interface BatchCounts {
  readonly total: number;
  readonly pending: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
}

/** What one endpoint of a batch cost. */
export interface EndpointCostView {
  readonly endpoint: string;
  readonly costUsd: number;
  readonly costUsdTicks: number;
  readonly requests: number;
}

/** A batch as plain data: `JSON.stringify` gives readable JSON; `raw` is the wire message. */
export interface BatchView {
  readonly batchId: string;
  readonly name: string;
  readonly status: BatchStatus;
  /** True once the status is final: `completed`, `cancelled` or `expired` (what `wait` waits for). */
  readonly done: boolean;
  readonly counts: BatchCounts;
  /** Cost so far in USD. */
  readonly costUsd: number;
  /** Cost so far in USD ticks (1 tick = 1e-10 USD), the unit the API bills in. */
  readonly costUsdTicks: number;
  readonly costByEndpoint: readonly EndpointCostView[];
  readonly createTime: Date | undefined;
  readonly expireTime: Date | undefined;
  readonly cancelTime: Date | undefined;
  /** Why xAI cancelled the batch, if it did. */
  readonly cancelByXaiMessage: string | undefined;
  /** The uploaded file the batch was created from, if any. */
  readonly inputFileId: string | undefined;
  readonly createApiKeyId: string;
  /** The batch as it came off the wire (not part of the JSON). */
  readonly raw: Batch;
}

const finalStatuses: ReadonlySet<BatchStatus> = new Set(["completed", "cancelled", "expired"]);

/** Reads a wire Batch as a BatchView; `nowMs` decides whether `expireTime` has passed. */
export function viewBatch(raw: Batch, nowMs: number = Date.now()): BatchView {
  const counts = countsOf(raw);
  const expireTime = toDate(raw.expireTime);
  const status = batchStatus(raw, counts, expireTime, nowMs);
  const ticks = Number(raw.costBreakdown?.totalCostUsdTicks ?? 0n);
  return withRaw(
    {
      batchId: raw.batchId,
      name: raw.name,
      status,
      done: finalStatuses.has(status),
      counts,
      costUsd: ticks / ticksPerUsd,
      costUsdTicks: ticks,
      costByEndpoint: (raw.costBreakdown?.endpointCosts ?? []).map((c) => ({
        endpoint: c.endpoint,
        costUsd: Number(c.costUsdTicks) / ticksPerUsd,
        costUsdTicks: Number(c.costUsdTicks),
        requests: Number(c.requestCount),
      })),
      createTime: toDate(raw.createTime),
      expireTime,
      cancelTime: toDate(raw.cancelTime),
      cancelByXaiMessage: raw.cancelByXaiMessage,
      inputFileId: raw.inputFileId || undefined,
      createApiKeyId: raw.createApiKeyId,
    },
    raw,
  );
}

function countsOf(batch: Batch): BatchCounts {
  const s = batch.state;
  return {
    total: Number(s?.numRequests ?? 0n),
    pending: Number(s?.numPending ?? 0n),
    succeeded: Number(s?.numSuccess ?? 0n),
    failed: Number(s?.numError ?? 0n),
    cancelled: Number(s?.numCancelled ?? 0n),
  };
}

/**
 * `num_pending == 0` alone does not mean done: an empty batch and one whose file is still loading have
 * nothing pending either.
 */
function batchStatus(batch: Batch, c: BatchCounts, expireTime: Date | undefined, nowMs: number): BatchStatus {
  if (batch.cancelTime !== undefined || batch.cancelByXaiMessage !== undefined) return "cancelled";
  const expireMs = expireTime?.getTime();
  const expired = expireMs !== undefined && expireMs <= nowMs;
  if (expired && c.total > 0 && (c.pending > 0 || c.cancelled > 0)) return "expired";
  if (c.total > 0 && c.pending === 0) return "completed";
  if (expired) return "expired";
  if (c.total === 0) return batch.inputFileId ? "loading" : "empty";
  return "processing";
}
