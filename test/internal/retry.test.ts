import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, decideRetry, throttledDelayMs, type AttemptOutcome } from "../../src/internal/call/retry.js";
import { defaultRetryOptions } from "../../src/internal/call/retry.js";
import type { Backoff, RetryOptions } from "../../src/core/retry-options.js";
import { apiError, quotaFailure, retryInfo, type ErrorShape } from "../support/errors.js";

const options: RetryOptions = {
  ...defaultRetryOptions,
  maxAttempts: 3,
  transientBackoff: { initialMs: 100, maxMs: 1_000, multiplier: 2 },
  quotaBackoff: { initialMs: 1_000, maxMs: 30_000, multiplier: 2 },
  maxHintMs: 10_000,
};

/** A random source fixed at one half, so a backoff delay is exactly half its cap. */
const half = () => 0.5;

function decide(shape: ErrorShape, outcome: Partial<Omit<AttemptOutcome, "error">> = {}) {
  return decideRetry(
    { error: apiError(shape), attempt: 1, remainingMs: undefined, aborted: false, budgetAllows: true, ...outcome },
    options,
    half,
  );
}

describe("decideRetry: when it never retries", () => {
  const unavailable = { code: Code.Unavailable };
  it.each<[string, ErrorShape, Partial<AttemptOutcome>, RegExp]>([
    ["the caller aborted", unavailable, { aborted: true }, /aborted/],
    ["the code is not in the list", { code: Code.InvalidArgument }, {}, /code is not retryable/],
    ["INTERNAL is not in the default list", { code: Code.Internal }, {}, /code is not retryable/],
    ["RESOURCE_EXHAUSTED has no quota signal (message too large)", { code: Code.ResourceExhausted }, {}, /without a quota signal/],
    [
      "the server sent a negative grpc-retry-pushback-ms",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "-1" } },
      {},
      /asked not to retry/,
    ],
    [
      "a negative pushback on a quota error",
      { code: Code.ResourceExhausted, quotaFailure: quotaFailure(), metadata: { "grpc-retry-pushback-ms": "-1" } },
      {},
      /asked not to retry/,
    ],
    ["the last attempt failed", unavailable, { attempt: 3 }, /all 3 attempts failed/],
    ["the retry budget is spent", unavailable, { budgetAllows: false }, /budget is spent/],
    [
      "the hinted wait outlasts the deadline",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "500" } },
      { remainingMs: 400 },
      /500 ms wait, 400 ms left/,
    ],
    [
      "the hinted wait ends exactly at the deadline",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "500" } },
      { remainingMs: 500 },
      /deadline passes/,
    ],
    ["the backoff outlasts the deadline", unavailable, { remainingMs: 50 }, /50 ms wait, 50 ms left/],
  ])("when %s", (_name, shape, outcome, why) => {
    const decision = decide(shape, outcome);
    expect(decision.retry).toBe(false);
    expect(decision.retry === false && decision.why).toMatch(why);
  });
});

describe("decideRetry: when and how long it waits", () => {
  const quota = quotaFailure();
  it.each<[string, ErrorShape, Partial<AttemptOutcome>, number, string]>([
    [
      "RetryInfo wins over pushback and backoff",
      { code: Code.ResourceExhausted, retryInfo: retryInfo(), metadata: { "grpc-retry-pushback-ms": "200", "retry-after": "7" } },
      {},
      1_500,
      "retry-info",
    ],
    [
      "pushback wins over retry-after",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "250", "retry-after": "7" } },
      {},
      250,
      "pushback",
    ],
    [
      "a pushback marks RESOURCE_EXHAUSTED as a quota",
      { code: Code.ResourceExhausted, metadata: { "grpc-retry-pushback-ms": "250" } },
      {},
      250,
      "pushback",
    ],
    ["retry-after in seconds", { code: Code.Unavailable, metadata: { "retry-after": "2" } }, {}, 2_000, "retry-after"],
    ["a hint longer than maxHintMs is clamped", { code: Code.ResourceExhausted, retryInfo: retryInfo(120n, 0) }, {}, 10_000, "retry-info"],
    [
      "a hint is honoured on a later attempt unchanged",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "250" } },
      { attempt: 2 },
      250,
      "pushback",
    ],
    [
      "a hint just inside the deadline",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "250" } },
      { remainingMs: 251 },
      250,
      "pushback",
    ],
    ["transient backoff after UNAVAILABLE, attempt 1", { code: Code.Unavailable }, {}, 50, "backoff"],
    ["transient backoff after UNAVAILABLE, attempt 2", { code: Code.Unavailable }, { attempt: 2 }, 100, "backoff"],
    [
      "slower quota backoff after a hintless quota error, attempt 1",
      { code: Code.ResourceExhausted, quotaFailure: quota },
      {},
      500,
      "backoff",
    ],
    [
      "slower quota backoff after a hintless quota error, attempt 2",
      { code: Code.ResourceExhausted, quotaFailure: quota },
      { attempt: 2 },
      1_000,
      "backoff",
    ],
  ])("%s", (_name, shape, outcome, delayMs, reason) => {
    expect(decide(shape, outcome)).toEqual({ retry: true, delayMs, reason });
  });

  it("retries only codes the caller lists", () => {
    const decision = decideRetry(
      { error: apiError({ code: Code.Internal }), attempt: 1, remainingMs: undefined, aborted: false, budgetAllows: true },
      { ...options, retryableCodes: [Code.Internal] },
      half,
    );
    expect(decision).toEqual({ retry: true, delayMs: 50, reason: "backoff" });
  });
});

