/** The eight RPCs of xai_api.BatchMgmt, named as on the wire. */
export type RpcName =
  | "CreateBatch"
  | "GetBatch"
  | "ListBatches"
  | "CancelBatch"
  | "AddBatchRequests"
  | "ListBatchRequestMetadata"
  | "ListBatchResults"
  | "GetBatchRequestResult";

/**
 * Default deadline of each RPC. Small reads get 30 s; listing a page of results gets longer because a
 * page can carry megabytes of completions; an add carries up to 25 MB upstream, which on a slow uplink
 * takes minutes.
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
});
