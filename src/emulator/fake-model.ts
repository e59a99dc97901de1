import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { status as GrpcStatus } from "@grpc/grpc-js";
import {
  BatchResultSchema,
  FinishReason,
  MessageRole,
  type BatchRequest,
  type BatchResult,
  type BatchResultDataSchema,
  type Content,
  type GetCompletionsRequest,
  type GetChatCompletionResponseSchema,
  type SamplingUsageSchema,
} from "../core/internal/wire.js";
import type { ProcessingOptions } from "./options.js";
import { hashedUnit } from "./random.js";

/** Text that makes a request fail, for tests that need a failure at a known place. */
export const failMarker = "[fail]";

/** Host of the placeholder URLs of generated media; `.invalid` is reserved and never resolves. */
const mediaBaseUrl = "https://emulator.invalid";

/** Seconds of a generated video whose request gives no duration. */
const defaultVideoSeconds = 6;

/** Most choices or images one request gets, so an absurd `n` cannot exhaust the emulator's memory. */
const maxOutputs = 16;

type ResultData = MessageInitShape<typeof BatchResultDataSchema>;
type Usage = MessageInitShape<typeof SamplingUsageSchema>;

/**
 * A deterministic stand-in for xAI's models. A chat completion answers `echo: <last user message>` with
 * finish reason STOP, once per choice (`n`, bounded to 1..16 like the images of an image request);
 * tokens are whitespace-separated words (prompt: every text part of every message; completion: the
 * answers) priced at `usdTicksPerToken`. Images and videos get placeholder URLs priced per image and
 * per video. A request whose text (last user message, or prompt)
 * contains `[fail]` fails with INVALID_ARGUMENT; a `failureRate` share chosen by a hash of seed and
 * request id fails with INTERNAL.
 */
export class FakeModel {
  constructor(private readonly options: Readonly<ProcessingOptions>) {}

  /** The result of one request of a batch. */
  answer(batchId: string, request: BatchRequest, nowMs: number): BatchResult {
    const batchRequestId = request.batchRequestId ?? "";
    const failure = this.failure(batchRequestId, requestText(request));
    return create(BatchResultSchema, {
      batchRequestId,
      result:
        failure === undefined
          ? { case: "response", value: this.respond(`${batchId}/${batchRequestId}`, request, nowMs) }
          : { case: "error", value: failure },
    });
  }

  private failure(batchRequestId: string, text: string): { code: number; message: string } | undefined {
    if (text.includes(failMarker)) return { code: GrpcStatus.INVALID_ARGUMENT, message: `the request contains the marker ${failMarker}` };
    // Batch ids are random, so leaving them out keeps a test's failures the same from run to run.
    if (hashedUnit(this.options.seed, batchRequestId) < this.options.failureRate) {
      return { code: GrpcStatus.INTERNAL, message: "emulated model failure (processing.failureRate)" };
    }
    return undefined;
  }

  private respond(path: string, request: BatchRequest, nowMs: number): ResultData {
    const payload = request.request;
    switch (payload.case) {
      case "completionRequest":
        return { response: { case: "completionResponse", value: this.complete(path, payload.value, nowMs) } };
      case "imageRequest": {
        const count = outputCount(payload.value.n);
        const images = Array.from({ length: count }, (_, i) => ({
          image: { case: "url" as const, value: `${mediaBaseUrl}/images/${path}/${i}.png` },
        }));
        return {
          response: {
            case: "imageResponse",
            value: { images, model: payload.value.model, usage: this.usage(0, 0, count * this.options.usdTicksPerImage) },
          },
        };
      }
      case "videoRequest":
      case "videoExtensionRequest": {
        const video = { url: `${mediaBaseUrl}/videos/${path}.mp4`, duration: payload.value.duration ?? defaultVideoSeconds };
        return {
          response: {
            case: "videoResponse",
            value: { video, model: payload.value.model, progress: 100, usage: this.usage(0, 0, this.options.usdTicksPerVideo) },
          },
        };
      }
      default:
        throw new Error("a request without payload reached the model");
    }
  }

  private complete(path: string, request: GetCompletionsRequest, nowMs: number): MessageInitShape<typeof GetChatCompletionResponseSchema> {
    const answer = `echo: ${lastUserText(request)}`;
    const choices = outputCount(request.n);
    const promptTokens = countWords(request.messages.flatMap((m) => textParts(m.content)).join(" "));
    const completionTokens = countWords(answer) * choices;
    return {
      id: path,
      model: request.model,
      created: timestampFromMs(nowMs),
      outputs: Array.from({ length: choices }, (_, index) => ({
        index,
        finishReason: FinishReason.REASON_STOP,
        message: { role: MessageRole.ROLE_ASSISTANT, content: answer },
      })),
      usage: this.usage(promptTokens, completionTokens, (promptTokens + completionTokens) * this.options.usdTicksPerToken),
    };
  }

  private usage(promptTokens: number, completionTokens: number, costUsdTicks: number): Usage {
    return {
      promptTokens,
      promptTextTokens: promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      costInUsdTicks: BigInt(costUsdTicks),
    };
  }
}

function outputCount(n: number | undefined): number {
  return Math.min(Math.max(n ?? 1, 1), maxOutputs);
}

function requestText(request: BatchRequest): string {
  const payload = request.request;
  return payload.case === "completionRequest" ? lastUserText(payload.value) : (payload.value?.prompt ?? "");
}

function lastUserText(request: GetCompletionsRequest): string {
  const message = request.messages.findLast((m) => m.role === MessageRole.ROLE_USER) ?? request.messages.at(-1);
  return textParts(message?.content ?? []).join(" ");
}

function textParts(content: readonly Content[]): string[] {
  return content.flatMap((part) => (part.content.case === "text" ? [part.content.value] : []));
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word !== "").length;
}
