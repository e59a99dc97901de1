import { toJson, type JsonObject } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InputError, system, tool, user } from "../../src/index.js";
import { ChatRequest } from "../../src/requests/chat.js";
import { openAiLineToCanonical } from "../../src/requests/internal/openai-line.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { BatchRequestSchema } from "../../src/core/internal/wire.js";

const line = (body: JsonObject, extra: JsonObject = {}): JsonObject => ({
  custom_id: "req-1",
  method: "POST",
  url: "/v1/chat/completions",
  body,
  ...extra,
});
const read = (row: JsonObject) => toJson(BatchRequestSchema, toBatchRequest(row, 0, undefined)) as JsonObject;
const built = (chat: ChatRequest) => toJson(BatchRequestSchema, chat.toBatchRequest()) as JsonObject;

describe("the OpenAI-compatible batch line", () => {
  it("becomes the BatchRequest the builders make, custom_id as its batch_request_id", () => {
    const row = line({
      model: "grok-4",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Hi" }] },
      ],
      max_tokens: 40,
      temperature: 0.2,
      top_p: 0.9,
      n: 2,
      stop: "END",
      seed: 7,
      reasoning_effort: "low",
      response_format: { type: "json_object" },
      tool_choice: "auto",
      tools: [{ type: "function", function: { name: "lookup", description: "find", parameters: { type: "object", properties: {} } } }],
    });
    const expected = new ChatRequest("grok-4", {
      batchRequestId: "req-1",
      maxTokens: 40,
      temperature: 0.2,
      topP: 0.9,
      n: 2,
      stop: ["END"],
      seed: 7,
      reasoningEffort: "low",
      responseFormat: "json_object",
      toolChoice: "auto",
      tools: [tool({ name: "lookup", description: "find", parameters: { type: "object", properties: {} } })],
    }).append(system("Be brief."), user("Hi"));
    expect(read(row)).toEqual(built(expected));
  });

  it("reads max_completion_tokens as max_tokens, and the developer role as system", () => {
    const row = line({
      model: "grok-4",
      messages: [
        { role: "developer", content: "Rules." },
        { role: "user", content: "Hi" },
      ],
      max_completion_tokens: 9,
    });
    expect(read(row)).toEqual(
      built(new ChatRequest("grok-4", { batchRequestId: "req-1", maxTokens: 9 }).append(system("Rules."), user("Hi"))),
    );
  });

  it.each([
    [line({ model: "grok-4", messages: [] }, { url: "/v1/embeddings" }), "url", /"\/v1\/embeddings" is not covered/],
    [line({ model: "grok-4", messages: [{ role: "user", content: "x" }] }, { method: "GET" }), "method", /must be "POST"/],
    [{ method: "POST", url: "/v1/chat/completions", body: {} }, "custom_id", /must be a non-empty string/],
    [line({ model: "grok-4", messages: [{ role: "user", content: "x" }], stream: true }), "body.stream", /has no counterpart/],
    [line({ model: "grok-4", messages: [{ role: "user", content: "x" }], logit_bias: {} }), "body.logit_bias", /has no counterpart/],
    [
      line({ model: "grok-4", messages: [{ role: "user", content: "x" }], max_tokens: 5, max_completion_tokens: 5 }),
      "body.max_completion_tokens",
      /together with max_tokens/,
    ],
    [line({ model: "grok-4", messages: [{ role: "tool", content: "42" }] }), "body", /role must be "user", "system" or "assistant"/],
    [line("nope" as unknown as JsonObject), "body", /must be the JSON body of a chat completion/],
    [{ ...line({}), extra: 1 }, "extra", /is not a field of an OpenAI batch line/],
  ])("refuses %j naming the field", (row, field, reason) => {
    let error: unknown;
    try {
      openAiLineToCanonical(row as JsonObject);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe(field);
    expect((error as InputError).reason).toMatch(reason);
  });

  it("keeps the custom_id and the index in the error of a refused line", () => {
    const row = line({ model: "grok-4", messages: [{ role: "user", content: "x" }], temperature: 5 });
    const error = (() => {
      try {
        toBatchRequest(row, 4, undefined);
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(error).toMatchObject({ index: 4, batchRequestId: "req-1" });
    expect(error?.message).toMatch(/^request #4 \(id "req-1"\): Expected `temperature` to be a number from 0 to 2, got 5/);
  });
});
