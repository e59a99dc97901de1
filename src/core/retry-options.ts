// What is retried and how: the public types of the Client's `retry` option.
import type { Code } from "@connectrpc/connect";
import type { ApiError } from "./errors.js";

/** Settings of the retry budget (gRPC's retryThrottling). */
export interface RetryBudgetOptions {
  /** Tokens the bucket holds; each retryable failure takes one. @default 10 */
  maxTokens: number;
  /** Tokens each success puts back. @default 0.1 */
  tokenRatio: number;
}

/** An exponential backoff schedule. */
export interface Backoff {
  /** Cap of the first retry's delay. */
  initialMs: number;
  /** Largest delay. */
  maxMs: number;
  /** Growth of the cap per attempt. */
  multiplier: number;
}

/** What is retried, and how long to wait between attempts. */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 turns retries off. @default 5 */
  maxAttempts: number;
  /** Codes worth another attempt; a RESOURCE_EXHAUSTED only when the server marks it a quota. @default [RESOURCE_EXHAUSTED, UNAVAILABLE] */
  retryableCodes: readonly Code[];
  /** Backoff after transient failures such as UNAVAILABLE. @default { initialMs: 100, maxMs: 5_000, multiplier: 2 } */
  transientBackoff: Backoff;
  /** Backoff after a quota error that came without a hint; quotas refill in seconds. @default { initialMs: 1_000, maxMs: 30_000, multiplier: 2 } */
  quotaBackoff: Backoff;
  /** Longest server-requested wait honoured; longer hints are clamped to it. @default 60_000 */
  maxHintMs: number;
  /** The client-wide retry budget. @default { maxTokens: 10, tokenRatio: 0.1 } */
  budget: RetryBudgetOptions;
  /** Called before each retry with the attempt that failed, the delay and the reason. @default none */
  onRetry: ((event: RetryEvent) => void) | undefined;
}

/** What `onRetry` is told. */
export interface RetryEvent {
  /** The RPC being retried. */
  readonly method: string;
  /** The attempt that just failed, from 1. */
  readonly attempt: number;
  /** How long the client waits before the next attempt. */
  readonly delayMs: number;
  /** The error of the failed attempt. */
  readonly error: ApiError;
  /** Why it is retried: the server's hint or the backoff schedule. */
  /**
   * Why it is retried: the server's hint, the backoff schedule, or, for a long operation while the retry
   * budget is spent, the slower "throttled" schedule.
   */
  readonly reason: "retry-info" | "pushback" | "retry-after" | "backoff" | "throttled";
}