describe("backoffDelayMs: full jitter", () => {
  const backoff: Backoff = { initialMs: 100, maxMs: 1_000, multiplier: 2 };
  const almostOne = () => 1 - 1e-12;

  it.each([1, 2, 5, 20])("random 0 gives no wait on attempt %i", (attempt) => {
    expect(backoffDelayMs(attempt, backoff, () => 0)).toBe(0);
  });

  it.each([
    [1, 99],
    [2, 199],
    [3, 399],
    [4, 799],
    [5, 999],
    [6, 999],
    [30, 999],
  ])("random near 1 approaches the cap on attempt %i (%i ms)", (attempt, delayMs) => {
    expect(backoffDelayMs(attempt, backoff, almostOne)).toBe(delayMs);
  });

  it("grows the cap by the multiplier and stops at maxMs", () => {
    const tripling: Backoff = { initialMs: 10, maxMs: 500, multiplier: 3 };
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, tripling, half));
    expect(delays).toEqual([5, 15, 45, 135, 250, 250]);
  });

  it("spreads delays uniformly below the cap", () => {
    const randoms = [0.1, 0.25, 0.9];
    expect(randoms.map((r) => backoffDelayMs(3, backoff, () => r))).toEqual([40, 100, 360]);
  });
});

describe("a long operation's retries while the budget is spent", () => {
  const unavailable = { code: Code.Unavailable };

  it("slow down instead of stopping: a throttled wait near the longest backoff", () => {
    expect(decide(unavailable, { budgetAllows: false, patient: true })).toEqual({ retry: true, delayMs: 750, reason: "throttled" });
  });

  it("still stop a short call", () => {
    expect(decide(unavailable, { budgetAllows: false, patient: false })).toMatchObject({
      retry: false,
      why: expect.stringMatching(/budget is spent/),
    });
  });

  it("use the normal schedule while the budget allows", () => {
    expect(decide(unavailable, { budgetAllows: true, patient: true })).toEqual({ retry: true, delayMs: 50, reason: "backoff" });
  });

  it("still honour the server's hint, the attempt limit and the deadline", () => {
    expect(decide({ code: Code.ResourceExhausted, retryInfo: retryInfo(2n, 0) }, { budgetAllows: false, patient: true })).toMatchObject({
      retry: true,
      delayMs: 2_000,
      reason: "retry-info",
    });
    expect(decide(unavailable, { budgetAllows: false, patient: true, attempt: 3 })).toMatchObject({ retry: false });
    expect(decide(unavailable, { budgetAllows: false, patient: true, remainingMs: 700 })).toMatchObject({
      retry: false,
      why: expect.stringMatching(/deadline/),
    });
  });

  it.each([
    [0, 500],
    [0.5, 750],
    [1 - 1e-12, 999],
  ])("throttledDelayMs spreads over the upper half of maxMs (random %d → %i ms)", (r, delayMs) => {
    expect(throttledDelayMs({ initialMs: 100, maxMs: 1_000, multiplier: 2 }, () => r)).toBe(delayMs);
  });
});
