import { equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ChatRequest, tool, type ChatParams } from "../src/requests/chat.js";
import { ChatResource } from "../src/resources/chat.js";
import { InputError } from "../src/core/errors.js";
import { assistant, image, system, user } from "../src/requests/messages.js";
import { BatchRequestSchema, FormatType, MessageRole, MessageSchema, ReasoningEffort, ToolMode } from "../src/core/internal/wire.js";

const weather = tool({
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: true,
});

describe("ChatRequest parameters", () => {
  it("maps camelCase parameters onto the GetCompletionsRequest", () => {
    const plain = { maxTokens: 200, temperature: 0.7, topP: 0.9, seed: 42, stop: ["\n\n", "END"], n: 2 };
    const chat = new ChatRequest("grok-4", {
      ...plain,
      tools: [weather],
      toolChoice: "required",
      responseFormat: "json_object",
      reasoningEffort: "high",
      searchParameters: { returnCitations: true, maxSearchResults: 5 },
    });
    const r = chat.request;
    expect(chat.model).toBe("grok-4");
    expect(r).toMatchObject(plain);
    expect(r.toolChoice?.toolChoice).toEqual({ case: "mode", value: ToolMode.REQUIRED });
    expect(r.responseFormat?.formatType).toBe(FormatType.JSON_OBJECT);
    expect(r.reasoningEffort).toBe(ReasoningEffort.EFFORT_HIGH);
    expect(r.searchParameters?.returnCitations).toBe(true);
    expect(r.searchParameters?.maxSearchResults).toBe(5);
    expect(r.tools).toHaveLength(1);
  });

  it("leaves unset parameters unset", () => {
    const r = new ChatRequest("grok-4").request;
    expect([r.maxTokens, r.temperature, r.toolChoice, r.responseFormat, r.reasoningEffort]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(r.messages).toEqual([]);
  });

  it.each<[ChatParams["toolChoice"], unknown]>([
    ["auto", { case: "mode", value: ToolMode.AUTO }],
    ["none", { case: "mode", value: ToolMode.NONE }],
    ["required", { case: "mode", value: ToolMode.REQUIRED }],
    [{ functionName: "get_weather" }, { case: "functionName", value: "get_weather" }],
  ])("toolChoice %j", (toolChoice, expected) => {
    expect(new ChatRequest("grok-4", { toolChoice }).request.toolChoice?.toolChoice).toEqual(expected);
  });

  it.each<[ChatParams["responseFormat"], FormatType, string | undefined]>([
    ["text", FormatType.TEXT, undefined],
    ["json_object", FormatType.JSON_OBJECT, undefined],
    [
      { jsonSchema: { type: "object", properties: { a: { type: "number" } } } },
      FormatType.JSON_SCHEMA,
      '{"type":"object","properties":{"a":{"type":"number"}}}',
    ],
    [{ jsonSchema: '{"type":"array"}' }, FormatType.JSON_SCHEMA, '{"type":"array"}'],
  ])("responseFormat %j", (responseFormat, formatType, schema) => {
    const format = new ChatRequest("grok-4", { responseFormat }).request.responseFormat;
    expect(format?.formatType).toBe(formatType);
    expect(format?.schema).toBe(schema);
  });

  it.each([
    ["none", ReasoningEffort.EFFORT_NONE],
    ["low", ReasoningEffort.EFFORT_LOW],
    ["medium", ReasoningEffort.EFFORT_MEDIUM],
    ["high", ReasoningEffort.EFFORT_HIGH],
  ] as const)("reasoningEffort %j", (word, effort) => {
    expect(new ChatRequest("grok-4", { reasoningEffort: word }).request.reasoningEffort).toBe(effort);
  });

  it.each<[string, () => unknown, string]>([
    [
      "an unknown parameter",
      () => new ChatRequest("grok-4", { maxTokenz: 5 } as ChatParams),
      "Unknown option `maxTokenz` in chat parameters.",
    ],
    ["temperature 3", () => new ChatRequest("grok-4", { temperature: 3 }), "Expected `temperature` to be a number from 0 to 2, got 3."],
    ["topP 1.5", () => new ChatRequest("grok-4", { topP: 1.5 }), "Expected `topP` to be a number from 0 to 1, got 1.5."],
    [
      "maxTokens 0",
      () => new ChatRequest("grok-4", { maxTokens: 0 }),
      "Expected `maxTokens` to be an integer from 1 to 2147483647, got 0.",
    ],
    ["n 0.5", () => new ChatRequest("grok-4", { n: 0.5 }), "Expected `n` to be an integer from 1 to 128, got 0.5."],
    [
      "stop as a string",
      () => new ChatRequest("grok-4", { stop: "END" as unknown as string[] }),
      'Expected `stop` to be an array of strings, got "END".',
    ],
    ["an empty model", () => new ChatRequest("", {}), 'Expected `model` to be a non-empty string, got "".'],
    [
      "an empty batchRequestId",
      () => new ChatRequest("grok-4", { batchRequestId: " " }),
      'Expected `batchRequestId` to be a non-empty string, got " ".',
    ],
    [
      "an unknown reasoning effort",
      () => new ChatRequest("grok-4", { reasoningEffort: "max" as "high" }),
      'Expected `reasoningEffort` to be "none", "low", "medium" or "high", got "max".',
    ],
    [
      "an unknown tool choice",
      () => new ChatRequest("grok-4", { toolChoice: "always" as "auto" }),
      'Expected `toolChoice` to be "auto", "none", "required" or { functionName }, got "always".',
    ],
    [
      "an unknown response format",
      () => new ChatRequest("grok-4", { responseFormat: "yaml" as "text" }),
      'Expected `responseFormat` to be "text", "json_object" or { jsonSchema }, got "yaml".',
    ],
  ])("refuses %s with a message that says what is expected", (_name, build, message) => {
    expect(build).toThrow(InputError);
    expect(build).toThrow(message);
  });
});

describe("tool", () => {
  it("builds a function tool with its JSON Schema as text", () => {
    expect(weather.tool.case).toBe("function");
    const fn = weather.tool.case === "function" ? weather.tool.value : undefined;
    expect(fn?.name).toBe("get_weather");
    expect(fn?.description).toBe("Current weather for a city");
    expect(JSON.parse(fn?.parameters ?? "")).toEqual({ type: "object", properties: { city: { type: "string" } }, required: ["city"] });
    expect(fn?.strict).toBe(true);
  });

  it("defaults to an empty object schema and accepts schema text as is", () => {
    const bare = tool({ name: "ping" });
    const text = tool({ name: "echo", parameters: '{"type":"object"}' });
    expect(bare.tool.value).toMatchObject({ parameters: '{"type":"object","properties":{}}', description: "", strict: false });
    expect(text.tool.value).toMatchObject({ parameters: '{"type":"object"}' });
  });

  it("refuses an unknown key and a missing name", () => {
    expect(() => tool({ name: "f", params: {} } as unknown as { name: string })).toThrow("Unknown option `params` in tool().");
    expect(() => tool({ name: "" })).toThrow("Expected `name` to be a non-empty string");
  });
});

describe("ChatRequest messages", () => {
  it("appends messages in order and chains", () => {
    const chat = new ChatRequest("grok-4", { messages: [system("Be brief.")] });
    const returned = chat.append(user("Hello!"), assistant("Hi.")).append(user("Bye."));
    expect(returned).toBe(chat);
    expect(chat.messages.map((m) => m.role)).toEqual([
      MessageRole.ROLE_SYSTEM,
      MessageRole.ROLE_USER,
      MessageRole.ROLE_ASSISTANT,
      MessageRole.ROLE_USER,
    ]);
    expect(chat.messages.map((m) => m.content[0]?.content.value)).toEqual(["Be brief.", "Hello!", "Hi.", "Bye."]);
  });

  it.each<[string, unknown, string]>([
    ["a string", "Hello!", 'got "Hello!"'],
    ["a plain object", { role: MessageRole.ROLE_USER, content: [] }, "got an object"],
    ["null", null, "got null"],
  ])("refuses to append %s", (_name, value, got) => {
    const chat = new ChatRequest("grok-4");
    expect(() => chat.append(value as never)).toThrow(`append() takes messages made with user(), system() or assistant(), ${got}.`);
    expect(chat.messages).toHaveLength(0);
  });

  it("is made by client.chat.create", () => {
    const chat = new ChatResource().create("grok-4-fast", { maxTokens: 5 });
    expect(chat).toBeInstanceOf(ChatRequest);
    expect(chat.request.maxTokens).toBe(5);
  });
});

describe("ChatRequest.toBatchRequest", () => {
  const chat = () =>
    new ChatRequest("grok-4", {
      batchRequestId: "req-1",
      maxTokens: 64,
      tools: [weather],
      toolChoice: { functionName: "get_weather" },
      responseFormat: { jsonSchema: { type: "object" } },
    }).append(system("Answer in JSON."), user("What is in this picture?", image("https://example.com/cat.png", { detail: "high" })));

  it("carries the batchRequestId and the completion request", () => {
    const batchRequest = chat().toBatchRequest();
    expect(batchRequest.batchRequestId).toBe("req-1");
    expect(batchRequest.request.case).toBe("completionRequest");
    expect(batchRequest.request.value?.model).toBe("grok-4");
    expect(batchRequest.request.case === "completionRequest" && batchRequest.request.value.messages).toHaveLength(2);
  });

  it("has no batchRequestId when none was given", () => {
    expect(new ChatRequest("grok-4").append(user("x")).toBatchRequest().batchRequestId).toBeUndefined();
  });

  it("survives a real encode and decode unchanged", () => {
    const batchRequest = chat().toBatchRequest();
    const decoded = fromBinary(BatchRequestSchema, toBinary(BatchRequestSchema, batchRequest));
    expect(equals(BatchRequestSchema, decoded, batchRequest)).toBe(true);
    expect(decoded.batchRequestId).toBe("req-1");
    const completion = decoded.request.case === "completionRequest" ? decoded.request.value : undefined;
    expect(completion?.maxTokens).toBe(64);
    expect(completion?.toolChoice?.toolChoice).toEqual({ case: "functionName", value: "get_weather" });
    expect(completion?.responseFormat?.schema).toBe('{"type":"object"}');
    expect(completion?.messages[1]?.content[1]?.content.case).toBe("imageUrl");
    const original = user("What is in this picture?", image("https://example.com/cat.png", { detail: "high" }));
    expect(equals(MessageSchema, completion!.messages[1]!, original)).toBe(true);
  });
});
