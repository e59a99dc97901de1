import type { RetryBudgetOptions } from "../../core/retry-options.js";

/**
 * A token bucket shared by every call of a client, in the spirit of gRPC's retryThrottling: failures
 * drain it, successes refill it slowly, and retries stop while it is at or below half. A service that is
 * down then sees roughly one attempt per call, not `maxAttempts`, so clients do not turn an outage into
 * a retry storm.
 */
export class RetryBudget {
  private tokens: number;

  constructor(private readonly options: RetryBudgetOptions) {
    this.tokens = options.maxTokens;
  }

  /** Records a failure that could be retried. */
  recordFailure(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** Records a success. */
  recordSuccess(): void {
    this.tokens = Math.min(this.options.maxTokens, this.tokens + this.options.tokenRatio);
  }

  /** Whether a retry may be made now. */
  get allowsRetry(): boolean {
    return this.tokens > this.options.maxTokens / 2;
  }
}
