import { Code, ConnectError, createContextValues, type CallOptions as ConnectCallOptions } from "@connectrpc/connect";
import type { Span } from "@opentelemetry/api";
import { randomUUID } from "node:crypto";
import { ApiError, InputError } from "../../core/errors.js";
import { toApiError } from "../../core/internal/to-api-error.js";
import type { CallOptions } from "../../core/call-options.js";
import type { AttemptObserver, CallObserver } from "./call-observer.js";
import { Deadline, resolveTimeoutMs } from "./deadline.js";
import type { RpcName } from "../../core/timeouts.js";
import type { Permit, QuotaKind, QuotaLimiter } from "../../core/quota.js";
import type { RetryEvent, RetryOptions } from "../../core/retry-options.js";
import { onCallSent } from "../transport/call-sent.js";
import { decideRetry } from "./retry.js";
import type { RetryBudget } from "./retry-budget.js";
import { sleep } from "../../core/internal/sleep.js";
import { checkInteger, checkKnownKeys } from "../../core/internal/validate.js";

export const callOptionKeys = ["timeoutMs", "signal", "metadata"] as const;

/** What the call path needs from the client; built once per Client. */
export interface CallContext {
  /** Metadata sent on every call: authorization, user-agent and the client's custom metadata. */
  readonly headers: Headers;
  /** Strings that must never appear in an error (the API key). */
  readonly secrets: readonly string[];
  /** The client-wide deadline, overriding the per-RPC defaults. */
  readonly timeoutMs: number | undefined;
  readonly retry: RetryOptions;
  readonly budget: RetryBudget;
  readonly quota: QuotaLimiter;
  /** Telemetry and logging of every attempt and retry. */
  readonly observer: CallObserver;
  /** Randomness for backoff jitter; injectable for tests. */
  readonly random: () => number;
  /** Throws when the client has been closed. */
  assertOpen(): void;
  /** Whether the client has been closed: calls it cut off are CANCELED, not a lost connection to retry. */
  isClosed(): boolean;
}

/** What long operations (add, wait, list iteration) pass to each call they make. */
export interface CallHooks {
  /** The operation's overall deadline; each call ends by it even if its own would be later. */
  readonly overall?: Deadline;
  /** Told of every retry of this call. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Told how long the call waited for its quota slot. */
  readonly onQuotaWait?: (ms: number) => void;
  /** Told the moment an attempt's request was written to the socket (only on the library's own connection). */
  readonly onSent?: () => void;
  /** Told how each attempt ended: undefined for a success, else its error. */
  readonly onAttempt?: (error: ApiError | undefined) => void;
  /** A long operation: a spent retry budget slows its retries down rather than ending them. */
  readonly patient?: boolean;
  /** The span of the operation the call is part of, the parent of each attempt's span. */
  readonly span?: Span;
}

/** Header names the library owns; a caller setting them would break auth, framing or deadlines. */
const reservedHeaders = new Set([
  "authorization",
  "content-type",
  "te",
  "grpc-timeout",
  "grpc-encoding",
  "grpc-accept-encoding",
  "x-request-id",
]);

/** The request id header: one value per logical call, the same on every attempt, so the server can tie attempts together. */
export const requestIdHeader = "x-request-id";

const quotaKinds: Partial<Record<RpcName, QuotaKind>> = { CreateBatch: "create", AddBatchRequests: "add" };

/**
 * The one path every unary call takes: it checks the options, sets metadata, waits for quota, and makes
 * attempts until one succeeds or retrying cannot help, all within one deadline. `send` performs one
 * attempt with the Connect options it is given (its own `timeoutMs`: what is left of the deadline,
 * since the transport fixes each attempt's deadline itself). Failures surface as ApiError, the last
 * attempt's, with `attempts` set.
 */
