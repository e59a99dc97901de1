// The public surface of xai-batch: everything a user imports comes from here, and every name here is
// declared in a public module (never under internal/, which may change without notice).
export { Client } from "./client.js";
export { defaultLimits, type Limits } from "./core/limits.js";
export type { ClientOptions, Http2Options } from "./core/client-options.js";
export { API_KEY_ENV } from "./core/auth.js";
export { isLoopback } from "./core/loopback.js";
export { ApiError, InputError, type ErrorDetails, type InputProblem } from "./core/errors.js";
export { Code } from "@connectrpc/connect";
export type { CallOptions } from "./core/call-options.js";
export { defaultTimeoutsMs, type RpcName } from "./core/timeouts.js";
export type { RetryOptions, RetryEvent, Backoff, RetryBudgetOptions } from "./core/retry-options.js";
export { LOG_LEVEL_ENV, logLevels, type Logger, type LogLevel } from "./core/logger.js";
export { MemoryQuotaLimiter } from "./core/memory-quota-limiter.js";
export type { QuotaLimiter, QuotaKind, QuotaScope, Permit, Rate } from "./core/quota.js";
export type { BatchResource } from "./resources/batches/resource.js";
export type {
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
} from "./resources/batches/options.js";
export type { BatchesPage, BatchRequestsPage, BatchResultsPage, BatchRequestResult } from "./resources/batches/pages.js";
export type { AddProgress, SkippedRequest } from "./views/add-progress.js";
export { toBatchRequest, type AddInput } from "./requests/add-input.js";
export { prepareRequests, type PreparedRequest, type PrepareOptions } from "./resources/batches/prepare.js";
export { viewBatch, type BatchView, type BatchStatus, type BatchCounts, type EndpointCostView } from "./views/batch.js";
export { viewRequestMetadata, type RequestMetadataView, type RequestStatus } from "./views/request-metadata.js";
export { PagedList, type Page } from "./core/pagination.js";
export { ChatRequest, tool, type ChatParams } from "./requests/chat.js";
export type { ChatResource } from "./resources/chat.js";
export { user, system, assistant, text, image, type ContentPart, type ImageDetailOption } from "./requests/messages.js";
export {
  imageRequest,
  videoRequest,
  videoExtensionRequest,
  type ImageParams,
  type VideoParams,
  type VideoExtensionParams,
} from "./requests/media.js";
export { viewResult } from "./views/view-result.js";
export type {
  ResultView,
  CompletionResult,
  ImageResult,
  VideoResult,
  FailedResult,
  UsageView,
  ToolCallView,
  FinishReasonName,
} from "./views/results.js";
export { defaultBatchModels, knownBatchRefusedModels } from "./core/batch-models.js";
export type { ModelsResource, ModelView, ModalityName } from "./resources/models.js";
export type {
  FilesResource,
  FileView,
  UploadSource,
  UploadOptions,
  UploadProgress,
  ListFilesOptions,
  FilesPage,
  DeletedFile,
} from "./resources/files.js";
export { toFileLine, type FileLine } from "./requests/file-line.js";
export { LIBRARY_VERSION } from "./core/version.js";
// The generated messages, schemas and enums users meet (schemas for protobuf-es's toJson/fromJson/toBinary,
// e.g. to write results as JSONL with their error details); the rest is under "xai-batch/gen/*".
export {
  BatchSchema,
  BatchRequestSchema,
  BatchResultSchema,
  BatchRequestMetadata_State,
  type Batch,
  type BatchRequest,
  type BatchResult,
  type BatchRequestMetadata,
  type BatchState,
} from "../gen/xai/api/v1/batch_pb.js";
export { ReasoningEffort, MessageRole, type Message } from "../gen/xai/api/v1/chat_pb.js";
export { FinishReason } from "../gen/xai/api/v1/sample_pb.js";
export type { SamplingUsage } from "../gen/xai/api/v1/usage_pb.js";
export { BadRequestSchema, ErrorInfoSchema, QuotaFailureSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";
