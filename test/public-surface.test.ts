import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as emulator from "../src/emulator/index.js";
import * as library from "../src/index.js";
import * as redis from "../src/redis/index.js";

// What users import: "xai-batch", "xai-batch/emulator" and "xai-batch/redis". A name added, removed or
// renamed here is a change to the public API and must be one on purpose. The layout rules that keep helpers
// out of these entry points are in architecture.test.ts.
const root = resolve(import.meta.dirname, "..");

/** Every name an entry point exports, values and types alike, read from its `export { … }` lists. */
function exportedNames(entry: string): string[] {
  const text = readFileSync(join(root, entry), "utf8");
  return [...text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)]
    .flatMap((m) => m[1]!.split(","))
    .map((part) => part.trim().replace(/^type\s+/, ""))
    .filter(Boolean)
    .map((part) => part.split(/\s+as\s+/).pop()!)
    .sort();
}

const surface = {
  "src/index.ts": [
    "API_KEY_ENV",
    "AddInput",
    "AddOptions",
    "AddProgress",
    "AddResult",
    "ApiError",
    "Backoff",
    "BadRequestSchema",
    "Batch",
    "BatchCounts",
    "BatchRequest",
    "BatchRequestMetadata",
    "BatchRequestMetadata_State",
    "BatchRequestResult",
    "BatchRequestSchema",
    "BatchRequestsPage",
    "BatchResource",
    "BatchResult",
    "BatchResultSchema",
    "BatchResultsPage",
    "BatchSchema",
    "BatchState",
    "BatchStatus",
    "BatchView",
    "BatchesPage",
    "CallOptions",
    "ChatParams",
    "ChatRequest",
    "ChatResource",
    "Client",
    "ClientOptions",
    "Code",
    "CompletionResult",
    "ContentPart",
    "CreateBatchOptions",
    "CreateFromFileOptions",
    "DeletedFile",
    "EndpointCostView",
    "ErrorDetails",
    "ErrorInfoSchema",
    "FailedResult",
    "FileLine",
    "FileView",
    "FilesPage",
    "FilesResource",
    "FinishReason",
    "FinishReasonName",
    "Http2Options",
    "ImageDetailOption",
    "ImageParams",
    "ImageResult",
    "InputError",
    "InputProblem",
    "LIBRARY_VERSION",
    "LOG_LEVEL_ENV",
    "Limits",
    "ListBatchRequestsOptions",
    "ListFilesOptions",
    "ListOptions",
    "LogLevel",
    "Logger",
    "MemoryQuotaLimiter",
    "Message",
    "MessageRole",
    "ModalityName",
    "ModelView",
    "ModelsResource",
    "OperationOptions",
    "Page",
    "PagedList",
    "Permit",
    "PrepareOptions",
    "PreparedRequest",
    "QuotaFailureSchema",
    "QuotaKind",
    "QuotaLimiter",
    "QuotaScope",
    "Rate",
    "ReasoningEffort",
    "RequestMetadataView",
    "RequestState",
    "RequestStatus",
    "ResultView",
    "RetryBudgetOptions",
    "RetryEvent",
    "RetryInfoSchema",
    "RetryOptions",
    "RpcName",
    "SamplingUsage",
    "SkippedRequest",
    "SubmitOptions",
    "SubmitResult",
    "ToolCallView",
    "UploadOptions",
    "UploadProgress",
    "UploadSource",
    "UsageView",
    "VideoExtensionParams",
    "VideoParams",
    "VideoResult",
    "WaitOptions",
    "assistant",
    "defaultBatchModels",
    "defaultLimits",
    "defaultTimeoutsMs",
    "image",
    "imageRequest",
    "isLoopback",
    "knownBatchRefusedModels",
    "logLevels",
    "prepareRequests",
    "system",
    "text",
    "toBatchRequest",
    "toFileLine",
    "tool",
    "user",
    "videoExtensionRequest",
    "videoRequest",
    "viewBatch",
    "viewRequestMetadata",
    "viewResult",
  ],
  "src/emulator/index.ts": [
    "Emulator",
    "EmulatorClock",
    "EmulatorCounters",
    "EmulatorOptions",
    "FaultKind",
    "FaultOptions",
    "LimitOptions",
    "ManualClock",
    "ProcessingOptions",
    "RejectionKind",
    "failMarker",
    "faultTrailer",
    "serveCommand",
    "startEmulator",
  ],
  "src/redis/index.ts": ["RedisQuotaLimiter", "RedisQuotaOptions", "UnreachablePolicy", "redisQuotaLimiter"],
};

describe("the public surface", () => {
  it.each(Object.entries(surface))("%s exports exactly the names users rely on", (entry, names) => {
    expect(exportedNames(entry)).toEqual([...names].sort());
  });

  it("exports a working surface: each value name is defined at run time", () => {
    const values = { ...library, ...emulator, ...redis } as Record<string, unknown>;
    for (const name of Object.keys(values)) expect(values[name], name).toBeDefined();
    expect(typeof library.Client).toBe("function");
    expect(typeof library.prepareRequests).toBe("function");
    expect(typeof library.viewBatch).toBe("function");
    expect(typeof emulator.startEmulator).toBe("function");
    expect(typeof redis.redisQuotaLimiter).toBe("function");
  });
});