export async function callUnary<T>(
  ctx: CallContext,
  rpc: RpcName,
  options: CallOptions | undefined,
  send: (options: ConnectCallOptions) => Promise<T>,
  hooks: CallHooks = {},
): Promise<T> {
  ctx.assertOpen();
  checkCallOptions(options);
  const { headers, requestId } = callHeaders(ctx, options);
  const deadline = Deadline.earliest(Deadline.after(resolveTimeoutMs(rpc, options?.timeoutMs, ctx.timeoutMs)), hooks.overall);
  const signal = options?.signal;
  const kind = quotaKinds[rpc];
  for (let attempt = 1; ; attempt++) {
    let error: ApiError;
    const observed = ctx.observer.attempt(rpc, attempt, requestId, hooks.span);
    try {
      // Most RPCs have no quota: they are sent at once, without the slot's extra promise.
      const result = await (kind === undefined
        ? send(attemptOptions(headers, deadline, signal, undefined, hooks.onSent))
        : sendWithPermit(ctx.quota, kind, deadline, signal, hooks, observed, (permit) =>
            send(attemptOptions(headers, deadline, signal, permit, hooks.onSent)),
          ));
      ctx.budget.recordSuccess();
      observed.end(undefined);
      hooks.onAttempt?.(undefined);
      return result;
    } catch (reason) {
      const mapped = toApiError(
        signal?.aborted && reason === signal.reason ? cancelledBy(reason) : reason,
        rpc,
        ctx.secrets,
        (signal?.aborted ?? false) || ctx.isClosed(),
      );
      observed.end(mapped);
      if (!(mapped instanceof ApiError)) throw mapped;
      error = mapped;
    }
    error.attempts = attempt;
    error.requestId ??= requestId;
    hooks.onAttempt?.(error);
    if (kind !== undefined && error.isQuotaError && error.retryAfterMs !== undefined) {
      ctx.quota.pause(kind, Date.now() + Math.min(error.retryAfterMs, ctx.retry.maxHintMs));
    }
    if (ctx.retry.retryableCodes.includes(error.code)) ctx.budget.recordFailure();
    const decision = decideRetry(
      {
        error,
        attempt,
        remainingMs: deadline.remainingMs(),
        aborted: signal?.aborted ?? false,
        budgetAllows: ctx.budget.allowsRetry,
        patient: hooks.patient,
      },
      ctx.retry,
      ctx.random,
    );
    if (!decision.retry) throw error;
    const event = { method: rpc, attempt, delayMs: decision.delayMs, error, reason: decision.reason };
    ctx.retry.onRetry?.(event);
    hooks.onRetry?.(event);
    ctx.observer.retry(event, requestId, hooks.span);
    await sleep(decision.delayMs, signal).catch((abort: unknown) => {
      throw toApiError(cancelledBy(abort), rpc, ctx.secrets);
    });
  }
}

/**
 * The caller's abort reason as Connect reports a call aborted in flight: CANCELED, in the reason's words.
 * An abort met elsewhere (waiting for quota, backing off) rejects with the bare reason, which would
 * otherwise read as UNKNOWN.
 */
function cancelledBy(reason: unknown): unknown {
  if (reason instanceof ConnectError || reason instanceof ApiError) return reason;
  return new ConnectError(reason instanceof Error ? reason.message : String(reason), Code.Canceled, undefined, undefined, reason);
}

/** The metadata of one logical call: the client's, the caller's, and a fresh request id shared by its attempts. */
function callHeaders(ctx: CallContext, options: CallOptions | undefined): { headers: Headers; requestId: string } {
  const headers = new Headers(ctx.headers);
  for (const [key, value] of Object.entries(options?.metadata ?? {})) headers.set(key, value);
  const requestId = randomUUID();
  headers.set(requestIdHeader, requestId);
  return { headers, requestId };
}

/**
 * The Connect options of a call made once, outside `callUnary` (a server stream read as it arrives cannot
 * be retried): the same metadata and deadline a unary call gets. Options must have been checked.
 */
export function singleCallOptions(ctx: CallContext, rpc: RpcName, options: CallOptions | undefined): ConnectCallOptions {
  ctx.assertOpen();
  return {
    headers: callHeaders(ctx, options).headers,
    signal: options?.signal,
    timeoutMs: resolveTimeoutMs(rpc, options?.timeoutMs, ctx.timeoutMs),
  };
}

