import { Code } from "@connectrpc/connect";
import { ApiError, InputError } from "../../core/errors.js";
import type { BatchRequest } from "../../core/internal/wire.js";
import type { CallHooks } from "../call/call.js";
import type { ChatEncoder } from "../wire/chat-encoder.js";
import { ChunkPlanner, envelopeSize } from "./chunking.js";
import { Deadline } from "../call/deadline.js";
import { RequestEncoder, type EncodedRequest } from "../wire/encoded-request.js";
import { InputGroups } from "./input-groups.js";
import { PresentIds, type IdPage } from "./present-ids.js";
import { backoffDelayMs } from "../call/retry.js";
import type { AddProgress, SkippedRequest } from "../../views/add-progress.js";
import type { Backoff, RetryEvent } from "../../core/retry-options.js";
import { sleep } from "../../core/internal/sleep.js";

/** How an add behaves; see AddOptions in batch.ts for the public documentation. */
export interface AddSettings {
  readonly maxAddBytes: number;
  readonly maxRequestsPerCall: number;
  readonly concurrency: number;
  /** Encoded bytes of the calls in flight and the one being planned; below `maxAddBytes`, one call at a time. Undefined: no bound but `concurrency`. */
  readonly maxBytesInFlight?: number;
  readonly autoIds: boolean;
  readonly oversize: "error" | "skip";
  /** The normaliser: one input to its BatchRequest, validated. */
  readonly toRequest: (input: unknown, index: number) => BatchRequest;
  /** Encodes the common chat requests to the bytes `toRequest` and toBinary would give, in their stead. */
  readonly chatEncoder?: ChatEncoder;
  /** Told of each invalid request, which is then left out; undefined stops the add at the first. */
  readonly onInvalid: ((error: InputError, input: unknown) => void) | undefined;
  readonly totalTimeoutMs: number | undefined;
  /** How long after the add began a NOT_FOUND may be read-after-write lag (see RecentBatches). */
  readonly notFoundGraceMs: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: AddProgress) => void) | undefined;
  readonly onSkip: ((skipped: SkippedRequest) => void) | undefined;
  /** The pause between rounds of one call grows on this schedule. */
  readonly roundBackoff: Backoff;
  /** Randomness for the round pauses' jitter. */
  readonly random: () => number;
}

/** The three things an add needs from the service. */
export interface AddTransport {
  /** Whether `send` calls `hooks.onSent` once the request is written; then calls are written one at a time. */
  readonly reportsWrites?: boolean;
  /** One AddBatchRequests call with already-encoded requests. */
  send(requests: readonly Uint8Array[], hooks: CallHooks): Promise<void>;
  /** How many requests the batch holds (GetBatch), so a fresh batch is not listed. */
  countRequests(hooks: CallHooks): Promise<number>;
  /** One page of the batch's request ids (ListBatchRequestMetadata). */
  listPage(token: string | undefined, hooks: CallHooks): Promise<IdPage>;
}

/** Rounds of send-then-reconcile a single call may take before its error is surfaced. */
const maxRounds = 8;
/** Codes after which the server may or may not have applied the call. */
const unknownOutcome = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Aborted, Code.Unknown]);

/**
 * Streams requests into a batch: encodes each once, packs them into calls by exact size, sends up to
 * `concurrency` calls at a time, and reads the input only as fast as calls complete and while a full call
 * fits within `maxBytesInFlight` beside those in flight, so memory stays bounded by that many bytes. Exactly once, by the batch's own listing, never by what an error
 * says: a batch that already holds requests is listed once before anything is sent, and ids it holds
 * are not sent again. A call whose outcome is unknown is sent again (an add is atomic: it landed
 * whole or not at all); one the server answers ALREADY_EXISTS is checked against what was appended to
 * the listing since, and only the requests it lacks are sent again. Retries are patient: a spent retry
 * budget slows the add down instead of ending it, and each call's rounds back off.
 */
