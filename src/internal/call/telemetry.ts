import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Span,
} from "@opentelemetry/api";
import { Code } from "@connectrpc/connect";
import { ApiError } from "../../core/errors.js";
import type { RetryEvent } from "../../core/retry-options.js";
import { LIBRARY_NAME } from "../../core/internal/library-name.js";
import { LIBRARY_VERSION } from "../../core/version.js";

// OpenTelemetry through its API only: without an SDK in the application every call below is a no-op of
// the API's own, and with one the spans and metrics go wherever the application sends them. Attributes
// name batches, methods, codes, counts and times; never the API key, headers or request content.

/** The gRPC service of an RPC, for `rpc.service` and the span name. */
function serviceOf(rpc: string): string {
  if (rpc.endsWith("File") || rpc.endsWith("Files") || rpc === "RetrieveFileContent") return "xai_api.Files";
  if (rpc.endsWith("Models")) return "xai_api.Models";
  return "xai_api.BatchMgmt";
}
const tracer = trace.getTracer(LIBRARY_NAME, LIBRARY_VERSION);

/** The instruments of one meter provider; rebuilt if the application installs another (the API has no proxy meter). */
interface Instruments {
  readonly provider: MeterProvider;
  readonly calls: Counter;
  readonly retries: Counter;
  readonly rejections: Counter;
  readonly quotaWait: Histogram;
}

let instruments: Instruments | undefined;

function meters(): Instruments {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments;
  const meter = provider.getMeter(LIBRARY_NAME, LIBRARY_VERSION);
  instruments = {
    provider,
    calls: meter.createCounter("xai_batch.calls", { description: "RPC attempts sent, by method and outcome" }),
    retries: meter.createCounter("xai_batch.retries", { description: "RPC attempts retried, by method and reason" }),
    rejections: meter.createCounter("xai_batch.rejections", {
      description: "RPC attempts the service answered with an error, by method and code",
    }),
    quotaWait: meter.createHistogram("xai_batch.quota_wait", {
      unit: "ms",
      description: "Time a call waited for its quota slot before it was sent",
    }),
  };
  return instruments;
}

/** One RPC attempt as telemetry sees it. */
export interface AttemptTelemetry {
  /** The attempt waited this long for its quota slot before it was sent. */
  quotaWaited(ms: number): void;
  /** The attempt settled: undefined for success, else its error. */
  end(error: ApiError | Error | undefined): void;
}

/** Starts the span of one attempt of `rpc`, a child of `parent` (the operation it is part of) or of the active span. */
export function startAttempt(rpc: string, attempt: number, requestId: string | null, parent: Span | undefined): AttemptTelemetry {
  const parentContext = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  const service = serviceOf(rpc);
  const attributes: Attributes = { "rpc.system": "grpc", "rpc.service": service, "rpc.method": rpc, "xai_batch.attempt": attempt };
  if (requestId !== null) attributes["xai_batch.request_id"] = requestId;
  const span = tracer.startSpan(`${service}/${rpc}`, { kind: SpanKind.CLIENT, attributes }, parentContext);
  // Without an SDK the span records nothing: its attributes would be built only to be dropped.
  const recording = span.isRecording();
  return {
    quotaWaited(ms) {
      if (recording) span.setAttribute("xai_batch.quota_wait_ms", ms);
      meters().quotaWait.record(ms, { "rpc.method": rpc });
    },
    end(failure) {
      const error =
        failure instanceof ApiError || failure === undefined ? failure : new ApiError({ code: Code.Unknown, method: rpc, rawMessage: "" });
      const code = statusName(error?.code);
      const m = meters();
      m.calls.add(1, { "rpc.method": rpc, "rpc.grpc.status": code });
      if (error !== undefined) m.rejections.add(1, { "rpc.method": rpc, "rpc.grpc.status": code, "xai_batch.quota": error.isQuotaError });
      if (recording) {
        span.setAttribute("rpc.grpc.status_code", error?.code ?? 0);
        if (error !== undefined) {
          span.setAttributes({ "xai_batch.retryable": error.retryable, "xai_batch.quota": error.isQuotaError });
          // The server's message may quote the request; the code and the method say what failed.
          span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        }
      }
      span.end();
    },
  };
}

/** A retry about to wait: counted, and marked on the operation's span if there is one. */
export function recordRetry(event: RetryEvent, parent: Span | undefined): void {
  meters().retries.add(1, { "rpc.method": event.method, "xai_batch.reason": event.reason });
  parent?.addEvent("retry", {
    "rpc.method": event.method,
    "xai_batch.attempt": event.attempt,
    "xai_batch.delay_ms": event.delayMs,
    "xai_batch.reason": event.reason,
  });
}

/** The span of a long operation (add, wait, list iteration, upload), and what it tallies for its attributes. */
export interface OperationSpan {
  readonly span: Span;
  set(attributes: Attributes): void;
}

/**
 * Runs `work` inside the span of a long operation named `xai_batch.<name>`: attempts it makes are its
 * children, and it ends with the attributes `work` set (counts, bytes, retries, quota waits) and, on
 * failure, the error's code.
 */
export async function inOperation<T>(
  name: string,
  attributes: Attributes,
  work: (op: OperationSpan) => Promise<T>,
  parent?: Span,
): Promise<T> {
  const op = startOperation(name, attributes, parent);
  try {
    return await context.with(trace.setSpan(context.active(), op.span), () => work(op));
  } catch (error) {
    op.end(error);
    throw error;
  } finally {
    op.end();
  }
}

/** An operation span whose end its owner decides: a list iteration ends when the caller stops. */
export interface OpenOperation extends OperationSpan {
  /** Ends the span (with the error's code on failure); later calls do nothing. */
  end(error?: unknown): void;
}

/** Starts the span of a long operation, a child of `parent` (else of the active span). */
export function startOperation(name: string, attributes: Attributes, parent?: Span): OpenOperation {
  const ctx = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  const span = tracer.startSpan(`xai_batch.${name}`, { kind: SpanKind.INTERNAL, attributes }, ctx);
  let ended = false;
  return {
    span,
    set: (more) => span.setAttributes(more),
    end: (error) => {
      if (ended) return;
      ended = true;
      if (error !== undefined)
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof ApiError ? statusName(error.code) : (error as Error).name });
      span.end();
    },
  };
}

/** gRPC's name of a status code, as in `rpc.grpc.status`: "OK", "INVALID_ARGUMENT", ... */
function statusName(code: Code | undefined): string {
  return code === undefined ? "OK" : Code[code].replace(/(?<=[a-z])(?=[A-Z])/g, "_").toUpperCase();
}
