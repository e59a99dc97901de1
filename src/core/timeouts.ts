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
