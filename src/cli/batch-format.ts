import type { BatchCounts, BatchView } from "../index.js";
import { exitCodes } from "./exit-codes.js";
import { count, plural } from "./progress.js";

/** "$0.001234" for small amounts, "$12.35" for large ones. */
export function usd(amount: number): string {
  return `$${amount.toFixed(amount < 1 ? 6 : 2)}`;
}

/** "3,000 requests: 2,990 succeeded, 10 failed, 0 cancelled, 0 pending". */
export function countsText(c: BatchCounts): string {
  return `${plural(c.total, "request")}: ${count(c.succeeded)} succeeded, ${count(c.failed)} failed, ${count(c.cancelled)} cancelled, ${count(c.pending)} pending`;
}

/** One line about a batch, for `list` and the end of `wait`. */
export function batchLine(batch: BatchView): string {
  return `${batch.batchId}  ${JSON.stringify(batch.name)}  ${batch.status}  ${countsText(batch.counts)}  ${usd(batch.costUsd)}`;
}

/** Several lines about a batch, for `status`. */
export function batchDetails(batch: BatchView): string {
  const lines = [
    `batch      ${batch.batchId}`,
    `name       ${batch.name}`,
    `state      ${batch.status}`,
    `requests   ${countsText(batch.counts)}`,
    `cost       ${usd(batch.costUsd)}`,
  ];
  if (batch.createTime !== undefined) lines.push(`created    ${batch.createTime.toISOString()}`);
  if (batch.expireTime !== undefined) lines.push(`expires    ${batch.expireTime.toISOString()}`);
  if (batch.cancelTime !== undefined) lines.push(`cancelled  ${batch.cancelTime.toISOString()}`);
  if (batch.cancelByXaiMessage !== undefined) lines.push(`xAI says   ${batch.cancelByXaiMessage}`);
  return lines.join("\n");
}

/**
 * The exit code a finished batch earns: 0 when every request succeeded, 3 (partial) when any failed or
 * was cancelled, or the batch was cancelled or expired.
 */
export function outcomeExitCode(batch: BatchView): number {
  const c = batch.counts;
  return c.failed === 0 && c.cancelled === 0 && c.pending === 0 && batch.status === "completed" ? exitCodes.ok : exitCodes.partial;
}
