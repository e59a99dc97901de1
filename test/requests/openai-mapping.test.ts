import { create, fromJson, toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import {
  FormatType,
  GetCompletionsRequestSchema,
  ImageDetail,
  MessageRole,
  ReasoningEffort,
  ToolMode,
} from "../../src/core/internal/wire.js";
import {
  chatFieldNamed,
  chatFields,
  checkParamRanges,
  formatTypeWords,
  imageDetailWords,
  openAiAliases,
  paramRanges,
  reasoningEffortWords,
  roleWords,
  toolModeWords,
  type EnumWords,
} from "../../src/requests/internal/openai-mapping.js";

const refuse = (field: string): never => {
  throw new InputError(`refused ${field}`);
};

/** The xAI form of one parameter: protobuf's canonical JSON of a request that sets only it (and a model). */
function readAsXai(key: string, value: JsonValue): JsonObject {
  const field = chatFieldNamed(key)!;
  const request = fromJson(GetCompletionsRequestSchema, { model: "m", [field.xai]: field.read?.(value) ?? value });
  const { model: _, ...rest } = toJson(GetCompletionsRequestSchema, request) as JsonObject;
  return rest;
}

/** The OpenAI form of the one parameter an xAI request (as canonical JSON) sets. */
function writeAsOpenAi(key: string, xai: JsonObject): JsonValue | undefined {
  return chatFieldNamed(key)!.write(fromJson(GetCompletionsRequestSchema, { model: "m", ...xai }), refuse);
}

const schema = { type: "object", properties: { q: { type: "string" } } };

// Each row: a parameter as OpenAI's body writes it, the same as xAI's request holds it (canonical protobuf JSON).
const rows: [key: string, openAi: JsonValue, xai: JsonObject][] = [
  ["user", "u-1", { user: "u-1" }],
  ["n", 2, { n: 2 }],
  ["max_tokens", 40, { maxTokens: 40 }],
  ["seed", -7, { seed: -7 }],
  ["stop", ["END", "\n\n"], { stop: ["END", "\n\n"] }],
  ["temperature", 0.7, { temperature: 0.7 }],
  ["top_p", 0.9, { topP: 0.9 }],
  ["logprobs", true, { logprobs: true }],
  ["top_logprobs", 5, { topLogprobs: 5 }],
  ["frequency_penalty", -1.5, { frequencyPenalty: -1.5 }],
  ["presence_penalty", 0.1, { presencePenalty: 0.1 }],
  ["reasoning_effort", "none", { reasoningEffort: "EFFORT_NONE" }],
  ["reasoning_effort", "low", { reasoningEffort: "EFFORT_LOW" }],
  ["reasoning_effort", "medium", { reasoningEffort: "EFFORT_MEDIUM" }],
  ["reasoning_effort", "high", { reasoningEffort: "EFFORT_HIGH" }],
  ["parallel_tool_calls", false, { parallelToolCalls: false }],
  [
    "tools",
    [{ type: "function", function: { name: "lookup", description: "Looks it up", strict: true, parameters: schema } }],
    { tools: [{ function: { name: "lookup", description: "Looks it up", strict: true, parameters: JSON.stringify(schema) } }] },
  ],
  ["tool_choice", "auto", { toolChoice: { mode: "TOOL_MODE_AUTO" } }],
  ["tool_choice", "none", { toolChoice: { mode: "TOOL_MODE_NONE" } }],
  ["tool_choice", "required", { toolChoice: { mode: "TOOL_MODE_REQUIRED" } }],
  ["tool_choice", { type: "function", function: { name: "lookup" } }, { toolChoice: { functionName: "lookup" } }],
  ["response_format", { type: "text" }, { responseFormat: { formatType: "FORMAT_TYPE_TEXT" } }],
  ["response_format", { type: "json_object" }, { responseFormat: { formatType: "FORMAT_TYPE_JSON_OBJECT" } }],
  [
    "response_format",
    { type: "json_schema", json_schema: { name: "schema", schema } },
    { responseFormat: { formatType: "FORMAT_TYPE_JSON_SCHEMA", schema: JSON.stringify(schema) } },
  ],
];

describe("the OpenAI ↔ xAI mapping of a chat completion's parameters", () => {
  it.each(rows)("%s %j is xAI's %j, and is written back as it was", (key, openAi, xai) => {
    expect(readAsXai(key, openAi)).toEqual(xai);
    expect(writeAsOpenAi(key, xai)).toEqual(openAi);
    expect(writeAsOpenAi(key, readAsXai(key, openAi))).toEqual(openAi);
  });

  // Other ways OpenAI's body may say the same thing, read as the row's xAI form and written in the canonical one.
  it.each<[string, JsonValue, JsonObject, JsonValue]>([
    ["stop", "END", { stop: ["END"] }, ["END"]],
    ["response_format", "json_object", { responseFormat: { formatType: "FORMAT_TYPE_JSON_OBJECT" } }, { type: "json_object" }],
    [
      "response_format",
      { type: "json_schema", json_schema: schema },
      { responseFormat: { formatType: "FORMAT_TYPE_JSON_SCHEMA", schema: JSON.stringify(schema) } },
      { type: "json_schema", json_schema: { name: "schema", schema } },
    ],
    [
      "tools",
      [{ type: "function", function: { name: "f", parameters: "{}" } }],
      { tools: [{ function: { name: "f", parameters: "{}" } }] },
      [{ type: "function", function: { name: "f", parameters: {} } }],
    ],
  ])("%s %j is also read as %j, and written as %j", (key, openAi, xai, written) => {
    expect(readAsXai(key, openAi)).toEqual(xai);
    expect(writeAsOpenAi(key, xai)).toEqual(written);
  });

  it("covers every parameter in its table, each by protobuf's own snake_case name, and the camelCase one too", () => {
    expect(new Set(rows.map(([key]) => key))).toEqual(new Set(chatFields.map((f) => f.openAi)));
    for (const field of chatFields) {
      expect(GetCompletionsRequestSchema.field[field.xai]?.name).toBe(field.openAi);
      expect(chatFieldNamed(field.xai)).toBe(field);
    }
    expect(chatFieldNamed("stream")).toBeUndefined();
    expect(chatFieldNamed("__proto__")).toBeUndefined();
    expect([...openAiAliases]).toEqual([["max_completion_tokens", "max_tokens"]]);
  });

  it("writes nothing for an unset field, and refuses, by name, a value OpenAI's form has no word for", () => {
    const unset = create(GetCompletionsRequestSchema, { model: "m" });
    expect(chatFields.map((f) => f.write(unset, refuse)).filter((v) => v !== undefined)).toEqual([]);
    const odd = create(GetCompletionsRequestSchema, {
      model: "m",
      reasoningEffort: ReasoningEffort.INVALID_EFFORT,
      toolChoice: { toolChoice: { case: "mode", value: ToolMode.INVALID } },
    });
    expect(() => chatFieldNamed("reasoning_effort")!.write(odd, refuse)).toThrow("refused reasoningEffort");
    expect(() => chatFieldNamed("tool_choice")!.write(odd, refuse)).toThrow("refused toolChoice");
  });

  it("passes a word it does not know on as it is, for protobuf's reader to refuse by name", () => {
    expect(chatFieldNamed("reasoning_effort")!.read!("max")).toBe("max");
    expect(chatFieldNamed("tool_choice")!.read!("toString")).toBe("toString");
    expect(chatFieldNamed("response_format")!.read!({ type: "yaml" })).toEqual({ type: "yaml" });
    expect(() => chatFieldNamed("response_format")!.read!({ type: "json_schema" })).toThrow(/needs "json_schema"/);
  });
});

describe("the enum words", () => {
  const table: [string, EnumWords<number>, [string, number][]][] = [
    [
      "roles",
      roleWords,
      [
        ["user", MessageRole.ROLE_USER],
        ["system", MessageRole.ROLE_SYSTEM],
        ["assistant", MessageRole.ROLE_ASSISTANT],
      ],
    ],
    [
      "image details",
      imageDetailWords,
      [
        ["auto", ImageDetail.DETAIL_AUTO],
        ["low", ImageDetail.DETAIL_LOW],
        ["high", ImageDetail.DETAIL_HIGH],
      ],
    ],
    [
      "reasoning efforts",
      reasoningEffortWords,
      [
        ["none", ReasoningEffort.EFFORT_NONE],
        ["low", ReasoningEffort.EFFORT_LOW],
        ["medium", ReasoningEffort.EFFORT_MEDIUM],
        ["high", ReasoningEffort.EFFORT_HIGH],
      ],
    ],
    [
      "tool modes",
      toolModeWords,
      [
        ["auto", ToolMode.AUTO],
        ["none", ToolMode.NONE],
        ["required", ToolMode.REQUIRED],
      ],
    ],
    [
      "format types",
      formatTypeWords,
      [
        ["text", FormatType.TEXT],
        ["json_object", FormatType.JSON_OBJECT],
        ["json_schema", FormatType.JSON_SCHEMA],
      ],
    ],
  ];

  it.each(table)("%s: each word is its value, and back", (_name, words, pairs) => {
    for (const [word, value] of pairs) {
      expect(words.value(word)).toBe(value);
      expect(words.word(value)).toBe(word);
    }
    expect(words.pairs).toEqual(pairs);
    for (const other of ["__proto__", "toString", "constructor", 1, undefined]) expect(words.value(other)).toBeUndefined();
    expect(words.word(0)).toBeUndefined();
  });

  it("lists its words for an error message", () => {
    expect(roleWords.listed()).toBe('"user", "system" or "assistant"');
    expect(toolModeWords.listed({ more: "{ functionName }" })).toBe('"auto", "none", "required" or { functionName }');
    expect(formatTypeWords.listed({ except: FormatType.JSON_SCHEMA, more: "{ jsonSchema }" })).toBe(
      '"text", "json_object" or { jsonSchema }',
    );
  });
});

describe("the parameter ranges", () => {
  it.each(Object.entries(paramRanges))("%s takes %j, its ends included, and refuses a value past either end by name", (name, range) => {
    expect(() => checkParamRanges({ [name]: range.min })).not.toThrow();
    expect(() => checkParamRanges({ [name]: range.max })).not.toThrow();
    const kind = range.integer ? "an integer" : "a number";
    for (const past of [range.min - 1, range.max + 1, Number.NaN, "1"]) {
      expect(() => checkParamRanges({ [name]: past })).toThrow(`Expected \`${name}\` to be ${kind} from ${range.min} to ${range.max}`);
    }
    if (range.integer) expect(() => checkParamRanges({ [name]: range.min + 0.5 })).toThrow(InputError);
    else expect(() => checkParamRanges({ [name]: (range.min + range.max) / 3 })).not.toThrow();
  });
});
