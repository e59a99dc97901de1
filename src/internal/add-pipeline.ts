import { Code } from "@connectrpc/connect";
import { ApiError, InputError } from "../errors.js";
import type { BatchRequest } from "../wire.js";
import type { CallHooks } from "./call.js";
import { ChunkPlanner, envelopeSize } from "./chunking.js";
import { Deadline } from "./deadline.js";
import { RequestEncoder, type EncodedRequest } from "./encoded-request.js";
import { PresentIds } from "./present-ids.js";
import type { AddProgress, SkippedRequest } from "../add-progress.js";
import type { RetryEvent } from "../retry-options.js";
import { sleep } from "./sleep.js";

/** How an add behaves; see AddOptions in batch.ts for the public documentation. */
export interface AddSettings {
  readonly maxAddBytes: number;
  readonly maxRequestsPerCall: number;
  readonly concurrency: number;
  readonly autoIds: boolean;
  readonly oversize: "error" | "skip";
  /** The normaliser: one input to its BatchRequest, validated. */
  readonly toRequest: (input: unknown, index: number) => BatchRequest;
  /** Told of each invalid request, which is then left out; undefined stops the add at the first. */
  readonly onInvalid: ((error: InputError, input: unknown) => void) | undefined;
  readonly totalTimeoutMs: number | undefined;
  /** How long after the add began a NOT_FOUND may be read-after-write lag (see RecentBatches). */
  readonly notFoundGraceMs: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: AddProgress) => void) | undefined;
  readonly onSkip: ((skipped: SkippedRequest) => void) | undefined;
}

/** The two things an add needs from the service. */
export interface AddTransport {
  /** One AddBatchRequests call with already-encoded requests. */
  send(requests: readonly Uint8Array[], hooks: CallHooks): Promise<void>;
  /** Every request id the batch holds, from ListBatchRequestMetadata. */
  listIds(hooks: CallHooks): AsyncIterable<string>;
}

/** Rounds of send-then-reconcile a single call may take before its error is surfaced. */
const maxRounds = 8;
/** Codes after which the server may or may not have applied the call. */
const unknownOutcome = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Aborted, Code.Unknown]);

/**
 * Streams requests into a batch: encodes each once, packs them into calls by exact size, sends up to
 * `concurrency` calls at a time, and reads the input only as fast as calls complete, so memory stays
 * bounded by the calls in flight. Exactly once: a call whose outcome is unknown, or that the server
 * answers ALREADY_EXISTS, is reconciled against the batch's own list of request ids, and only the
 * requests it lacks are sent again.
 */
