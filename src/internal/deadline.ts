/** The RPCs the client makes, of xai_api.BatchMgmt, xai_api.Files and xai_api.Models, named as on the wire. */
export type RpcName =
  | "CreateBatch"
  | "GetBatch"
  | "ListBatches"
  | "CancelBatch"
  | "AddBatchRequests"
  | "ListBatchRequestMetadata"
  | "ListBatchResults"
  | "GetBatchRequestResult"
  | "UploadFile"
  | "ListFiles"
  | "RetrieveFile"
  | "DeleteFile"
  | "RetrieveFileContent"
  | "ListLanguageModels"
  | "ListImageGenerationModels"
  | "ListEmbeddingModels";

/**
 * Default deadline of each RPC. Small reads get 30 s; listing a page of results gets longer because a
 * page can carry megabytes of completions; an add carries up to 25 MB upstream, which on a slow uplink
 * takes minutes, and a file up to 512 MB.
 */
export const defaultTimeoutsMs: Readonly<Record<RpcName, number>> = Object.freeze({
  CreateBatch: 30_000,
  GetBatch: 30_000,
  ListBatches: 60_000,
  CancelBatch: 30_000,
  AddBatchRequests: 300_000,
  ListBatchRequestMetadata: 60_000,
  ListBatchResults: 120_000,
  GetBatchRequestResult: 30_000,
  // A whole file moves in one call: 512 MB at a modest 1 MB/s uplink is under 9 minutes.
  UploadFile: 900_000,
  ListFiles: 30_000,
  RetrieveFile: 30_000,
  DeleteFile: 30_000,
  RetrieveFileContent: 900_000,
  ListLanguageModels: 30_000,
  ListImageGenerationModels: 30_000,
  ListEmbeddingModels: 30_000,
});

/**
 * Picks the deadline of one call: the per-call value wins over the client's, which wins over the RPC's
 * default. `0` means no deadline and comes back as undefined, which sends no `grpc-timeout`.
 */
export function resolveTimeoutMs(rpc: RpcName, perCallMs: number | undefined, clientMs: number | undefined): number | undefined {
  const ms = perCallMs ?? clientMs ?? defaultTimeoutsMs[rpc];
  return ms === 0 ? undefined : ms;
}

/** An absolute point in time that several attempts or calls share, so retries never extend the caller's budget. */
export class Deadline {
  private constructor(
    private readonly atMs: number | undefined,
    private readonly now: () => number,
  ) {}

  /** A deadline `timeoutMs` from now; undefined means none. */
  static after(timeoutMs: number | undefined, now: () => number = Date.now): Deadline {
    return new Deadline(timeoutMs === undefined ? undefined : now() + timeoutMs, now);
  }

  /** The earliest of some deadlines; undefined ones and those without a time do not bound. */
  static earliest(...deadlines: (Deadline | undefined)[]): Deadline {
    let best: Deadline = Deadline.after(undefined);
    for (const d of deadlines) {
      if (d?.atMs !== undefined && (best.atMs === undefined || d.atMs < best.atMs)) best = d;
    }
    return best;
  }

  /** Milliseconds left (at least 1 while not expired), or undefined when there is no deadline. */
  remainingMs(): number | undefined {
    if (this.atMs === undefined) return undefined;
    return Math.max(0, this.atMs - this.now());
  }

  /** True once the deadline has passed. */
  get expired(): boolean {
    return this.atMs !== undefined && this.now() >= this.atMs;
  }
}
