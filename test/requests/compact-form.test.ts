import { toJson, type JsonObject } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { compactToCanonical } from "../../src/requests/internal/compact-form.js";
import { image, system, text, tool, user, assistant, InputError } from "../../src/index.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { ChatRequest } from "../../src/requests/chat.js";
import { BatchRequestSchema } from "../../src/core/internal/wire.js";

/** What the library's own builders make of the same request, as canonical JSON. */
function libraryJson(chat: ChatRequest): JsonObject {
  return toJson(BatchRequestSchema, chat.toBatchRequest()) as JsonObject;
}

function parsedJson(line: object): JsonObject {
  return toJson(BatchRequestSchema, parseRequestLine(JSON.stringify(line))) as JsonObject;
}

/** A JSONL line as `add` reads it, every model allowed. */
function parseRequestLine(line: string) {
  return toBatchRequest(JSON.parse(line), 0, undefined);
}

describe("the compact chat form", () => {
  it("reads roles, string content and snake_case parameters as the library's builders would", () => {
    const line = {
      id: "a",
      model: "grok-4",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Again" },
      ],
      max_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      stop: "END",
    };
    const expected = new ChatRequest("grok-4", { batchRequestId: "a", maxTokens: 50, temperature: 0.5, topP: 0.9, stop: ["END"] }).append(
      system("Be brief."),
      user("Hi"),
      assistant("Hello!"),
      user("Again"),
    );
    expect(parsedJson(line)).toEqual(libraryJson(expected));
  });

  it("accepts camelCase parameters and OpenAI-style parts", () => {
    const line = {
      id: "v",
      model: "grok-4",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "https://x.test/a.png", detail: "high" } },
          ],
        },
      ],
      maxTokens: 20,
    };
    const expected = new ChatRequest("grok-4", { batchRequestId: "v", maxTokens: 20 }).append(
      user(text("What is this?"), image("https://x.test/a.png", { detail: "high" })),
    );
    expect(parsedJson(line)).toEqual(libraryJson(expected));
  });

  it("maps the friendly enum forms: reasoning effort, response format, tool choice, function tools", () => {
    const parameters = { type: "object", properties: { city: { type: "string" } } };
    const line = {
      model: "grok-3-mini",
      messages: [{ role: "user", content: "Weather?" }],
      reasoning_effort: "low",
      response_format: { type: "json_object" },
      tool_choice: "auto",
      tools: [{ type: "function", function: { name: "weather", description: "Looks it up", parameters } }],
    };
    const expected = new ChatRequest("grok-3-mini", {
      reasoningEffort: "low",
      responseFormat: "json_object",
      toolChoice: "auto",
      tools: [tool({ name: "weather", description: "Looks it up", parameters })],
    }).append(user("Weather?"));
    expect(parsedJson(line)).toEqual(libraryJson(expected));
    const schema = parsedJson({
      model: "grok-4",
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_schema", json_schema: { schema: { type: "object" } } },
    });
    expect(schema).toMatchObject({
      completionRequest: { responseFormat: { formatType: "FORMAT_TYPE_JSON_SCHEMA", schema: '{"type":"object"}' } },
    });
    const choice = parsedJson({
      model: "grok-4",
      messages: [{ role: "user", content: "x" }],
      tool_choice: { type: "function", function: { name: "weather" } },
    });
    expect(choice).toMatchObject({ completionRequest: { toolChoice: { functionName: "weather" } } });
  });

  it.each([
    [{ model: "grok-4", messages: [] }, '"messages" must be a non-empty array'],
    [{ model: "grok-4", messages: "hi" }, '"messages" must be a non-empty array'],
    [{ model: 4, messages: [{ role: "user", content: "x" }] }, '"model" must be a non-empty string such as "grok-4", got 4'],
    [{ id: 7, model: "grok-4", messages: [{ role: "user", content: "x" }] }, '"id" must be a non-empty string, got 7'],
    [{ id: "a", batch_request_id: "a", model: "grok-4", messages: [{ role: "user", content: "x" }] }, "gives its id more than once"],
    [{ model: "grok-4", messages: [{ role: "bot", content: "x" }] }, 'messages[0].role must be "user", "system" or "assistant", got "bot"'],
    [{ model: "grok-4", messages: [{ role: "user" }] }, "messages[0].content must be a string or a non-empty array of parts, got nothing"],
    [
      { model: "grok-4", messages: [{ role: "user", content: [{ type: "audio" }] }] },
      'messages[0].content[0].type must be "text" or "image_url", got "audio"',
    ],
    [
      { model: "grok-4", messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] },
      "messages[0].content[0].image_url.url must be an https:// or data: URL",
    ],
    [{ model: "grok-4", messages: ["hi"] }, 'messages[0] must be an object such as {"role":"user","content":"Hello"}, got "hi"'],
  ])("refuses %j with a message that says what to fix", (row, message) => {
    expect(() => compactToCanonical(row as JsonObject)).toThrow(InputError);
    expect(() => compactToCanonical(row as JsonObject)).toThrow(message);
  });
});

