import { Code } from "@connectrpc/connect";
import { ApiError, InputError } from "../../core/errors.js";
import type { AddProgress } from "../../views/add-progress.js";
import type { EncodedRequest } from "../wire/encoded-request.js";

// What each outcome of an add's call means for its requests, as a pure state machine: send-calls.ts does
// the I/O each action asks for and feeds back what happened. test/internal/reconcile.test.ts holds a row
// per situation.

/** Rounds of send-then-reconcile a single call may take before its error is surfaced. */
export const maxRounds = 8;
/** Codes after which the server may or may not have applied the call. */
const unknownOutcome = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Aborted, Code.Unknown]);

/**
 * Consecutive failed attempts of one call, over all its rounds, of the codes that are retried or leave
 * an outcome unknown (an ALREADY_EXISTS met on the way neither counts nor ends it); a success ends it.
 * When an add gives up, this is its cause.
 */
export interface FailureStreak {
  readonly attempts: number;
  readonly last: ApiError | undefined;
}

/** Where one call stands between the things that happen to it. */
export interface CallState {
  /** Its requests not yet confirmed in the batch: what the next round sends. */
  readonly pending: readonly EncodedRequest[];
  /** The round under way, 1 for the first send; each send again is the next. */
  readonly round: number;
  /**
   * Whether an attempt of ours may have landed. Ids the batch already held were never sent, so ids found
   * in the listing after such an attempt are this add's.
   */
  readonly mayHaveLanded: boolean;
  /** Set once a listing resumed where the last one ended failed to explain an ALREADY_EXISTS. */
  readonly fromStart: boolean;
  /** The ALREADY_EXISTS the listing under way is to explain. */
  readonly refusal: ApiError | undefined;
  /** Until when (epoch ms) a NOT_FOUND may be read-after-write lag: a batch created a moment ago may not be visible to every server yet. */
  readonly notFoundUntilMs: number;
  readonly streak: FailureStreak;
}

/** What happened to a call: the answer to the last action, or one attempt of a send under way. */
export type CallOutcome =
  /** One attempt inside a send ended (the transport's `onAttempt`): undefined for a success, else its error. */
  | { readonly kind: "attempt"; readonly error: ApiError | undefined }
  /** The send succeeded: the server applied every pending request. */
  | { readonly kind: "applied" }
  /** The send failed at `atMs`; `aborted` when the caller's signal had fired by then. */
  | { readonly kind: "failed"; readonly error: unknown; readonly atMs: number; readonly aborted: boolean }
  /** The listing asked for found these of the asked ids in the batch. */
  | { readonly kind: "listed"; readonly found: ReadonlySet<string> }
  /** The listing asked for failed. */
  | { readonly kind: "listFailed"; readonly error: unknown };

/** What to do next, in order. */
export type CallAction =
  /** Send the pending requests, as the round the new state names. */
  | { readonly do: "send" }
  /** Wait the backoff of round `round`, at most `atMostMs`; when the add's deadline would cut the wait off, end the call with `error`. */
  | { readonly do: "pause"; readonly round: number; readonly atMostMs: number; readonly error: ApiError }
  /** Learn which of `ids` the batch holds, by a listing begun no earlier than `notBeforeMs`, read from the start if `fromStart`. */
  | { readonly do: "list"; readonly ids: ReadonlySet<string>; readonly notBeforeMs: number; readonly fromStart: boolean }
  /** Requests now confirmed in the batch: `added` by this add, `alreadyPresent` there before it. */
  | { readonly do: "confirm"; readonly added: number; readonly alreadyPresent: number }
  /** Every request of the call is confirmed. */
  | { readonly do: "done" }
  /** The call ends with `error`; its requests not confirmed stay unknown to this add (a re-run sends them). */
  | { readonly do: "fail"; readonly error: unknown };

export interface Reconciled {
  readonly state: CallState;
  readonly actions: readonly CallAction[];
}

const send: CallAction = { do: "send" };
const done: CallAction = { do: "done" };
const noActions: readonly CallAction[] = [];
const noStreak: FailureStreak = { attempts: 0, last: undefined };

/** A call of `requests` about to be sent for the first time. */
export function startCall(requests: readonly EncodedRequest[], notFoundUntilMs: number): Reconciled {
  return {
    state: { pending: requests, round: 1, mayHaveLanded: false, fromStart: false, refusal: undefined, notFoundUntilMs, streak: noStreak },
    actions: [send],
  };
}

/**
 * The state a call is in after `outcome`, and what to do about it. Exactly once rests on the batch's own
 * listing, never on what an error says: a call whose outcome is unknown is sent again (an add is atomic:
 * it landed whole or not at all, and the answer to sending it again tells which); one the server refuses
 * with ALREADY_EXISTS is checked against the listing, and only the requests it lacks are sent again.
 */
