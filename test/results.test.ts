import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { viewResult } from "../src/views/view-result.js";
import { BatchResultSchema, FinishReason } from "../src/core/internal/wire.js";

type ResultInit = MessageInitShape<typeof BatchResultSchema>;
type ResponseInit = NonNullable<Extract<NonNullable<ResultInit["result"]>, { case: "response" }>["value"]>["response"];

const result = (init: Omit<ResultInit, "batchRequestId" | "$typeName">) => create(BatchResultSchema, { batchRequestId: "req-1", ...init });
const success = (response: ResponseInit) => result({ result: { case: "response", value: { response } } });
const failure = (code: number, message: string) => result({ result: { case: "error", value: { code, message } } });

describe("viewResult: successes by oneof case", () => {
  it("reads a completion's text, reasoning, finish reason and usage", () => {
    const raw = success({
      case: "completionResponse",
      value: {
        model: "grok-4",
        outputs: [
          {
            finishReason: FinishReason.REASON_STOP,
            message: {
              content: "Paris.",
              reasoningContent: "France's capital",
              toolCalls: [{ id: "t1", tool: { case: "function", value: { name: "lookup", arguments: '{"q":"UK"}' } } }],
            },
          },
        ],
        created: { seconds: 1_700_000_000n },
        usage: { promptTokens: 12, completionTokens: 3, totalTokens: 15, costInUsdTicks: 25_000_000n },
      },
    });
    const view = viewResult(raw);
    expect(view).toMatchObject({
      ok: true,
      kind: "completion",
      batchRequestId: "req-1",
      model: "grok-4",
      text: "Paris.",
      reasoningText: "France's capital",
      finishReason: "stop",
    });
    expect(view.ok && view.kind === "completion" && view.toolCalls).toEqual([{ id: "t1", name: "lookup", arguments: '{"q":"UK"}' }]);
    expect(view.ok && view.usage).toMatchObject({ totalTokens: 15, costUsdTicks: 25_000_000, costUsd: 0.0025 });
    expect(view.raw).toBe(raw);
    // Plain data: the wire message (bigints, $typeName) stays out of the JSON.
    const json = JSON.parse(JSON.stringify(view));
    expect(json).toEqual({
      ...json,
      batchRequestId: "req-1",
      ok: true,
      kind: "completion",
      finishReason: "stop",
      usage: expect.objectContaining({ costUsd: 0.0025 }),
    });
    expect(json).not.toHaveProperty("raw");
  });

  it("reads a completion with no outputs as empty text", () => {
    const view = viewResult(success({ case: "completionResponse", value: {} }));
    expect(view).toMatchObject({
      ok: true,
      kind: "completion",
      text: "",
      reasoningText: "",
      finishReason: "invalid",
      toolCalls: [],
      usage: undefined,
    });
  });

  it("lists an image response's URLs, skipping base64 images", () => {
    const view = viewResult(
      success({
        case: "imageResponse",
        value: {
          images: [
            { image: { case: "url", value: "https://img/1.png" } },
            { image: { case: "base64", value: "iVBOR" } },
            { image: { case: "url", value: "https://img/2.png" } },
          ],
          usage: { totalTokens: 7 },
        },
      }),
    );
    expect(view).toMatchObject({ ok: true, kind: "image", urls: ["https://img/1.png", "https://img/2.png"] });
    expect(view.ok && view.usage?.totalTokens).toBe(7);
  });

  it("gives a video response's URL", () => {
    const view = viewResult(success({ case: "videoResponse", value: { video: { url: "https://vid/1.mp4", duration: 6 } } }));
    expect(view).toMatchObject({ ok: true, kind: "video", url: "https://vid/1.mp4" });
  });
});

describe("viewResult: failures", () => {
  it("exposes the server's code and message", () => {
    expect(viewResult(failure(Code.InvalidArgument, "max_tokens too large"))).toMatchObject({
      ok: false,
      kind: "error",
      batchRequestId: "req-1",
      error: { code: Code.InvalidArgument, status: "invalid_argument", message: "max_tokens too large" },
    });
    expect(JSON.parse(JSON.stringify(viewResult(failure(Code.InvalidArgument, "x"))))).toEqual({
      batchRequestId: "req-1",
      ok: false,
      kind: "error",
      error: { code: Code.InvalidArgument, status: "invalid_argument", message: "x" },
    });
  });

  it("is still a failure when the error's Status has code 0", () => {
    const view = viewResult(failure(0, "model crashed"));
    expect(view.ok).toBe(false);
    expect(view).toMatchObject({ kind: "error", error: { code: 0, message: "model crashed" } });
  });

  it("is a failure with UNKNOWN when the result has neither a response nor an error", () => {
    expect(viewResult(result({}))).toMatchObject({
      ok: false,
      kind: "error",
      error: { code: Code.Unknown, message: "the result carries neither a response nor an error" },
    });
  });

  it("is a failure with UNKNOWN when the response's own oneof is empty", () => {
    expect(viewResult(result({ result: { case: "response", value: {} } }))).toMatchObject({
      ok: false,
      kind: "error",
      error: { code: Code.Unknown, message: "the result's response is empty" },
    });
  });
});
