import { status as GrpcStatus } from "@grpc/grpc-js";
import { BatchMgmt, RetryInfoSchema } from "../core/internal/wire.js";
import { faultTrailer, type FaultKind } from "./faults.js";
import type { StatusError } from "./status.js";

/** Why a call was refused. */
export type RejectionKind =
  | "auth"
  | "rate"
  | "size"
  | "invalid"
  | "duplicate"
  | "notFound"
  | "precondition"
  | "faultUnavailable"
  | "faultAmbiguous"
  | "faultNotFound"
  | "internal"
  | "other";

/** What the emulator did since it started (not persisted across restarts). */
export interface EmulatorCounters {
  /** Calls received, by RPC name (`CreateBatch`, `AddBatchRequests`, ...), whatever their outcome. */
  calls: Record<string, number>;
  /** Calls answered with an error, by reason; `faultAmbiguous` calls were applied nonetheless. */
  rejections: Record<RejectionKind, number>;
  batchesCreated: number;
  /** Requests added by AddBatchRequests calls that were applied (ambiguous faults included). */
  requestsApplied: number;
  /** Requests added from input files. */
  requestsLoadedFromFiles: number;
  requestsSucceeded: number;
  requestsFailed: number;
  /** Times dropConnections was called. */
  connectionsDropped: number;
  /** Client connections accepted (within `maxConnections`). */
  connectionsAccepted: number;
  /** Accepted connections that have closed since, whoever closed them. */
  connectionsClosed: number;
  /** Connections closed at once because `maxConnections` were open. */
  connectionsRefused: number;
  /** Connections whose HTTP/2 session failed on a protocol error of the peer; their sockets were destroyed. */
  sessionsFailed: number;
  /** Streams the HTTP/2 layer reset with an error: over `maxConcurrentStreams`, headers over its limits, malformed. */
  streamsRefused: number;
  /** Request messages decoded; a call refused by a cheap check (auth, metadata or message size) is not. */
  messagesDecoded: number;
}

const faultKinds: Record<FaultKind, RejectionKind> = {
  unavailable: "faultUnavailable",
  ambiguous: "faultAmbiguous",
  "not-found-after-create": "faultNotFound",
};

const kindsByCode: Partial<Record<GrpcStatus, RejectionKind>> = {
  [GrpcStatus.UNAUTHENTICATED]: "auth",
  [GrpcStatus.PERMISSION_DENIED]: "auth",
  [GrpcStatus.INVALID_ARGUMENT]: "invalid",
  [GrpcStatus.ALREADY_EXISTS]: "duplicate",
  [GrpcStatus.NOT_FOUND]: "notFound",
  [GrpcStatus.FAILED_PRECONDITION]: "precondition",
};

/** The emulator's tallies; `snapshot()` gives a copy that later calls do not change. */
export class Counters {
  private readonly watchers = new Set<() => void>();
  private readonly current: EmulatorCounters = {
    calls: Object.fromEntries(BatchMgmt.methods.map((m) => [m.name, 0])),
    rejections: {
      auth: 0,
      rate: 0,
      size: 0,
      invalid: 0,
      duplicate: 0,
      notFound: 0,
      precondition: 0,
      faultUnavailable: 0,
      faultAmbiguous: 0,
      faultNotFound: 0,
      internal: 0,
      other: 0,
    },
    batchesCreated: 0,
    requestsApplied: 0,
    requestsLoadedFromFiles: 0,
    requestsSucceeded: 0,
    requestsFailed: 0,
    connectionsDropped: 0,
    connectionsAccepted: 0,
    connectionsClosed: 0,
    connectionsRefused: 0,
    sessionsFailed: 0,
    streamsRefused: 0,
    messagesDecoded: 0,
  };

  /** Adds to one of the plain tallies. */
  add(counter: Exclude<keyof EmulatorCounters, "calls" | "rejections">, amount = 1): void {
    this.current[counter] += amount;
    this.changed();
  }

  /** Counts a call of an RPC. */
  call(rpc: string): void {
    this.current.calls[rpc] = (this.current.calls[rpc] ?? 0) + 1;
    this.changed();
  }

  /** Counts a refusal, classified by injected-fault trailer, then by code (and RetryInfo for quota). */
  reject(error: StatusError): void {
    this.current.rejections[rejectionKind(error)]++;
    this.changed();
  }

  /** Counts an unexpected exception answered INTERNAL. */
  internalError(): void {
    this.current.rejections.internal++;
    this.changed();
  }

  /** A copy of the current tallies. */
  snapshot(): EmulatorCounters {
    return structuredClone(this.current);
  }

  /** Resolves with the first snapshot, from now on, that `check` accepts: checked now and after each change. */
  waitFor(check: (counters: EmulatorCounters) => boolean): Promise<EmulatorCounters> {
    return new Promise((resolve, reject) => {
      const watcher = () => {
        const snapshot = this.snapshot();
        let accepted: boolean;
        try {
          accepted = check(snapshot);
        } catch (error) {
          // The check's failure is the waiter's, never the emulator's, which may be in the middle of a call.
          this.watchers.delete(watcher);
          reject(error);
          return;
        }
        if (!accepted) return;
        this.watchers.delete(watcher);
        resolve(snapshot);
      };
      this.watchers.add(watcher);
      watcher();
    });
  }

  // Nothing to do but a size check when nobody waits, as in every run outside a test.
  private changed(): void {
    if (this.watchers.size === 0) return;
    for (const watcher of [...this.watchers]) watcher();
  }
}

function rejectionKind(error: StatusError): RejectionKind {
  const fault = error.trailers[faultTrailer] as FaultKind | undefined;
  if (fault !== undefined) return faultKinds[fault];
  if (error.code === GrpcStatus.RESOURCE_EXHAUSTED) return error.details.some((d) => d.schema === RetryInfoSchema) ? "rate" : "size";
  return kindsByCode[error.code] ?? "other";
}