export function reconcile(state: CallState, outcome: CallOutcome): Reconciled {
  switch (outcome.kind) {
    case "attempt":
      return { state: afterAttempt(state, outcome.error), actions: noActions };
    case "applied":
      return { state: { ...state, pending: [] }, actions: [{ do: "confirm", added: state.pending.length, alreadyPresent: 0 }, done] };
    case "failed":
      return afterFailure(state, outcome.error, outcome.atMs, outcome.aborted);
    case "listed":
      return afterListing(state, outcome.found);
    case "listFailed":
      // The check itself failed transiently: sending again is safe (atomic, and ids the batch holds are
      // refused), and the next round checks again, reading on from the pages already seen.
      if (outcome.error instanceof ApiError && unknownOutcome.has(outcome.error.code))
        return sendAgain(state, pause(state.round, outcome.error));
      return fail(state, outcome.error);
  }
}

function afterAttempt(state: CallState, error: ApiError | undefined): CallState {
  if (error === undefined) return state.streak === noStreak ? state : { ...state, streak: noStreak };
  if (!countsInStreak(error)) return state;
  return {
    ...state,
    streak: { attempts: state.streak.attempts + 1, last: error },
    mayHaveLanded: state.mayHaveLanded || unknownOutcome.has(error.code),
  };
}

function afterFailure(state: CallState, error: unknown, atMs: number, aborted: boolean): Reconciled {
  if (!(error instanceof ApiError) || aborted) return fail(state, error);
  // The grace is a time, not a number of rounds: quick rounds must not use it up before the lag ends,
  // and the last pause ends with it, so a batch that never appears fails when the grace does.
  const graceLeftMs = state.notFoundUntilMs - atMs;
  if (error.code === Code.NotFound && graceLeftMs > 0) return sendAgain(state, pause(Math.min(state.round, maxRounds), error, graceLeftMs));
  if (state.round >= maxRounds)
    return fail(state, error.code === Code.AlreadyExists ? unexplainedConflict(error, state.pending.length) : error);
  const unknown = unknownOutcome.has(error.code);
  if (!unknown && error.code !== Code.AlreadyExists) return fail(state, error);
  if (state.pending.some((r) => r.id === undefined)) return fail(state, error); // without ids nothing can be verified
  // It landed whole or not at all; sending it again tells which (success, or ALREADY_EXISTS to check).
  if (unknown) return sendAgain({ ...state, mayHaveLanded: true }, pause(state.round, error));
  const ids = new Set(state.pending.map((r) => r.id!));
  return { state: { ...state, refusal: error }, actions: [{ do: "list", ids, notBeforeMs: atMs, fromStart: state.fromStart }] };
}

function afterListing(state: CallState, found: ReadonlySet<string>): Reconciled {
  // Refused, yet none of its ids is listed: read the listing from the start next time (its order or its
  // tokens may not be what a resumed read assumes), after a pause (it may lag behind).
  if (found.size === 0) return sendAgain({ ...state, fromStart: true }, pause(state.round, state.refusal!));
  const confirm: CallAction = state.mayHaveLanded
    ? { do: "confirm", added: found.size, alreadyPresent: 0 }
    : { do: "confirm", added: 0, alreadyPresent: found.size };
  const pending = state.pending.filter((r) => !found.has(r.id!));
  if (pending.length === 0) return { state: { ...state, pending }, actions: [confirm, done] };
  return sendAgain({ ...state, pending }, confirm);
}

function sendAgain(state: CallState, before: CallAction): Reconciled {
  return { state: { ...state, round: state.round + 1 }, actions: [before, send] };
}

function pause(round: number, error: ApiError, atMostMs = Number.POSITIVE_INFINITY): CallAction {
  return { do: "pause", round, atMostMs, error };
}

function fail(state: CallState, error: unknown): Reconciled {
  return { state, actions: [{ do: "fail", error }] };
}

/** Whether a failed attempt of this code is part of a streak. */
function countsInStreak(error: ApiError): boolean {
  return unknownOutcome.has(error.code) || error.code === Code.ResourceExhausted;
}

/** How one call, or the add around it, stopped: the error, and the call's streak of failures if a call stopped. */
export interface Stopped {
  readonly error: unknown;
  readonly streak?: FailureStreak;
}

/**
 * The error an add that stopped throws. One the caller's signal stopped between calls (planning, a pause
 * between rounds, the source) rather than in one reads as the same CANCELED an aborted call gives, so an
 * abort reads one way wherever it lands; any ApiError names the failure that made the add stop.
 */
export function addError(stopped: Stopped, aborted: boolean, progress: AddProgress, batchId: string): unknown {
  const { error } = stopped;
  if (aborted && !(error instanceof ApiError) && !(error instanceof InputError)) {
    const cancelled = new ApiError({
      code: Code.Canceled,
      method: "AddBatchRequests",
      rawMessage: error instanceof Error ? error.message : String(error),
      cause: error,
    });
    return gaveUp(cancelled, undefined, progress, batchId);
  }
  return error instanceof ApiError ? gaveUp(error, stopped.streak, progress, batchId) : error;
}

/**
 * The failure that made the add stop (the streak's, not a symptom such as an ALREADY_EXISTS met on the
 * way), what the add had confirmed by then, and that a re-run finishes it.
 */
function gaveUp(error: ApiError, streak: FailureStreak | undefined, progress: AddProgress, batchId: string): ApiError {
  // A refusal that names its own cause (CANCELED, INVALID_ARGUMENT, ...) is the cause, whatever came before.
  const streakLast = error.code === Code.AlreadyExists || countsInStreak(error) ? streak?.last : undefined;
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