export async function runAdd(transport: AddTransport, batchId: string, input: Iterable<unknown> | AsyncIterable<unknown>, settings: AddSettings): Promise<AddProgress> {
  const started = Date.now();
  const overall = Deadline.after(settings.totalTimeoutMs);
  const progress = { requestsRead: 0, requestsAdded: 0, alreadyPresent: 0, skipped: 0, invalid: 0, bytesSent: 0, calls: 0, retries: 0, quotaWaitMs: 0, listCalls: 0 };
  const report = () => settings.onProgress?.({ ...progress });
  // Each call's own run of failures, kept with the error it ended on, to name why the add stopped.
  const streaks = new WeakMap<object, FailureStreak>();
  const hooks: CallHooks = {
    overall,
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
  // Rounds of one call back off like attempts do, and none starts that the add's deadline would cut off.
  const pause = async (round: number, error: ApiError, atMostMs = Number.POSITIVE_INFINITY) => {
    const delayMs = Math.min(atMostMs, backoffDelayMs(round, settings.roundBackoff, settings.random));
    const leftMs = overall.remainingMs();
    if (leftMs !== undefined && delayMs >= leftMs) throw error;
    await sleep(delayMs, settings.signal);
  };

  const sendCall = async (call: EncodedRequest[], bytes: number, onSent: () => void) => {
    const streak = new FailureStreak();
    try {
      await sendRounds(call, bytes, streak, onSent);
    } catch (error) {
      if (error instanceof ApiError) streaks.set(error, streak);
      throw error;
    }
  };

  const sendRounds = async (call: EncodedRequest[], bytes: number, streak: FailureStreak, onSent: () => void) => {
    let pending = call;
    let outcomeUnknown = false;
    // Set once a listing resumed where the last one ended failed to explain an ALREADY_EXISTS.
    let fromStart = false;
    for (let round = 1; ; round++) {
      try {
        await transport.send(
          pending.map((r) => r.bytes),
          {
            ...hooks,
            onRetry: (event: RetryEvent) => {
              outcomeUnknown ||= unknownOutcome.has(event.error.code);
              hooks.onRetry?.(event);
            },
            onAttempt: (error) => streak.record(error),
            onSent,
          },
        );
        progress.requestsAdded += pending.length;
        progress.bytesSent += pending.length === call.length ? bytes : callBytes(batchId, pending);
        progress.calls++;
        report();
        return;
      } catch (error) {
        const attemptEnded = Date.now();
        if (!(error instanceof ApiError) || settings.signal?.aborted) throw error;
        // Read-after-write lag: a batch created a moment ago may not be visible to every server yet. The
        // grace is a time, not a number of rounds: quick rounds must not use it up before the lag ends.
        const graceLeftMs = settings.notFoundGraceMs - (Date.now() - started);
        if (error.code === Code.NotFound && graceLeftMs > 0) {
          // The last pause ends with the grace, so a batch that never appears fails when the grace does.
          await pause(Math.min(round, maxRounds), error, graceLeftMs);
          continue;
        }
        if (round >= maxRounds) throw error.code === Code.AlreadyExists ? unexplainedConflict(error, pending.length) : error;
        const unknown = unknownOutcome.has(error.code);
        if (!unknown && error.code !== Code.AlreadyExists) throw error;
        if (pending.some((r) => r.id === undefined)) throw error; // without ids nothing can be verified
        if (unknown) {
          // It landed whole or not at all; sending it again tells which (success, or ALREADY_EXISTS to check).
          outcomeUnknown = true;
          await pause(round, error);
          continue;
        }
        let found: Set<string>;
        try {
          found = await present.which(new Set(pending.map((r) => r.id!)), attemptEnded, fromStart);
        } catch (listError) {
          // The check itself failed transiently: sending again is safe (atomic, and ids it holds are
          // refused), and the next round checks again, reading on from the pages already seen.
          if (listError instanceof ApiError && unknownOutcome.has(listError.code)) {
            await pause(round, listError);
            continue;
          }
          throw listError;
        }
        // Refused, yet none of its ids is listed: read the listing from the start next time (its order or
        // its tokens may not be what a resumed read assumes), after a pause (it may lag behind).
        if (found.size === 0) {
          fromStart = true;
          await pause(round, error);
          continue;
        }
        // Pre-existing ids were never sent, so ids found after an attempt of ours that may have landed are ours.
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
  // Settles once the call sent last has been written (or has ended). Calls are written one at a time: only
  // one holds a frame of its requests (on the library's own connection one buffer, used again by the next
  // call; on a caller's transport Connect's two copies), and the server counts each
  // soon after its write ends, rather than several together, in turn, long after (see Permit.sent).
  let written: Promise<void> = Promise.resolve();
  let bytesInFlight = 0;
  const maxBytesInFlight = settings.maxBytesInFlight ?? Number.POSITIVE_INFINITY;
  let failure: { error: unknown } | undefined;
  try {
    const learn = () => learnWhatIsThere(transport, present, hooks, started);
    for await (const call of plannedCalls(batchId, input, settings, progress, present, learn)) {
      await written;
      if (failure !== undefined) break;
      if (settings.signal?.aborted) throw settings.signal.reason;
      bytesInFlight += call.bytes;
      let onSent!: () => void;
      const callWritten = new Promise<void>((resolve) => (onSent = resolve));
      const sending: Promise<void> = sendCall(call.requests, call.bytes, onSent)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          inFlight.delete(sending);
          bytesInFlight -= call.bytes;
        });
      inFlight.add(sending);
      if (transport.reportsWrites === true) written = Promise.race([callWritten, sending]);
      // The next call is planned only when it fits beside those in flight, full size: each in flight holds
      // its requests and, until written, its frame.
      while (inFlight.size >= settings.concurrency || (inFlight.size > 0 && bytesInFlight + settings.maxAddBytes > maxBytesInFlight)) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= { error };
  } finally {
    await Promise.all(inFlight);
  }
  if (failure !== undefined && settings.signal?.aborted && !(failure.error instanceof ApiError) && !(failure.error instanceof InputError)) {
    // Stopped by the caller's signal between calls (planning, a pause between rounds, the source) rather
    // than in one: the same CANCELED an aborted call gives, so an abort reads one way wherever it lands.
    const reason = failure.error;
    failure = { error: new ApiError({ code: Code.Canceled, method: "AddBatchRequests", rawMessage: reason instanceof Error ? reason.message : String(reason), cause: reason }) };
  }
  if (failure !== undefined) throw failure.error instanceof ApiError ? gaveUp(failure.error, streaks.get(failure.error), progress, batchId) : failure.error;
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

/**
 * Consecutive failed attempts of one call, over all its rounds, of the codes that are retried or leave
 * an outcome unknown (an ALREADY_EXISTS met on the way neither counts nor ends it); a success ends it.
 * When an add gives up, this is its cause.
 */
class FailureStreak {
  attempts = 0;
  last: ApiError | undefined;

  /** Whether a failure of this code is part of a streak. */
  static counts(error: ApiError): boolean {
    return unknownOutcome.has(error.code) || error.code === Code.ResourceExhausted;
  }

  record(error: ApiError | undefined): void {
    if (error === undefined) {
      this.attempts = 0;
      this.last = undefined;
    } else if (FailureStreak.counts(error)) {
      this.attempts++;
      this.last = error;
    }
  }
}

/**
 * The error an add that stops throws: the failure that made it stop (the streak's, not a symptom such as
 * an ALREADY_EXISTS met on the way), what the add had confirmed by then, and that a re-run finishes it.
 */
function gaveUp(error: ApiError, streak: FailureStreak | undefined, progress: AddProgress, batchId: string): ApiError {
  // A refusal that names its own cause (CANCELED, INVALID_ARGUMENT, ...) is the cause, whatever came before.
  const streakLast = error.code === Code.AlreadyExists || FailureStreak.counts(error) ? streak?.last : undefined;
  const cause = streakLast ?? error;
  const attempts = streakLast === undefined ? error.attempts : streak!.attempts;
  const why = `${codeName(cause.code)} on ${attempts} ${attempts === 1 ? "attempt" : "attempts in a row"}`;
  const confirmed = progress.requestsAdded + progress.alreadyPresent;
  const stopped = new ApiError({
    code: cause.code,
    method: cause.method,
    details: cause.details,
    metadata: cause.metadata,
    cause: error,
    rawMessage:
      `${cause.rawMessage} (the add stopped after ${why}; ${confirmed} requests are confirmed in batch ${batchId}: ` +
      `${progress.requestsAdded} added by this add, ${progress.alreadyPresent} there before. Running the same add again sends only the rest.)`,
  });
  stopped.attempts = attempts;
  stopped.requestId = cause.requestId;
  return stopped;
}

/** An ALREADY_EXISTS that listings of the batch never explained, round after round. */
function unexplainedConflict(error: ApiError, requests: number): ApiError {
  const refused = new ApiError({
    code: error.code,
    method: error.method,
    details: error.details,
    metadata: error.metadata,
    cause: error,
    rawMessage: `${error.rawMessage} (the batch's listing, read from the start after each refusal, shows none of the ${requests} ids still refused: another writer may be adding them, or the listing lags behind)`,
  });
  refused.attempts = error.attempts;
  refused.requestId = error.requestId;
  return refused;
}

function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Reads the input and yields calls ready to send. An array is checked whole before the first call is planned. */
async function* plannedCalls(
  batchId: string,
  input: Iterable<unknown> | AsyncIterable<unknown>,
  settings: AddSettings,
  progress: { requestsRead: number; skipped: number; invalid: number; alreadyPresent: number },
  present: PresentIds,
  beforeFirstCall: () => Promise<void>,
): AsyncGenerator<PlannedCall> {
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
    settings.chatEncoder,
  );
  const planner = new ChunkPlanner({ maxBytes: settings.maxAddBytes, maxRequests: settings.maxRequestsPerCall }, envelopeSize(batchId));
  const packer = new CallPacker(planner, settings, progress, present);
  if (Array.isArray(input)) {
    packer.take(encodeAll(input, encoder, planner, settings));
    await beforeFirstCall();
    for (let call = packer.nextCall(); call !== undefined; call = packer.nextCall()) yield call;
  } else {
    const groups = new InputGroups(input, groupSize);
    let failed = false;
    try {
      for (let index = 0; ; ) {
        const group = await groups.read();
        if (group.length === 0) break;
        packer.take(encoder.encodeMany(group, index));
        // After the first group is checked, so bad input is refused before any call.
        if (index === 0) await beforeFirstCall();
        index += group.length;
        for (let call = packer.nextCall(); call !== undefined; call = packer.nextCall()) yield call;
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await groups.close(failed);
    }
  }
  const last = packer.lastCall();
  if (last !== undefined) yield last;
}

interface PlannedCall {
  readonly requests: EncodedRequest[];
  readonly bytes: number;
}

/**
 * Packs encoded requests into calls in input order, leaving out (and counting) those too large to send
 * and those the batch holds. A plain object rather than a loop in plannedCalls, for the reason
 * InputGroups gives; it stops at each full call, so a call is sent before the requests after it are judged.
 */
class CallPacker {
  private call: EncodedRequest[] = [];
  private requests: readonly EncodedRequest[] = [];
  private at = 0;

  constructor(
    private readonly planner: ChunkPlanner,
    private readonly settings: AddSettings,
    private readonly progress: { requestsRead: number; skipped: number; alreadyPresent: number },
    private readonly present: PresentIds,
  ) {}

  /** The next requests to pack, once `nextCall` has packed those before. */
  take(requests: readonly EncodedRequest[]): void {
    this.requests = requests;
    this.at = 0;
  }

  /** Packs the requests taken until one does not fit the call being built; returns that call, full, or undefined once all are packed. */
  nextCall(): PlannedCall | undefined {
    const { planner, settings, progress } = this;
    while (this.at < this.requests.length) {
      const request = this.requests[this.at++]!;
      progress.requestsRead++;
      if (!planner.fitsAlone(request.bytes.length)) {
        const skipped = { index: request.index, batchRequestId: request.id, bytes: request.bytes.length, limit: settings.maxAddBytes };
        if (settings.oversize === "error") throw oversizeError(skipped);
        progress.skipped++;
        settings.onSkip?.(skipped);
        continue;
      }
      if (request.id !== undefined && this.present.has(request.id)) {
        progress.alreadyPresent++;
        continue;
      }
      let full: PlannedCall | undefined;
      if (!planner.fits(request.bytes.length)) {
        full = { requests: this.call, bytes: planner.reset() };
        this.call = [];
      }
      planner.add(request.bytes.length);
      this.call.push(request);
      if (full !== undefined) return full;
    }
    return undefined;
  }

  /** The call being built, if it holds any request. */
  lastCall(): PlannedCall | undefined {
    if (this.call.length === 0) return undefined;
    const last = { requests: this.call, bytes: this.planner.reset() };
    this.call = [];
    return last;
  }
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
