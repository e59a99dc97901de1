import { describe, expect, it } from "vitest";
import { RetryBudget } from "../../src/internal/call/retry-budget.js";

function times(n: number, f: () => void): void {
  for (let i = 0; i < n; i++) f();
}

describe("RetryBudget", () => {
  it("allows retries while fewer than half the tokens are spent", () => {
    const budget = new RetryBudget({ maxTokens: 10, tokenRatio: 0.1 });
    expect(budget.allowsRetry).toBe(true);
    times(4, () => budget.recordFailure());
    expect(budget.allowsRetry).toBe(true);
  });

  it("stops retries once a storm of failures drains it to half", () => {
    const budget = new RetryBudget({ maxTokens: 10, tokenRatio: 0.1 });
    times(5, () => budget.recordFailure());
    expect(budget.allowsRetry).toBe(false);
    times(100, () => budget.recordFailure());
    expect(budget.allowsRetry).toBe(false);
  });

  it("needs tokenRatio worth of successes per token to come back above half", () => {
    const budget = new RetryBudget({ maxTokens: 10, tokenRatio: 0.5 });
    times(5, () => budget.recordFailure()); // 5 tokens: at half, closed
    budget.recordSuccess(); // 5.5
    expect(budget.allowsRetry).toBe(true);
  });

  it("does not go below zero, so recovery after a long outage is bounded", () => {
    const budget = new RetryBudget({ maxTokens: 4, tokenRatio: 1 });
    times(1_000, () => budget.recordFailure()); // 0 tokens, not -996
    times(2, () => budget.recordSuccess()); // 2: at half, still closed
    expect(budget.allowsRetry).toBe(false);
    budget.recordSuccess(); // 3
    expect(budget.allowsRetry).toBe(true);
  });

  it("never holds more than maxTokens, so a long run of successes buys no extra retries", () => {
    const budget = new RetryBudget({ maxTokens: 10, tokenRatio: 1 });
    times(50, () => budget.recordSuccess());
    times(4, () => budget.recordFailure()); // 6 left if capped at 10
    expect(budget.allowsRetry).toBe(true);
    budget.recordFailure(); // 5: at half
    expect(budget.allowsRetry).toBe(false);
  });
});
