// The public surface of xai-batch: everything a user imports comes from here.
export { Client } from "./client.js";
export type { ClientOptions, Limits, Http2Options } from "./client-options.js";
export { API_KEY_ENV } from "./auth.js";
export { ApiError, InputError, type ErrorDetails } from "./errors.js";
export { Code } from "@connectrpc/connect";
export type { CallOptions } from "./internal/call.js";
export { defaultTimeoutsMs, type RpcName } from "./internal/deadline.js";
export type { RetryOptions, RetryEvent, Backoff } from "./internal/retry.js";
export type { RetryBudgetOptions } from "./internal/retry-budget.js";
export { MemoryQuotaLimiter, type QuotaLimiter, type QuotaKind, type QuotaScope, type Permit, type Rate } from "./internal/quota.js";
export type {
  BatchResource,
  ListOptions,
  ListBatchRequestsOptions,
  RequestState,
  CreateBatchOptions,
  AddOptions,
  WaitOptions,
  AddResult,
  AddProgress,
  SkippedRequest,
  AddInput,
  BatchesPage,
  BatchRequestsPage,
  BatchResultsPage,
  BatchRequestResult,
} from "./batch.js";
export { PagedList, type Page } from "./pagination.js";
export type { FilesResource, FileView, UploadSource, UploadOptions, UploadProgress, ListFilesOptions, FilesPage, DeletedFile } from "./files.js";
export { batchOutcome, type BatchOutcome } from "./internal/batch-done.js";
export { ChatRequest, tool, type ChatResource, type ChatParams } from "./chat.js";
export { user, system, assistant, text, image, type ContentPart, type ImageDetailOption } from "./messages.js";
export { imageRequest, videoRequest, videoExtensionRequest, type ImageParams, type VideoParams, type VideoExtensionParams } from "./requests.js";
export { viewResult, type ResultView, type CompletionResult, type ImageResult, type VideoResult, type FailedResult } from "./results.js";
export { defaultBatchModels, knownBatchRefusedModels } from "./batch-models.js";
export type { ModelsResource, ModelView, ModalityName } from "./models.js";
export { toFileLine, type FileLine } from "./inputs/to-file-line.js";
export { LIBRARY_VERSION } from "./version.js";
// Schemas for protobuf-es's toJson/fromJson/toBinary, e.g. to write results as JSONL.
export { BatchSchema, BatchRequestSchema, BatchResultSchema } from "./wire.js";
export {
  BatchRequestMetadata_State,
  FinishReason,
  ReasoningEffort,
  MessageRole,
  type Batch,
  type BatchRequest,
  type BatchResult,
  type BatchRequestMetadata,
  type BatchState,
  type Message,
  type SamplingUsage,
} from "./wire.js";
