import { Code } from "@connectrpc/connect";
import type { Span } from "@opentelemetry/api";
import { ApiError } from "../../core/errors.js";
import type { RetryEvent } from "../../core/retry-options.js";
import type { Log } from "../log.js";
import { recordRetry, startAttempt, type AttemptTelemetry } from "./telemetry.js";

/** What the call path tells the world about one attempt: its span and metrics, and log lines. */
export interface AttemptObserver {
  quotaWaited(ms: number): void;
  end(error: ApiError | Error | undefined): void;
}

/** Telemetry and logging of the call path, behind the two hooks `callUnary` calls. */
export class CallObserver {
  constructor(private readonly log: Log) {}

  /** An attempt of `rpc` is about to wait for its quota slot and be sent. */
  attempt(rpc: string, attempt: number, requestId: string | null, parent: Span | undefined): AttemptObserver {
    const telemetry = startAttempt(rpc, attempt, requestId, parent);
    return this.log.enabled("info") ? new LoggedAttempt(this.log, telemetry, rpc, attempt, requestId) : telemetry;
  }

  /** The attempt failed and is retried after `event.delayMs`. */
  retry(event: RetryEvent, requestId: string | null, parent: Span | undefined): void {
    recordRetry(event, parent);
    // UNAVAILABLE: a lost connection is dialled again for the next attempt.
    const lost = event.error.code === Code.Unavailable;
    this.log.write(
      "info",
      `${event.method} attempt ${event.attempt} failed (${event.reason}); retrying in ${event.delayMs} ms${lost ? " on a new connection if this one was lost" : ""}`,
      {
        method: event.method,
        attempt: event.attempt,
        delayMs: event.delayMs,
        reason: event.reason,
        code: event.error.code,
        requestId,
      },
    );
  }
}

/** Quota waits of a second or more are worth a line at info; every attempt's end at debug. */
class LoggedAttempt implements AttemptObserver {
  constructor(
    private readonly log: Log,
    private readonly telemetry: AttemptTelemetry,
    private readonly rpc: string,
    private readonly attempt: number,
    private readonly requestId: string | null,
  ) {}

  quotaWaited(ms: number): void {
    this.telemetry.quotaWaited(ms);
    if (ms > 0)
      this.log.write(ms >= 1_000 ? "info" : "debug", `${this.rpc} waited ${ms} ms for its quota slot`, {
        method: this.rpc,
        quotaWaitMs: ms,
        requestId: this.requestId,
      });
  }

  end(error: ApiError | Error | undefined): void {
    this.telemetry.end(error);
    this.log.write("debug", `${this.rpc} attempt ${this.attempt} ${error === undefined ? "succeeded" : `failed: ${error.message}`}`, {
      method: this.rpc,
      attempt: this.attempt,
      requestId: this.requestId,
      ...(error instanceof ApiError ? { code: error.code, retryable: error.retryable } : {}),
    });
  }
}
