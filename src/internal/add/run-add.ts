import { Code } from "@connectrpc/connect";
import { ApiError } from "../../core/errors.js";
import type { CallHooks } from "../call/call.js";
import { Deadline } from "../call/deadline.js";
import type { AddProgress } from "../../views/add-progress.js";
import { planCalls, type PlanSettings } from "./plan-calls.js";
import { PresentIds, type IdPage } from "./present-ids.js";
import { addError } from "./reconcile.js";
import { CallSender, sendCalls, type CallTransport, type SendSettings } from "./send-calls.js";

/** How an add behaves; see AddOptions (src/resources/batches/options.ts) for the public documentation. */
export interface AddSettings extends PlanSettings, SendSettings {
  readonly totalTimeoutMs: number | undefined;
  /** How long after the add began a NOT_FOUND may be read-after-write lag (see RecentBatches). */
  readonly notFoundGraceMs: number;
  readonly onProgress: ((progress: AddProgress) => void) | undefined;
}

/** The three things an add needs from the service. */
export interface AddTransport extends CallTransport {
  /** How many requests the batch holds (GetBatch), so a fresh batch is not listed. */
  countRequests(hooks: CallHooks): Promise<number>;
  /** One page of the batch's request ids (ListBatchRequestMetadata). */
  listPage(token: string | undefined, hooks: CallHooks): Promise<IdPage>;
}

/**
 * Streams requests into a batch: plans calls from the input (plan-calls.ts: each request encoded once,
 * packed by exact size), sends them (send-calls.ts: up to `concurrency` at a time, within
 * `maxBytesInFlight`), and settles each call's outcome (reconcile.ts). Exactly once, by the batch's own
 * listing: a batch that already holds requests is listed once before anything is sent, and ids it holds
 * are not sent again. Retries are patient: a spent retry budget slows the add down instead of ending it,
 * and each call's rounds back off.
 */
export async function runAdd(
  transport: AddTransport,
  batchId: string,
  input: Iterable<unknown> | AsyncIterable<unknown>,
  settings: AddSettings,
): Promise<AddProgress> {
  const started = Date.now();
  const progress = {
    requestsRead: 0,
    requestsAdded: 0,
    alreadyPresent: 0,
    skipped: 0,
    invalid: 0,
    bytesSent: 0,
    calls: 0,
    retries: 0,
    quotaWaitMs: 0,
    listCalls: 0,
  };
  const report = () => settings.onProgress?.({ ...progress });
  const hooks: CallHooks = {
    overall: Deadline.after(settings.totalTimeoutMs),
    patient: true,
    onRetry: () => {
      progress.retries++;
      report();
    },
    onQuotaWait: (ms) => {
      progress.quotaWaitMs += ms;
    },
  };
  const present = new PresentIds((token) => {
    progress.listCalls++;
    return transport.listPage(token, hooks);
  });
  const learn = () => learnWhatIsThere(transport, present, hooks, started);
  const calls = planCalls(batchId, input, settings, progress, present, learn);
  const sender = new CallSender(transport, present, hooks, progress, report, batchId, started + settings.notFoundGraceMs, settings);
  const stopped = await sendCalls(calls, sender, settings, transport.reportsWrites === true);
  if (stopped !== undefined) throw addError(stopped, settings.signal?.aborted ?? false, progress, batchId);
  report();
  return { ...progress };
}

/** Before sending anything, the ids a non-empty batch holds: a re-run then sends only what is missing. */
async function learnWhatIsThere(transport: AddTransport, present: PresentIds, hooks: CallHooks, started: number): Promise<void> {
  let count: number;
  try {
    count = await transport.countRequests(hooks);
  } catch (error) {
    // A batch created a moment ago may not be visible yet; it holds nothing either way, and the
    // add's own calls wait for it to appear.
    if (error instanceof ApiError && error.code === Code.NotFound) return;
    throw error;
  }
  if (count > 0) await present.refresh(started, true);
}
