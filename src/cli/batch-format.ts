import { toJson, type JsonObject } from "@bufbuild/protobuf";
import { batchOutcome } from "../internal/batch-done.js";
import { BatchSchema, type Batch } from "../wire.js";
import { exitCodes } from "./exit-codes.js";
import { count, plural } from "./progress.js";

/** A batch's request counts as plain numbers. */
export interface Counts {
  readonly total: number;
  readonly pending: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
}

/** One USD is 1e10 ticks. */
const ticksPerUsd = 10_000_000_000;

export function countsOf(batch: Batch): Counts {
  const s = batch.state;
  return {
    total: Number(s?.numRequests ?? 0n),
    pending: Number(s?.numPending ?? 0n),
    succeeded: Number(s?.numSuccess ?? 0n),
    failed: Number(s?.numError ?? 0n),
    cancelled: Number(s?.numCancelled ?? 0n),
  };
}

/** The batch's cost so far in USD, from its cost breakdown's ticks. */
export function costUsd(batch: Batch): number {
  return Number(batch.costBreakdown?.totalCostUsdTicks ?? 0n) / ticksPerUsd;
}

/** "$0.001234" for small amounts, "$12.35" for large ones. */
export function usd(amount: number): string {
  return `$${amount.toFixed(amount < 1 ? 6 : 2)}`;
}

/** "completed", "cancelled", "expired", or "processing" while requests are pending. */
export function stage(batch: Batch): string {
  return batchOutcome(batch, Date.now()) ?? "processing";
}

/** `--json` form of a batch: protobuf's canonical JSON (int64 counts as strings), as the API defines it. */
export function batchJson(batch: Batch): JsonObject {
  return toJson(BatchSchema, batch) as JsonObject;
}

/** "3,000 requests: 2,990 succeeded, 10 failed, 0 cancelled, 0 pending". */
export function countsText(c: Counts): string {
  return `${plural(c.total, "request")}: ${count(c.succeeded)} succeeded, ${count(c.failed)} failed, ${count(c.cancelled)} cancelled, ${count(c.pending)} pending`;
}

/** One line about a batch, for `list` and the end of `wait`. */
export function batchLine(batch: Batch): string {
  return `${batch.batchId}  ${JSON.stringify(batch.name)}  ${stage(batch)}  ${countsText(countsOf(batch))}  ${usd(costUsd(batch))}`;
}

/** Several lines about a batch, for `status`. */
export function batchDetails(batch: Batch): string {
  const lines = [
    `batch      ${batch.batchId}`,
    `name       ${batch.name}`,
    `state      ${stage(batch)}`,
    `requests   ${countsText(countsOf(batch))}`,
    `cost       ${usd(costUsd(batch))}`,
  ];
  if (batch.createTime !== undefined) lines.push(`created    ${timestamp(batch.createTime)}`);
  if (batch.expireTime !== undefined) lines.push(`expires    ${timestamp(batch.expireTime)}`);
  if (batch.cancelTime !== undefined) lines.push(`cancelled  ${timestamp(batch.cancelTime)}`);
  if (batch.cancelByXaiMessage !== undefined) lines.push(`xAI says   ${batch.cancelByXaiMessage}`);
  return lines.join("\n");
}

/**
 * The exit code a finished batch earns: 0 when every request succeeded, 3 (partial) when any failed or
 * was cancelled, or the batch was cancelled or expired.
 */
export function outcomeExitCode(batch: Batch): number {
  const c = countsOf(batch);
  return c.failed === 0 && c.cancelled === 0 && c.pending === 0 && stage(batch) === "completed" ? exitCodes.ok : exitCodes.partial;
}

function timestamp(t: { seconds: bigint; nanos: number }): string {
  return new Date(Number(t.seconds) * 1000 + t.nanos / 1e6).toISOString();
}
