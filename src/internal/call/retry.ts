import { Code } from "@connectrpc/connect";
import type { ApiError } from "../../core/errors.js";
import { readRetryHint } from "../../core/internal/retry-hints.js";
import type { Backoff, RetryEvent, RetryOptions } from "../../core/retry-options.js";

/** Whether to try again, and after how long. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly reason: RetryEvent["reason"] }
  | { readonly retry: false; readonly why: string };

/** The facts a retry decision rests on. */
export interface AttemptOutcome {
  readonly error: ApiError;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Milliseconds left of the call's deadline, or undefined when it has none. */
  readonly remainingMs: number | undefined;
  readonly aborted: boolean;
  readonly budgetAllows: boolean;
  /**
   * The attempt belongs to a long operation (an add, a listing it reconciles with) that must ride out a
   * sustained failure rate: a spent budget slows its retries down instead of ending them.
   */
  readonly patient?: boolean;
}

/**
 * Decides whether a failed attempt is retried: never what cannot succeed (a code not in the list, a
 * RESOURCE_EXHAUSTED that is not a quota, a negative pushback, an aborted call, a deadline that would pass
 * during the wait); otherwise after the server's hint (clamped), else after full-jitter backoff. A spent
 * budget stops a short call's retries, but only slows a patient one's (see throttledDelayMs).
 * `random` returns [0, 1) and is injected so the schedule can be tested.
 */
export function decideRetry(outcome: AttemptOutcome, options: RetryOptions, random: () => number = Math.random): RetryDecision {
  const { error } = outcome;
  if (outcome.aborted) return { retry: false, why: "the call was aborted" };
  if (!options.retryableCodes.includes(error.code)) return { retry: false, why: "the code is not retryable" };
  const hint = readRetryHint(error.details.retryInfo?.retryDelay, error.metadata);
  if (hint.doNotRetry) return { retry: false, why: "the server asked not to retry" };
  const quota = error.code === Code.ResourceExhausted;
  if (quota && !error.isQuotaError)
    return { retry: false, why: "RESOURCE_EXHAUSTED without a quota signal (e.g. a message over the size limit) cannot succeed on retry" };
  if (outcome.attempt >= options.maxAttempts) return { retry: false, why: `all ${options.maxAttempts} attempts failed` };
  const throttled = !outcome.budgetAllows;
  if (throttled && outcome.patient !== true) return { retry: false, why: "the retry budget is spent (the service keeps failing)" };
  const backoff = quota ? options.quotaBackoff : options.transientBackoff;
  const delayMs =
    hint.delayMs !== undefined
      ? Math.min(hint.delayMs, options.maxHintMs)
      : throttled
        ? throttledDelayMs(backoff, random)
        : backoffDelayMs(outcome.attempt, backoff, random);
  if (outcome.remainingMs !== undefined && delayMs >= outcome.remainingMs) {
    return {
      retry: false,
      why: `the deadline passes before the next attempt could start (${delayMs} ms wait, ${outcome.remainingMs} ms left)`,
    };
  }
  return { retry: true, delayMs, reason: hint.source ?? (throttled ? "throttled" : "backoff") };
}

/** Full jitter: a uniform delay up to the capped exponential, so retrying clients spread out instead of colliding. */
export function backoffDelayMs(attempt: number, backoff: Backoff, random: () => number): number {
  const cap = Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** (attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * The wait of a patient retry while the budget is spent: between half and all of the longest backoff,
 * so a long operation keeps going at a fraction of its pace without the retry storm the budget exists
 * to prevent, and its concurrent calls still spread out.
 */
export function throttledDelayMs(backoff: Backoff, random: () => number): number {
  return Math.floor(backoff.maxMs * (0.5 + random() / 2));
}

/** The retry options a client starts from (documented on RetryOptions). */
export const defaultRetryOptions: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 5,
  retryableCodes: Object.freeze([Code.ResourceExhausted, Code.Unavailable]),
  transientBackoff: Object.freeze({ initialMs: 100, maxMs: 5_000, multiplier: 2 }),
  quotaBackoff: Object.freeze({ initialMs: 1_000, maxMs: 30_000, multiplier: 2 }),
  maxHintMs: 60_000,
  budget: Object.freeze({ maxTokens: 10, tokenRatio: 0.1 }),
  onRetry: undefined,
});