/** One attempt inside its quota slot; the slot is released as soon as the attempt settles. */
async function sendWithPermit<T>(
  quota: QuotaLimiter,
  kind: QuotaKind,
  deadline: Deadline,
  signal: AbortSignal | undefined,
  hooks: CallHooks,
  observed: AttemptObserver,
  send: (permit: Permit) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const permit = await waitForQuota(quota, kind, deadline, signal);
  const waitedMs = Date.now() - started;
  observed.quotaWaited(waitedMs);
  hooks.onQuotaWait?.(waitedMs);
  try {
    return await send(permit);
  } finally {
    permit.release();
  }
}

/** The Connect options of one attempt: its share of the deadline, and who is told when it is written. */
function attemptOptions(
  headers: Headers,
  deadline: Deadline,
  signal: AbortSignal | undefined,
  permit: Permit | undefined,
  onSent: (() => void) | undefined,
): ConnectCallOptions {
  return { headers, timeoutMs: attemptTimeoutMs(deadline), signal, contextValues: sentContext(permit, onSent) };
}

/** Carries who wants to know to the connection, which alone sees the request leave (see CallSentWatch). */
function sentContext(permit: Permit | undefined, onSent: (() => void) | undefined): ConnectCallOptions["contextValues"] {
  if (permit?.sent === undefined && onSent === undefined) return undefined;
  return createContextValues().set(onCallSent, () => {
    permit?.sent?.();
    onSent?.();
  });
}

/** The transport wants a whole, positive number of ms, or undefined for no deadline. */
function attemptTimeoutMs(deadline: Deadline): number | undefined {
  const remaining = deadline.remainingMs();
  return remaining === undefined ? undefined : Math.max(1, Math.ceil(remaining));
}

async function waitForQuota(quota: QuotaLimiter, kind: QuotaKind, deadline: Deadline, signal: AbortSignal | undefined): Promise<Permit> {
  const remaining = deadline.remainingMs();
  if (remaining === undefined) return quota.acquire(kind, signal);
  // Waiting for quota spends the call's deadline too; a wait that outlasts it ends as DEADLINE_EXCEEDED.
  const timeout = AbortSignal.timeout(Math.max(1, remaining));
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  try {
    return await quota.acquire(kind, combined);
  } catch (reason) {
    // Only the deadline's own timeout is a deadline error; a limiter's failure (a shared store that cannot be reached) is its own.
    if (signal?.aborted || !timeout.aborted) throw reason;
    throw new ConnectError(`waited for ${kind} quota until the deadline passed`, Code.DeadlineExceeded);
  }
}

/** Validates call options, including those mixed into a method's own options object. */
export function checkCallOptions(options: CallOptions | undefined): void {
  if (options === undefined) return;
  checkInteger("timeoutMs", options.timeoutMs, 0, 2_147_483_647);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InputError("Expected `signal` to be an AbortSignal.");
  }
  checkMetadata("metadata", options.metadata);
}

/** Refuses metadata that is not string-to-string or that would overwrite a header the library owns. */
export function checkMetadata(name: string, metadata: Record<string, string> | undefined): void {
  if (metadata === undefined) return;
  checkKnownKeys(name, metadata, Object.keys(metadata));
  for (const [key, value] of Object.entries(metadata)) {
    const lower = key.toLowerCase();
    if (reservedHeaders.has(lower) || lower.startsWith("grpc-") || lower.startsWith(":")) {
      throw new InputError(`\`${name}\` may not set "${key}": the client sets it itself.`);
    }
    if (!/^[a-z0-9_.-]+$/.test(lower)) {
      throw new InputError(`\`${name}\` key "${key}" is not a valid gRPC metadata name (letters, digits, "-", "_", ".").`);
    }
    if (typeof value !== "string") {
      throw new InputError(`\`${name}\` value for "${key}" must be a string, got ${typeof value}.`);
    }
    if (lower.endsWith("-bin")) {
      throw new InputError(`\`${name}\` key "${key}": binary (-bin) metadata is not supported; send text metadata.`);
    }
  }
}
