import { status as GrpcStatus } from "@grpc/grpc-js";
import type { FaultOptions } from "./options.js";
import { seededRandom } from "./random.js";
import { StatusError } from "./status.js";

/** Trailer that marks an injected fault, so a test (and the counters) can tell it from a real refusal. */
export const faultTrailer = "x-emulator-fault";

/** The kinds of injected failure, as sent in the `x-emulator-fault` trailer. */
export type FaultKind = "unavailable" | "ambiguous" | "not-found-after-create";

/**
 * Decides which calls get injected failures. Draws come from one seeded sequence in call order, so a
 * run with the same seed and the same calls fails the same way.
 */
export class Faults {
  private random: () => number;

  constructor(private options: Readonly<FaultOptions>) {
    this.random = seededRandom(options.seed);
  }

  /** The current settings. */
  get settings(): Readonly<FaultOptions> {
    return this.options;
  }

  /** Replaces the settings and restarts the sequence from their seed. */
  reset(options: Readonly<FaultOptions>): void {
    this.options = options;
    this.random = seededRandom(options.seed);
  }

  /** Milliseconds to delay the next call. */
  latencyMs(): number {
    const latency = this.options.latencyMs;
    if (typeof latency === "number") return latency;
    const [min, max] = latency;
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** Throws UNAVAILABLE for a call chosen to fail before anything is applied. */
  maybeUnavailable(): void {
    if (this.draw(this.options.unavailableRate))
      throw fault("unavailable", GrpcStatus.UNAVAILABLE, "injected fault: service unavailable, nothing was applied");
  }

  /** Throws UNAVAILABLE for an AddBatchRequests call chosen to be answered as failed after it was applied. */
  maybeAmbiguousAdd(): void {
    if (this.draw(this.options.ambiguousAddRate))
      throw fault("ambiguous", GrpcStatus.UNAVAILABLE, "injected fault: connection lost after the requests were applied");
  }

  /** Throws NOT_FOUND while a batch created at `createTimeMs` is still too fresh to be seen. */
  maybeNotFoundAfterCreate(batchId: string, createTimeMs: number, nowMs: number): void {
    if (nowMs < createTimeMs + this.options.notFoundAfterCreateMs) {
      throw fault("not-found-after-create", GrpcStatus.NOT_FOUND, `batch ${batchId} not found`);
    }
  }

  private draw(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }
}

function fault(kind: FaultKind, code: GrpcStatus, message: string): StatusError {
  return new StatusError(code, message, [], { [faultTrailer]: kind });
}
