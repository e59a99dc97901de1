import { create } from "@bufbuild/protobuf";
import type { Code } from "@connectrpc/connect";
import { ApiError } from "../../src/core/errors.js";
import { QuotaFailureSchema, RetryInfoSchema, type QuotaFailure, type RetryInfo } from "../../src/core/internal/wire.js";

/** A RetryInfo asking for `seconds` + `nanos` of wait (1.5 s by default). */
export function retryInfo(seconds = 1n, nanos = 500_000_000): RetryInfo {
  return create(RetryInfoSchema, { retryDelay: { seconds, nanos } });
}

/** A QuotaFailure naming one exceeded quota. */
export function quotaFailure(): QuotaFailure {
  return create(QuotaFailureSchema, { violations: [{ subject: "team:t1", description: "add requests per minute" }] });
}

/** What a test varies about a failed call: its code, the metadata the server sent, and its decoded details. */
export interface ErrorShape {
  code: Code;
  metadata?: Record<string, string>;
  retryInfo?: RetryInfo;
  quotaFailure?: QuotaFailure;
}

/** An ApiError built the way a caller would build one directly, with no precomputed hint. */
export function apiError(shape: ErrorShape): ApiError {
  return new ApiError({
    code: shape.code,
    rawMessage: "failed",
    method: "AddBatchRequests",
    details: {
      ...(shape.retryInfo ? { retryInfo: shape.retryInfo } : {}),
      ...(shape.quotaFailure ? { quotaFailure: shape.quotaFailure } : {}),
    },
    metadata: new Headers(shape.metadata ?? {}),
  });
}
