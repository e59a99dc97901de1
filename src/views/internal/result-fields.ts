import { Code } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { ticksPerUsd } from "../../core/internal/view-support.js";
import { FinishReason, type SamplingUsage } from "../../core/internal/wire.js";
import type { FailedResult, FinishReasonName, ResultView, UsageView } from "../results.js";

const finishReasons: Record<FinishReason, FinishReasonName> = {
  [FinishReason.REASON_INVALID]: "invalid",
  [FinishReason.REASON_MAX_LEN]: "max_len",
  [FinishReason.REASON_MAX_CONTEXT]: "max_context",
  [FinishReason.REASON_STOP]: "stop",
  [FinishReason.REASON_TOOL_CALLS]: "tool_calls",
  [FinishReason.REASON_TIME_LIMIT]: "time_limit",
};

/** A view without its `raw`, which each way of reading a result attaches as it can. */
export type ResultViewFields = ResultView extends infer V ? (V extends ResultView ? Omit<V, "raw"> : never) : never;

/**
 * What a view reads of a BatchResult, and no more: a decoded BatchResult is one, and so is what
 * src/internal/wire/result-reader.ts reads straight from a result's bytes, so both ways build their views here.
 */
export interface ResultFields {
  readonly batchRequestId: string;
  readonly result:
    | { readonly case: "error"; readonly value: { readonly code: number; readonly message: string } }
    | { readonly case: "response"; readonly value: { readonly response: ResponseFields } }
    | { readonly case: undefined; readonly value?: undefined };
}

type ResponseFields =
  | { readonly case: "completionResponse"; readonly value: CompletionFields }
  | { readonly case: "imageResponse"; readonly value: ImageFields }
  | { readonly case: "videoResponse"; readonly value: VideoFields }
  | { readonly case: undefined; readonly value?: undefined };

/** The fields of xai_api.GetChatCompletionResponse a view reads. */
export interface CompletionFields {
  readonly model: string;
  readonly outputs: readonly OutputFields[];
  readonly usage?: UsageFields | undefined;
}

/** The fields of xai_api.CompletionOutput a view reads. */
export interface OutputFields {
  readonly finishReason: number;
  readonly message?:
    | { readonly content: string; readonly reasoningContent: string; readonly toolCalls: readonly ToolCallFields[] }
    | undefined;
}

/** The fields of xai_api.ToolCall a view reads. */
export interface ToolCallFields {
  readonly id: string;
  readonly tool:
    | { readonly case: "function"; readonly value: { readonly name: string; readonly arguments: string } }
    | { readonly case: undefined; readonly value?: undefined };
}

/** The fields of xai_api.ImageResponse a view reads. */
export interface ImageFields {
  readonly model: string;
  readonly images: readonly {
    readonly image: { readonly case: "url"; readonly value: string } | { readonly case: "base64" | undefined };
  }[];
  readonly usage?: UsageFields | undefined;
}

/** The fields of xai_api.VideoResponse a view reads. */
export interface VideoFields {
  readonly model: string;
  readonly video?: { readonly url: string } | undefined;
  readonly usage?: UsageFields | undefined;
}

/** The fields of xai_api.SamplingUsage a view reads. */
export type UsageFields = Pick<
  SamplingUsage,
  | "promptTokens"
  | "completionTokens"
  | "reasoningTokens"
  | "totalTokens"
  | "cachedPromptTextTokens"
  | "promptImageTokens"
  | "costInUsdTicks"
>;

/** Builds a view's plain data from a result's fields; see viewResult. */
export function viewFields(raw: ResultFields): ResultViewFields {
  // Fields are written out in each literal: on Node 20 an object spread costs microseconds per result,
  // which at a million results was most of the client's time.
  const batchRequestId = raw.batchRequestId;
  const result = raw.result;
  if (result.case === "error") {
    const status = result.value;
    return { batchRequestId, ok: false, kind: "error", error: failure(status.code as Code, status.message) };
  }
  const response = result.case === "response" ? result.value.response : undefined;
  switch (response?.case) {
    case "completionResponse": {
      const completion = response.value;
      const first = completion.outputs[0];
      const toolCalls = (first?.message?.toolCalls ?? []).flatMap((t) =>
        t.tool.case === "function" ? [{ id: t.id, name: t.tool.value.name, arguments: t.tool.value.arguments }] : [],
      );
      return {
        batchRequestId,
        ok: true,
        kind: "completion",
        model: completion.model,
        text: first?.message?.content ?? "",
        reasoningText: first?.message?.reasoningContent ?? "",
        finishReason: finishReasons[(first?.finishReason ?? FinishReason.REASON_INVALID) as FinishReason] ?? "invalid",
        toolCalls,
        usage: viewUsage(completion.usage),
      };
    }
    case "imageResponse": {
      const image = response.value;
      const urls = image.images.flatMap((i) => (i.image.case === "url" ? [i.image.value] : []));
      return { batchRequestId, ok: true, kind: "image", model: image.model, urls, usage: viewUsage(image.usage) };
    }
    case "videoResponse": {
      const video = response.value;
      return { batchRequestId, ok: true, kind: "video", model: video.model, url: video.video?.url, usage: viewUsage(video.usage) };
    }
    default: {
      const message = result.case === undefined ? "the result carries neither a response nor an error" : "the result's response is empty";
      return { batchRequestId, ok: false, kind: "error", error: failure(Code.Unknown, message) };
    }
  }
}

function failure(code: Code, message: string): FailedResult["error"] {
  return { code, status: (code as number) === 0 ? "ok" : codeToString(code), message };
}

function viewUsage(u: UsageFields | undefined): UsageView | undefined {
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
