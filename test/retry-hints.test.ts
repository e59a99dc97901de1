import { create } from "@bufbuild/protobuf";
import { DurationSchema, type Duration } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { readRetryHint, type RetryHint } from "../src/core/internal/retry-hints.js";

const now = Date.parse("2025-06-01T12:00:00Z");
const read = (metadata: Record<string, string>, retryDelay?: Duration) => readRetryHint(retryDelay, new Headers(metadata), now);
const duration = (seconds: bigint, nanos: number) => create(DurationSchema, { seconds, nanos });
const hint = (delayMs: number | undefined, source: RetryHint["source"], doNotRetry = false): RetryHint => ({ delayMs, doNotRetry, source });
const none = hint(undefined, undefined);

describe("readRetryHint", () => {
  it.each<[string, Record<string, string>, Duration | undefined, RetryHint]>([
    [
      "RetryInfo, to the millisecond, over every header",
      { "grpc-retry-pushback-ms": "10", "retry-after": "99" },
      duration(2n, 345_678_901),
      hint(2_345, "retry-info"),
    ],
    ["RetryInfo over a negative pushback", { "grpc-retry-pushback-ms": "-1" }, duration(1n, 0), hint(1_000, "retry-info")],
    ["a trimmed pushback over retry-after", { "grpc-retry-pushback-ms": " 750 ", "retry-after": "9" }, undefined, hint(750, "pushback")],
    [
      "a negative pushback as the server asking not to retry",
      { "grpc-retry-pushback-ms": "-1" },
      undefined,
      hint(undefined, "pushback", true),
    ],
    [
      "retry-after when the pushback is garbage",
      { "grpc-retry-pushback-ms": "soon", "retry-after": "4" },
      undefined,
      hint(4_000, "retry-after"),
    ],
    ["nothing when the server said nothing", { "content-type": "application/grpc" }, undefined, none],
  ])("reads %s", (_name, metadata, retryDelay, expected) => {
    expect(read(metadata, retryDelay)).toEqual(expected);
  });

  it.each([
    ["3", 3_000],
    ["0", 0],
    ["1.5", 1_500],
    ["Sun, 01 Jun 2025 12:00:30 GMT", 30_000],
    ["Sunday, 01-Jun-25 12:01:00 GMT", 60_000],
    ["Sun Jun  1 12:00:05 2025", 5_000],
    ["Sun, 01 Jun 2025 11:59:00 GMT", 0],
  ])("reads retry-after %j as seconds or an HTTP date relative to now", (value, delayMs) => {
    expect(read({ "retry-after": value })).toEqual(hint(delayMs, "retry-after"));
  });

  it.each([
    ["grpc-retry-pushback-ms", "soon"],
    ["grpc-retry-pushback-ms", "1.5"],
    ["grpc-retry-pushback-ms", "100ms"],
    ["retry-after", "soon"],
    ["retry-after", "5s"],
    ["retry-after", "-5"],
    ["retry-after", "x 1"],
    ["retry-after", "later 2020"],
  ])("ignores a garbage %s of %j", (name, value) => {
    expect(read({ [name]: value })).toEqual(none);
  });
});
