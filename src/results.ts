import { Code } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { ticksPerUsd, withRaw } from "./internal/view-support.js";
import { FinishReason, type BatchResult, type SamplingUsage } from "./wire.js";

/** Token counts and cost of one request, as numbers. */
export interface UsageView {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  readonly totalTokens: number;
  readonly cachedPromptTextTokens: number;
  readonly promptImageTokens: number;
  /** What the request cost, when the server says (1 tick = 1e-10 USD). */
  readonly costUsdTicks: number | undefined;
  readonly costUsd: number | undefined;
}

/** Why a completion stopped, from the wire's FinishReason: e.g. `stop`, `max_len`, `tool_calls`. */
export type FinishReasonName = "stop" | "max_len" | "max_context" | "tool_calls" | "time_limit" | "invalid";

/** A function call the model asked for. */
export interface ToolCallView {
  readonly id: string;
  readonly name: string;
  /** The arguments as the model wrote them: JSON text. */
  readonly arguments: string;
}

interface ResultBase {
  /** Ties the result to its request; results come back in no particular order. */
  readonly batchRequestId: string;
  /** The result as it came off the wire (not part of the JSON). */
  readonly raw: BatchResult;
}

/** A chat completion that succeeded. */
export interface CompletionResult extends ResultBase {
  readonly ok: true;
  readonly kind: "completion";
  readonly model: string;
  /** The first output's text (the usual single-choice case; `raw` holds every output). */
  readonly text: string;
  /** The first output's reasoning text, if the model returned any. */
  readonly reasoningText: string;
  readonly finishReason: FinishReasonName;
  /** The first output's tool calls. */
  readonly toolCalls: readonly ToolCallView[];
  readonly usage: UsageView | undefined;
}

/** An image generation that succeeded. */
export interface ImageResult extends ResultBase {
  readonly ok: true;
  readonly kind: "image";
  readonly model: string;
  /** URLs of the generated images (empty when they came back as base64; see `raw`). */
  readonly urls: string[];
  readonly usage: UsageView | undefined;
}

/** A video generation or extension that succeeded. */
export interface VideoResult extends ResultBase {
  readonly ok: true;
  readonly kind: "video";
  readonly model: string;
  readonly url: string | undefined;
  readonly usage: UsageView | undefined;
}

/** A request that failed: the server's google.rpc.Status (its details are in `raw`). */
export interface FailedResult extends ResultBase {
  readonly ok: false;
  readonly kind: "error";
  readonly error: {
    /** The gRPC status code (Connect's `Code`). */
    readonly code: Code;
    /** The code's name, e.g. `invalid_argument`. */
    readonly status: string;
    readonly message: string;
  };
}

/** One batch result as plain data: narrow on `ok` (or `kind`) to reach the response or the error. */
export type ResultView = CompletionResult | ImageResult | VideoResult | FailedResult;

const finishReasons: Record<FinishReason, FinishReasonName> = {
  [FinishReason.REASON_INVALID]: "invalid",
  [FinishReason.REASON_MAX_LEN]: "max_len",
  [FinishReason.REASON_MAX_CONTEXT]: "max_context",
  [FinishReason.REASON_STOP]: "stop",
  [FinishReason.REASON_TOOL_CALLS]: "tool_calls",
  [FinishReason.REASON_TIME_LIMIT]: "time_limit",
};

/**
 * Reads a BatchResult by which oneof case is set, never by `error.code == 0`: a Status with code 0 in
 * the error case is still a failure the server reported, and an empty result is not a success.
 */
export function viewResult(raw: BatchResult): ResultView {
  // Fields are written out in each literal: on Node 20 an object spread costs microseconds per result,
  // which at a million results was most of the client's time.
  const batchRequestId = raw.batchRequestId;
  const result = raw.result;
  if (result.case === "error") {
    const status = result.value;
    return withRaw({ batchRequestId, ok: false, kind: "error", error: failure(status.code as Code, status.message) }, raw);
  }
  const response = result.case === "response" ? result.value.response : undefined;
  switch (response?.case) {
    case "completionResponse": {
      const completion = response.value;
      const first = completion.outputs[0];
      const toolCalls = (first?.message?.toolCalls ?? []).flatMap((t) =>
        t.tool.case === "function" ? [{ id: t.id, name: t.tool.value.name, arguments: t.tool.value.arguments }] : [],
      );
      return withRaw(
        {
          batchRequestId,
          ok: true,
          kind: "completion",
          model: completion.model,
          text: first?.message?.content ?? "",
          reasoningText: first?.message?.reasoningContent ?? "",
          finishReason: finishReasons[first?.finishReason ?? FinishReason.REASON_INVALID] ?? "invalid",
          toolCalls,
          usage: viewUsage(completion.usage),
        },
        raw,
      );
    }
    case "imageResponse": {
      const image = response.value;
      const urls = image.images.flatMap((i) => (i.image.case === "url" ? [i.image.value] : []));
      return withRaw({ batchRequestId, ok: true, kind: "image", model: image.model, urls, usage: viewUsage(image.usage) }, raw);
    }
    case "videoResponse": {
      const video = response.value;
      return withRaw({ batchRequestId, ok: true, kind: "video", model: video.model, url: video.video?.url, usage: viewUsage(video.usage) }, raw);
    }
    default: {
      const message = result.case === undefined ? "the result carries neither a response nor an error" : "the result's response is empty";
      return withRaw({ batchRequestId, ok: false, kind: "error", error: failure(Code.Unknown, message) }, raw);
    }
  }
}

function failure(code: Code, message: string): FailedResult["error"] {
  return { code, status: (code as number) === 0 ? "ok" : codeToString(code), message };
}

function viewUsage(u: SamplingUsage | undefined): UsageView | undefined {
  if (u === undefined) return undefined;
  const ticks = u.costInUsdTicks === undefined ? undefined : Number(u.costInUsdTicks);
  return {
    promptTokens: u.promptTokens,
    completionTokens: u.completionTokens,
    reasoningTokens: u.reasoningTokens,
    totalTokens: u.totalTokens,
    cachedPromptTextTokens: u.cachedPromptTextTokens,
    promptImageTokens: u.promptImageTokens,
    costUsdTicks: ticks,
    costUsd: ticks === undefined ? undefined : ticks / ticksPerUsd,
  };
}