export async function runAdd(transport: AddTransport, batchId: string, input: Iterable<unknown> | AsyncIterable<unknown>, settings: AddSettings): Promise<AddProgress> {
  const started = Date.now();
  const overall = Deadline.after(settings.totalTimeoutMs);
  const progress = { requestsRead: 0, requestsAdded: 0, alreadyPresent: 0, skipped: 0, invalid: 0, bytesSent: 0, calls: 0, retries: 0, quotaWaitMs: 0 };
  const report = () => settings.onProgress?.({ ...progress });
  const present = new PresentIds(() => transport.listIds(hooks));
  const hooks: CallHooks = {
    overall,
    onRetry: () => {
      progress.retries++;
      report();
    },
    onQuotaWait: (ms) => {
      progress.quotaWaitMs += ms;
    },
  };

  const sendCall = async (call: EncodedRequest[], bytes: number) => {
    let pending = call;
    let outcomeUnknown = false;
    // A listing made after this add began shows every id that was there before it: enough to explain
    // an ALREADY_EXISTS on a first attempt. Once it fails to, only a listing after the attempt will do.
    let earlierListingWillDo = true;
    for (let round = 1; ; round++) {
      try {
        await transport.send(
          pending.map((r) => r.bytes),
          { ...hooks, onRetry: (event: RetryEvent) => {
            outcomeUnknown ||= unknownOutcome.has(event.error.code);
            hooks.onRetry?.(event);
          } },
        );
        progress.requestsAdded += pending.length;
        progress.bytesSent += pending.length === call.length ? bytes : callBytes(batchId, pending);
        progress.calls++;
        report();
        return;
      } catch (error) {
        const attemptEnded = Date.now();
        if (!(error instanceof ApiError) || round >= maxRounds || settings.signal?.aborted) throw error;
        if (error.code === Code.NotFound && Date.now() - started < settings.notFoundGraceMs) {
          // Read-after-write lag: a batch created a moment ago may not be visible to every server yet.
          await sleep(Math.min(2_000, 100 * 2 ** round), settings.signal);
          continue;
        }
        const unknown = unknownOutcome.has(error.code);
        if (!unknown && error.code !== Code.AlreadyExists) throw error;
        if (pending.some((r) => r.id === undefined)) throw error; // without ids nothing can be verified
        outcomeUnknown ||= unknown;
        const notBefore = outcomeUnknown || !earlierListingWillDo ? attemptEnded : started;
        let found: Set<string>;
        try {
          found = await present.which(new Set(pending.map((r) => r.id!)), notBefore);
        } catch (listError) {
          // The check itself failed transiently: sending again is safe (an add is atomic and refuses ids
          // it holds), and the next round checks again.
          if (listError instanceof ApiError && unknownOutcome.has(listError.code)) continue;
          throw listError;
        }
        if (found.size === 0) earlierListingWillDo = false;
        // Ids present after an attempt of ours that may have landed are ours; otherwise they were there before.
        if (outcomeUnknown) progress.requestsAdded += found.size;
        else progress.alreadyPresent += found.size;
        pending = pending.filter((r) => !found.has(r.id!));
        if (pending.length === 0) {
          report();
          return;
        }
      }
    }
  };

  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for await (const call of plannedCalls(batchId, input, settings, progress)) {
      if (failure !== undefined) break;
      if (settings.signal?.aborted) throw settings.signal.reason;
      const sending: Promise<void> = sendCall(call.requests, call.bytes)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      if (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failure !== undefined) throw failure.error;
  report();
  return { ...progress };
}

/** Reads the input and yields calls ready to send. An array is checked whole before the first call is planned. */
async function* plannedCalls(
  batchId: string,
  input: Iterable<unknown> | AsyncIterable<unknown>,
  settings: AddSettings,
  progress: { requestsRead: number; skipped: number; invalid: number },
): AsyncGenerator<{ requests: EncodedRequest[]; bytes: number }> {
  const onInvalid = settings.onInvalid;
  const encoder = new RequestEncoder(
    settings.toRequest,
    settings.autoIds,
    onInvalid &&
      ((error, request) => {
        progress.requestsRead++;
        progress.invalid++;
        onInvalid(error, request);
      }),
  );
  const planner = new ChunkPlanner({ maxBytes: settings.maxAddBytes, maxRequests: settings.maxRequestsPerCall }, envelopeSize(batchId));
  const groups = Array.isArray(input) ? [encodeAll(input, encoder, planner, settings)] : encodeGroups(input, encoder);
  let call: EncodedRequest[] = [];
  for await (const group of groups) for (const request of group) {
    progress.requestsRead++;
    if (!planner.fitsAlone(request.bytes.length)) {
      const skipped = { index: request.index, batchRequestId: request.id, bytes: request.bytes.length, limit: settings.maxAddBytes };
      if (settings.oversize === "error") throw oversizeError(skipped);
      progress.skipped++;
      settings.onSkip?.(skipped);
      continue;
    }
    if (!planner.fits(request.bytes.length)) {
      yield { requests: call, bytes: planner.reset() };
      call = [];
    }
    planner.add(request.bytes.length);
    call.push(request);
  }
  if (call.length > 0) yield { requests: call, bytes: planner.reset() };
}

function encodeAll(input: readonly unknown[], encoder: RequestEncoder, planner: ChunkPlanner, settings: AddSettings): EncodedRequest[] {
  const all: EncodedRequest[] = [];
  for (let at = 0; at < input.length; at += groupSize) all.push(...encoder.encodeMany(input.slice(at, at + groupSize), at));
  if (settings.oversize === "error") {
    const tooLarge = all.find((r) => !planner.fitsAlone(r.bytes.length));
    if (tooLarge !== undefined) throw oversizeError({ index: tooLarge.index, batchRequestId: tooLarge.id, bytes: tooLarge.bytes.length, limit: settings.maxAddBytes });
  }
  return all;
}

/** Requests encoded together: enough to amortise an encoder's buffer growth, few enough to stay small. */
const groupSize = 256;

/** Reads a stream in groups, encoding each as a whole; a sync iterable is read without an await per item. */
async function* encodeGroups(input: Iterable<unknown> | AsyncIterable<unknown>, encoder: RequestEncoder): AsyncGenerator<EncodedRequest[]> {
  let group: unknown[] = [];
  let index = 0;
  const flush = () => {
    const encoded = encoder.encodeMany(group, index);
    index += group.length;
    group = [];
    return encoded;
  };
  if (Symbol.asyncIterator in input) {
    for await (const request of input) if (group.push(request) === groupSize) yield flush();
  } else {
    for (const request of input) if (group.push(request) === groupSize) yield flush();
  }
  if (group.length > 0) yield flush();
}

function oversizeError(r: SkippedRequest): InputError {
  return new InputError({
    index: r.index,
    batchRequestId: r.batchRequestId,
    reason: `encodes to ${r.bytes} bytes; one AddBatchRequests call may carry at most ${r.limit} bytes`,
    fix: 'Shorten it, pass large media by URL, or use `oversize: "skip"` to add the rest without it',
  });
}

function callBytes(batchId: string, requests: readonly EncodedRequest[]): number {
  const planner = new ChunkPlanner({ maxBytes: Infinity, maxRequests: Infinity }, envelopeSize(batchId));
  for (const r of requests) planner.add(r.bytes.length);
  return planner.reset();
}
