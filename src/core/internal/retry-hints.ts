import type { Duration } from "@bufbuild/protobuf/wkt";

/** What the server said about when (or whether) to try again. */
export interface RetryHint {
  /** Milliseconds the server asked the client to wait; undefined when it said nothing. */
  readonly delayMs: number | undefined;
  /** A negative `grpc-retry-pushback-ms` means the server asks not to retry at all (gRPC A6). */
  readonly doNotRetry: boolean;
  /** Where the hint came from, for diagnostics and `onRetry` hooks. */
  readonly source: "retry-info" | "pushback" | "retry-after" | undefined;
}

const none: RetryHint = Object.freeze({ delayMs: undefined, doNotRetry: false, source: undefined });

/**
 * Reads the server's retry hint. `google.rpc.RetryInfo` is the most specific signal and wins; then gRPC's
 * `grpc-retry-pushback-ms`; then an HTTP-style `retry-after` (seconds or an HTTP date) that proxies add.
 */
export function readRetryHint(retryDelay: Duration | undefined, metadata: Headers, nowMs: number = Date.now()): RetryHint {
  if (retryDelay !== undefined) {
    const ms = Number(retryDelay.seconds) * 1000 + Math.floor(retryDelay.nanos / 1e6);
    return { delayMs: Math.max(0, ms), doNotRetry: false, source: "retry-info" };
  }
  const pushback = metadata.get("grpc-retry-pushback-ms");
  if (pushback !== null && /^-?\d+$/.test(pushback.trim())) {
    const ms = Number(pushback.trim());
    return ms < 0 ? { delayMs: undefined, doNotRetry: true, source: "pushback" } : { delayMs: ms, doNotRetry: false, source: "pushback" };
  }
  const retryAfter = metadata.get("retry-after");
  if (retryAfter !== null) {
    const ms = parseRetryAfter(retryAfter.trim(), nowMs);
    if (ms !== undefined) return { delayMs: ms, doNotRetry: false, source: "retry-after" };
  }
  return none;
}

function parseRetryAfter(value: string, nowMs: number): number | undefined {
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // Date.parse guesses at almost anything ("-5", "x 1" parse as dates in 2001); an HTTP-date starts with a day name and has a time.
  if (!/^[A-Za-z]{3,9},? .*\d\d:\d\d:\d\d/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