describe("prototype-named keys", () => {
  const base = '"model":"grok-4","messages":[{"role":"user","content":"x"}]';

  it.each(["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty"])("refuses a %s parameter by name", (key) => {
    expect(() => parseRequestLine(`{${base},"${key}":{"a":1}}`)).toThrow(InputError);
    expect(() => parseRequestLine(`{${base},"${key}":{"a":1}}`)).toThrow(`key "${key}" is unknown`);
  });

  it.each(["__proto__", "constructor", "toString"])("refuses %s as a role or an enum word", (word) => {
    expect(() => parseRequestLine(`{"model":"grok-4","messages":[{"role":"${word}","content":"x"}]}`)).toThrow(
      `messages[0].role must be "user", "system" or "assistant", got "${word}"`,
    );
    expect(() => parseRequestLine(`{${base},"reasoning_effort":"${word}"}`)).toThrow(InputError);
    expect(() => parseRequestLine(`{${base},"tool_choice":"${word}"}`)).toThrow(InputError);
    expect(() => parseRequestLine(`{${base},"response_format":"${word}"}`)).toThrow(InputError);
  });
});

describe("a JSON line through the normaliser", () => {
  it("reads canonical protobuf JSON of every request kind", () => {
    const lines = [
      { batchRequestId: "c", completionRequest: { model: "grok-4", messages: [{ role: "ROLE_USER", content: [{ text: "hi" }] }] } },
      { batchRequestId: "i", imageRequest: { model: "grok-imagine-image", prompt: "a fox", n: 2 } },
      { batch_request_id: "v", video_request: { model: "grok-imagine-video", prompt: "waves", duration: 6 } },
      {
        batchRequestId: "e",
        videoExtensionRequest: { model: "grok-imagine-video", prompt: "more", video: { url: "https://x.test/v.mp4" } },
      },
    ];
    expect(lines.map((l) => parseRequestLine(JSON.stringify(l)).request.case)).toEqual([
      "completionRequest",
      "imageRequest",
      "videoRequest",
      "videoExtensionRequest",
    ]);
    expect(parseRequestLine(JSON.stringify(lines[2])).batchRequestId).toBe("v");
  });

  it.each([
    ["[1,2]", /^request #0: is an array of 2/],
    ['"text"', /^request #0: is "text"/],
    ["null", /^request #0: is null/],
    ['{"id":"a"}', /^request #0 \(id "a"\): is none of the request shapes/],
    ['{"completionRequest":{"model":"grok-4"},"messages":[]}', /mixes a BatchRequest's "completionRequest"/],
    ['{"completionRequest":{"model":"grok-4","maxTokens":"lots"}}', /max_tokens .*"lots"/],
    ['{"completionRequest":{"model":"grok-4","bogus":1}}', /bogus/],
    [
      '{"model":"grok-4","messages":[{"role":"user","content":"x"}],"temperature":3}',
      /Expected `temperature` to be a number from 0 to 2, got 3/,
    ],
    ['{"model":"grok-4","messages":[{"role":"user","content":"x"}],"max_tokens":0}', /Expected `maxTokens` to be an integer from 1/],
  ])("refuses %s", (line, message) => {
    expect(() => parseRequestLine(line)).toThrow(InputError);
    expect(() => parseRequestLine(line)).toThrow(message);
  });
});
