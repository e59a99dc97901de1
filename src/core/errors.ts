import { Code } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { readRetryHint, type RetryHint } from "./internal/retry-hints.js";
import type { BadRequest, ErrorInfo, QuotaFailure, RetryInfo } from "./internal/wire.js";

/** The standard `google.rpc` error details the server may attach to a failure, decoded. */
export interface ErrorDetails {
  /** How long the server asked the client to wait before trying again. */
  readonly retryInfo?: RetryInfo;
  /** A machine-readable reason and domain for the failure. */
  readonly errorInfo?: ErrorInfo;
  /** Which quota was exceeded; its presence marks a RESOURCE_EXHAUSTED as a quota error. */
  readonly quotaFailure?: QuotaFailure;
  /** Which request fields were invalid and why. */
  readonly badRequest?: BadRequest;
}

/**
 * A call to the Batch API failed. One type for every API failure: branch on `code` (Connect's `Code`,
 * the gRPC status code) and `retryable`, never on the message text.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  /** The gRPC status code. */
  readonly code: Code;
  /** The server's own message, without the code prefix. */
  readonly rawMessage: string;
  /** The RPC that failed, e.g. `AddBatchRequests`. */
  readonly method: string;
  /** Decoded `google.rpc` details (RetryInfo, ErrorInfo, QuotaFailure, BadRequest). */
  readonly details: ErrorDetails;
  /** Response headers and trailers the server sent with the error. */
  readonly metadata: Headers;
  /** Whether trying the same call again can succeed: UNAVAILABLE, or a RESOURCE_EXHAUSTED the server marks as a quota. */
  readonly retryable: boolean;
  /** The wait the server asked for (RetryInfo, else `grpc-retry-pushback-ms`, else `retry-after`), in ms. */
  readonly retryAfterMs: number | undefined;
  /** How many attempts were made before this error surfaced. */
  attempts = 1;
  /**
   * The `x-request-id` the client sent with the call (the same on every attempt), to quote when asking
   * xAI about it; undefined for an error that no call of this client made.
   */
  requestId: string | undefined;

  constructor(init: {
    code: Code;
    rawMessage: string;
    method: string;
    details?: ErrorDetails;
    metadata?: Headers;
    retryHint?: RetryHint;
    cause?: unknown;
  }) {
    super(`${init.method}: [${codeToString(init.code)}] ${init.rawMessage}`, { cause: init.cause });
    this.code = init.code;
    this.rawMessage = init.rawMessage;
    this.method = init.method;
    this.details = init.details ?? {};
    this.metadata = init.metadata ?? new Headers();
    const hint = init.retryHint ?? readRetryHint(this.details.retryInfo?.retryDelay, this.metadata);
    this.retryAfterMs = hint.doNotRetry ? undefined : hint.delayMs;
    this.retryable = !hint.doNotRetry && isRetryableCode(init.code, this.details, hint);
  }

  /** True when this is a RESOURCE_EXHAUSTED the server attributes to a quota rather than to message size. */
  get isQuotaError(): boolean {
    return this.code === Code.ResourceExhausted && this.retryable;
  }
}

function isRetryableCode(code: Code, details: ErrorDetails, hint: RetryHint): boolean {
  if (code === Code.Unavailable) return true;
  // RESOURCE_EXHAUSTED also means "message too large"; only the server's quota signals make it worth a retry.
  if (code === Code.ResourceExhausted) {
    return details.retryInfo !== undefined || details.quotaFailure !== undefined || hint.source !== undefined;
  }
  return false;
}

/** Where and why an input was refused; every part but `reason` is optional. */
export interface InputProblem {
  /** Position of the request in the input of `add` (from 0), when one request is at fault. */
  readonly index?: number;
  /** Its `batchRequestId` (or `custom_id`), if it has one. */
  readonly batchRequestId?: string;
  /** The field at fault, as a path such as `messages[0].role` or `body.temperature`. */
  readonly field?: string;
  /** What is wrong. */
  readonly reason: string;
  /** How to put it right. */
  readonly fix?: string;
}

/**
 * A request was refused before it reached the network: a bad argument, an unknown option, a request over
 * a limit. The message says what is wrong and how to fix it; for a request of an add, `index`,
 * `batchRequestId`, `field`, `reason` and `fix` say the same in parts, so a caller can report it its own way.
 */
export class InputError extends Error {
  override readonly name = "InputError";
  readonly index: number | undefined;
  readonly batchRequestId: string | undefined;
  readonly field: string | undefined;
  readonly reason: string;
  readonly fix: string | undefined;

  constructor(message: string | InputProblem) {
    const problem = typeof message === "string" ? { reason: message } : message;
    super(typeof message === "string" ? message : describeProblem(problem));
    this.index = problem.index;
    this.batchRequestId = problem.batchRequestId;
    this.field = problem.field;
    this.reason = problem.reason;
    this.fix = problem.fix;
  }
}

/** 'request #3 (id "a1") `model`: reason. Fix.' */
function describeProblem(p: InputProblem): string {
  const where = [
    p.index === undefined
      ? undefined
      : p.batchRequestId === undefined
        ? `request #${p.index}`
        : `request #${p.index} (id ${JSON.stringify(p.batchRequestId)})`,
    p.field === undefined ? undefined : `\`${p.field}\``,
  ].filter((part) => part !== undefined);
  return `${where.length === 0 ? "" : `${where.join(" ")}: `}${p.reason}${p.fix === undefined ? "" : `. ${p.fix}`}`;
}
