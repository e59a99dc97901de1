// The one door from hand-written code to the generated stubs in gen/. Keeping every gen/ import here
// means a regeneration that renames something breaks one file, and the rest of src/ reads as ours.
export {
  BatchMgmt,
  BatchSchema,
  BatchRequestSchema,
  BatchResultSchema,
  BatchRequestMetadataSchema,
  BatchRequestMetadata_State,
  AddBatchRequestsRequestSchema,
  ListBatchesResponseSchema,
  ListBatchRequestMetadataResponseSchema,
  ListBatchResultsResponseSchema,
  GetBatchRequestResultResponseSchema,
  BatchStateSchema,
  BatchCostBreakdownSchema,
  EndpointCostSchema,
  BatchResultDataSchema,
} from "../../../gen/xai/api/v1/batch_pb.js";
export type {
  Batch,
  BatchRequest,
  BatchResult,
  BatchResultData,
  BatchRequestMetadata,
  BatchState,
  BatchCostBreakdown,
  EndpointCost,
  AddBatchRequestsRequest,
  CreateBatchRequest,
  GetBatchRequest,
  ListBatchesRequest,
  CancelBatchRequest,
  ListBatchesResponse,
  ListBatchRequestMetadataRequest,
  ListBatchRequestMetadataResponse,
  ListBatchResultsRequest,
  ListBatchResultsResponse,
  GetBatchRequestResultRequest,
  GetBatchRequestResultResponse,
} from "../../../gen/xai/api/v1/batch_pb.js";
export {
  GetCompletionsRequestSchema,
  GetChatCompletionResponseSchema,
  CompletionOutputSchema,
  CompletionMessageSchema,
  MessageSchema,
  ContentSchema,
  ToolSchema,
  FunctionSchema,
  ToolChoiceSchema,
  ResponseFormatSchema,
  MessageRole,
  ReasoningEffort,
  ToolMode,
  FormatType,
} from "../../../gen/xai/api/v1/chat_pb.js";
export type {
  GetCompletionsRequest,
  GetChatCompletionResponse,
  CompletionOutput,
  Message,
  Content,
  Tool,
  ToolChoice,
  ResponseFormat,
  SearchParameters,
} from "../../../gen/xai/api/v1/chat_pb.js";
export {
  GenerateImageRequestSchema,
  ImageResponseSchema,
  GeneratedImageSchema,
  ImageUrlContentSchema,
  ImageDetail,
  ImageFormat,
  ImageAspectRatio,
  ImageResolution,
} from "../../../gen/xai/api/v1/image_pb.js";
export type { GenerateImageRequest, ImageResponse, ImageUrlContent } from "../../../gen/xai/api/v1/image_pb.js";
export {
  GenerateVideoRequestSchema,
  ExtendVideoRequestSchema,
  VideoResponseSchema,
  GeneratedVideoSchema,
  VideoUrlContentSchema,
  VideoAspectRatio,
  VideoResolution,
} from "../../../gen/xai/api/v1/video_pb.js";
export type { GenerateVideoRequest, ExtendVideoRequest, VideoResponse } from "../../../gen/xai/api/v1/video_pb.js";
export { SamplingUsageSchema } from "../../../gen/xai/api/v1/usage_pb.js";
export type { SamplingUsage } from "../../../gen/xai/api/v1/usage_pb.js";
export { FinishReason } from "../../../gen/xai/api/v1/sample_pb.js";
export { StatusSchema } from "../../../gen/google/rpc/status_pb.js";
export type { Status } from "../../../gen/google/rpc/status_pb.js";
export {
  RetryInfoSchema,
  ErrorInfoSchema,
  QuotaFailureSchema,
  QuotaFailure_ViolationSchema,
  BadRequestSchema,
  BadRequest_FieldViolationSchema,
} from "../../../gen/google/rpc/error_details_pb.js";
export type { RetryInfo, ErrorInfo, QuotaFailure, BadRequest } from "../../../gen/google/rpc/error_details_pb.js";
export {
  PreencodedAddBatchRequestsRequestSchema,
  PreencodedListBatchResultsResponseSchema,
} from "../../../gen/xai_batch/v1/preencoded_pb.js";
export {
  Files,
  FileSchema,
  UploadFileChunkSchema,
  UploadFileInitSchema,
  ListFilesRequestSchema,
  ListFilesResponseSchema,
  RetrieveFileRequestSchema,
  DeleteFileRequestSchema,
  DeleteFileResponseSchema,
  FileContentChunkSchema,
  Ordering,
  FilesSortBy,
  DownloadFormat,
} from "../../../gen/xai/api/v1/files_pb.js";
export type {
  File,
  UploadFileChunk,
  ListFilesRequest,
  ListFilesResponse,
  RetrieveFileRequest,
  DeleteFileRequest,
  DeleteFileResponse,
  RetrieveFileContentRequest,
  FileContentChunk,
} from "../../../gen/xai/api/v1/files_pb.js";
export {
  Models,
  LanguageModelSchema,
  ImageGenerationModelSchema,
  EmbeddingModelSchema,
  Modality,
} from "../../../gen/xai/api/v1/models_pb.js";
export type { LanguageModel, ImageGenerationModel, EmbeddingModel } from "../../../gen/xai/api/v1/models_pb.js";
