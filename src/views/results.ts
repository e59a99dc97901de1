// What a batch result reads as: the public view types (built by view-result.ts and the fast result reader).
import type { Code } from "@connectrpc/connect";
import type { BatchResult } from "../core/internal/wire.js";

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
