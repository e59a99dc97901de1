// The public surface of xai-batch: everything a user imports comes from here, and every name here is
// declared in a public module (never under internal/, which may change without notice).
export { Client } from "./client.js";
export { defaultLimits, type ClientOptions, type Limits, type Http2Options } from "./client-options.js";
export { API_KEY_ENV } from "./auth.js";
export { isLoopback } from "./transport.js";
export { ApiError, InputError, type ErrorDetails, type InputProblem } from "./errors.js";
export { Code } from "@connectrpc/connect";
export type { CallOptions } from "./call-options.js";
export { defaultTimeoutsMs, type RpcName } from "./timeouts.js";
export type { RetryOptions, RetryEvent, Backoff, RetryBudgetOptions } from "./retry-options.js";
export { LOG_LEVEL_ENV, logLevels, type Logger, type LogLevel } from "./logger.js";
export { MemoryQuotaLimiter, type QuotaLimiter, type QuotaKind, type QuotaScope, type Permit, type Rate } from "./quota.js";
export type {
  BatchResource,
  OperationOptions,
  ListOptions,
  ListBatchRequestsOptions,
  RequestState,
  CreateBatchOptions,
  CreateFromFileOptions,
  SubmitOptions,
  SubmitResult,
  AddOptions,
  WaitOptions,
  AddResult,
  BatchesPage,
  BatchRequestsPage,
  BatchResultsPage,
  BatchRequestResult,
} from "./batch.js";
export type { AddProgress, SkippedRequest } from "./add-progress.js";
export { toBatchRequest, type AddInput } from "./request-input.js";
export { prepareRequests, type PreparedRequest, type PrepareOptions } from "./prepare-requests.js";
export { viewBatch, type BatchView, type BatchStatus, type BatchCounts, type EndpointCostView } from "./batch-view.js";
export { viewRequestMetadata, type RequestMetadataView, type RequestStatus } from "./request-metadata-view.js";
export { PagedList, type Page } from "./pagination.js";
export { ChatRequest, tool, type ChatResource, type ChatParams } from "./chat.js";
export { user, system, assistant, text, image, type ContentPart, type ImageDetailOption } from "./messages.js";
export { imageRequest, videoRequest, videoExtensionRequest, type ImageParams, type VideoParams, type VideoExtensionParams } from "./requests.js";
export {
  viewResult,
  type ResultView,
  type CompletionResult,
  type ImageResult,
  type VideoResult,
  type FailedResult,
  type UsageView,
  type ToolCallView,
  type FinishReasonName,
} from "./results.js";
export { defaultBatchModels, knownBatchRefusedModels } from "./batch-models.js";
export type { ModelsResource, ModelView, ModalityName } from "./models.js";
export type { FilesResource, FileView, UploadSource, UploadOptions, UploadProgress, ListFilesOptions, FilesPage, DeletedFile } from "./files.js";
export { toFileLine, type FileLine } from "./inputs/to-file-line.js";
export { LIBRARY_VERSION } from "./version.js";
// Schemas for protobuf-es's toJson/fromJson/toBinary, e.g. to write results as JSONL with their error details.
export {
  BatchSchema,
  BatchRequestSchema,
  BatchResultSchema,
  BadRequestSchema,
  ErrorInfoSchema,
  QuotaFailureSchema,
  RetryInfoSchema,
} from "./wire.js";
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
