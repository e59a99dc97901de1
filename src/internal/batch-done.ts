import type { Batch } from "../wire.js";

/** How a batch ended. */
export type BatchOutcome = "completed" | "cancelled" | "expired";

/**
 * Whether a batch is done, and how. `num_pending == 0` alone is not enough: an empty batch, and one whose
 * input file is still loading, have nothing pending either. Done means requests exist and none is pending,
 * or the batch was cancelled (by the user or by xAI), or it expired.
 */
export function batchOutcome(batch: Batch, nowMs: number): BatchOutcome | undefined {
  if (batch.cancelTime !== undefined || batch.cancelByXaiMessage !== undefined) return "cancelled";
  const expireMs = batch.expireTime === undefined ? undefined : Number(batch.expireTime.seconds) * 1000 + batch.expireTime.nanos / 1e6;
  if (expireMs !== undefined && expireMs > 0 && expireMs <= nowMs) return "expired";
  const state = batch.state;
  if (state !== undefined && state.numRequests > 0n && state.numPending === 0n) return "completed";
  return undefined;
}

/** A key that changes whenever the batch's counts do, so progress is reported once per change. */
export function countsKey(batch: Batch): string {
  const s = batch.state;
  return s === undefined ? "" : `${s.numRequests}/${s.numPending}/${s.numSuccess}/${s.numError}/${s.numCancelled}`;
}
