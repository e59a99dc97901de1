/** Options every API method accepts, alone or inside its own options object. */
export interface CallOptions {
  /** Deadline of this call in ms, sent as `grpc-timeout`; `0` means none. @default the RPC's default */
  timeoutMs?: number;
  /** Aborts the call; the promise rejects with an ApiError of code CANCELED. */
  signal?: AbortSignal;
  /** Extra metadata (gRPC headers) for this call, added to the client's. */
  metadata?: Record<string, string>;
}
