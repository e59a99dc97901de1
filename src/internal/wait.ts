import { Code, ConnectError } from "@connectrpc/connect";
import { ApiError } from "../core/errors.js";
import type { BatchView } from "../views/batch.js";
import type { CallHooks } from "./call/call.js";
import { Deadline } from "./call/deadline.js";
import { sleep } from "../core/internal/sleep.js";

/** How `wait` polls. */
export interface PollSettings {
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  readonly totalTimeoutMs: number | undefined;
  /** How long after the wait began a NOT_FOUND may be read-after-write lag (see RecentBatches). */
  readonly notFoundGraceMs: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((batch: BatchView) => void) | undefined;
}

/** Failures a poll rides through: the next poll may well succeed. */
const transient = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Internal, Code.Aborted, Code.Unknown]);

/**
 * Polls until the batch is done (`done`: completed, cancelled or expired; see BatchStatus), with intervals growing by half up to a cap so an
 * hours-long wait costs a few hundred calls. Transient failures and a NOT_FOUND just after creation are
 * ridden through; the overall deadline and the signal end the wait.
 */
export async function pollUntilDone(
  getBatch: (hooks: CallHooks) => Promise<BatchView>,
  batchId: string,
  settings: PollSettings,
): Promise<BatchView> {
  const started = Date.now();
  const overall = Deadline.after(settings.totalTimeoutMs);
  let interval = settings.pollIntervalMs;
  let lastKey: string | undefined;
  let last: BatchView | undefined;
  for (;;) {
    try {
      const batch = await getBatch({ overall });
      last = batch;
      const c = batch.counts;
      const key = `${c.total}/${c.pending}/${c.succeeded}/${c.failed}/${c.cancelled}/${batch.status}`;
      if (key !== lastKey) {
        lastKey = key;
        settings.onProgress?.(batch);
      }
      if (batch.done) return batch;
    } catch (error) {
      if (!(error instanceof ApiError) || settings.signal?.aborted) throw error;
      if (overall.expired) throw error.code === Code.DeadlineExceeded ? timeoutError(batchId, Date.now() - started, last) : error;
      const lagging = error.code === Code.NotFound && last === undefined && Date.now() - started < settings.notFoundGraceMs;
      if (!lagging && !transient.has(error.code)) throw error;
    }
    const remaining = overall.remainingMs();
    if (remaining !== undefined && remaining <= interval) throw timeoutError(batchId, Date.now() - started, last);
    await sleep(interval, settings.signal).catch((reason: unknown) => {
      throw new ApiError({
        code: Code.Canceled,
        method: "GetBatch",
        rawMessage: `waiting for batch ${batchId} was aborted`,
        cause: ConnectError.from(reason),
      });
    });
    interval = Math.min(settings.maxPollIntervalMs, Math.ceil(interval * 1.5));
  }
}

function timeoutError(batchId: string, elapsedMs: number, last: BatchView | undefined): ApiError {
  const where =
    last === undefined
      ? "its state was never read"
      : `${last.status}, ${last.counts.pending} of ${last.counts.total} requests still pending`;
  return new ApiError({
    code: Code.DeadlineExceeded,
    method: "GetBatch",
    rawMessage: `batch ${batchId} was not done after ${elapsedMs} ms (${where})`,
  });
}
