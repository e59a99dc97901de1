import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { InputError } from "../../core/errors.js";
import { checkInteger, describeValue } from "../../core/internal/validate.js";
import {
  FormatType,
  ImageDetail,
  MessageRole,
  ReasoningEffort,
  ToolMode,
  type GetCompletionsRequest,
  type ResponseFormat,
  type Tool,
  type ToolChoice,
} from "../../core/internal/wire.js";
import { shortestFloat32 } from "./float32.js";
import { isObject } from "./json-value.js";

// How OpenAI's chat completion body (the body of xAI's batch file lines, and the compact form people write
// by hand) says what xAI's GetCompletionsRequest says: which key is which field, the words of the enums,
// and the range of each numeric parameter. The normaliser (compact-form.ts, openai-line.ts) and the chat
// encoder (internal/wire/chat-encoder.ts) read it one way, the line writer (file-line.ts) the other, the
// builders (chat.ts, messages.ts) check words and ranges with it; test/requests/openai-mapping.test.ts
// takes each row both ways.

/** The words of an enum in OpenAI's form and the xAI enum values they stand for, both ways. */
export class EnumWords<V extends number> {
  private readonly values: ReadonlyMap<string, V>;
  private readonly words: ReadonlyMap<V, string>;

  constructor(readonly pairs: readonly (readonly [word: string, value: V])[]) {
    this.values = new Map(pairs);
    this.words = new Map(pairs.map(([word, value]) => [value, word]));
  }

  /** The value `word` stands for; undefined for anything else (a Map's, so "__proto__" or "toString" is no word). */
  value(word: unknown): V | undefined {
    return this.values.get(word as string);
  }

  /** The word for `value`; undefined for a value OpenAI's form has no word for. */
  word(value: V): string | undefined {
    return this.words.get(value);
  }

  /** The words for an error message, `"a", "b" or "c"`: all but the word of `except`, then `more`. */
  listed(options: { readonly except?: V; readonly more?: string } = {}): string {
    const items = this.pairs.filter(([, value]) => value !== options.except).map(([word]) => JSON.stringify(word));
    if (options.more !== undefined) items.push(options.more);
    return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
  }
}

export const roleWords = new EnumWords<MessageRole>([
  ["user", MessageRole.ROLE_USER],
  ["system", MessageRole.ROLE_SYSTEM],
  ["assistant", MessageRole.ROLE_ASSISTANT],
]);
/** Roles an OpenAI batch line may also give, to the role word they are read as; never written. */
export const openAiRoleAliases: ReadonlyMap<string, string> = new Map([["developer", "system"]]);
export const imageDetailWords = new EnumWords<ImageDetail>([
  ["auto", ImageDetail.DETAIL_AUTO],
  ["low", ImageDetail.DETAIL_LOW],
  ["high", ImageDetail.DETAIL_HIGH],
]);
export const reasoningEffortWords = new EnumWords<ReasoningEffort>([
  ["none", ReasoningEffort.EFFORT_NONE],
  ["low", ReasoningEffort.EFFORT_LOW],
  ["medium", ReasoningEffort.EFFORT_MEDIUM],
  ["high", ReasoningEffort.EFFORT_HIGH],
]);
export const toolModeWords = new EnumWords<ToolMode>([
  ["auto", ToolMode.AUTO],
  ["none", ToolMode.NONE],
  ["required", ToolMode.REQUIRED],
]);
export const formatTypeWords = new EnumWords<FormatType>([
  ["text", FormatType.TEXT],
  ["json_object", FormatType.JSON_OBJECT],
  ["json_schema", FormatType.JSON_SCHEMA],
]);

type Chat = GetCompletionsRequest;
type ChatKey = Exclude<keyof Chat, "$typeName" | "$unknown">;

/** One parameter of a chat completion, as OpenAI's body writes it and as xAI's request holds it. */
export interface ChatField {
  /** Its key in OpenAI's body (which is also protobuf's snake_case name of the field). */
  readonly openAi: string;
  /** Its field of GetCompletionsRequest (protobuf JSON's camelCase name of it). */
  readonly xai: ChatKey;
  /**
   * OpenAI's value as protobuf JSON of the field; absent where the two are written alike. A value it does
   * not know is passed on as it is, for protobuf's JSON reader to refuse by name.
   */
  readonly read?: (value: JsonValue) => JsonValue;
  /** The field of `chat` as OpenAI's body writes it, or undefined when it is unset; `refuse` throws, naming what has no OpenAI form. */
  readonly write: (chat: Chat, refuse: (field: string) => never) => JsonValue | undefined;
}

const field = <K extends ChatKey>(
  openAi: string,
  xai: K,
  write: (value: Chat[K], refuse: (field: string) => never) => JsonValue | undefined,
  read?: ChatField["read"],
): ChatField => ({
  openAi,
  xai,
  read,
  write: (chat, refuse) => write(chat[xai], refuse),
});
/** An optional scalar, written as it is when set. */
const given = (value: number | boolean | undefined): JsonValue | undefined => value;
/** A float: the wire keeps 0.7 as 0.699999988..., and a line should say 0.7. */
const float = (value: number | undefined): JsonValue | undefined => (value === undefined ? undefined : shortestFloat32(value));

/**
 * The body keys of a chat completion that xAI's request has a field for, in the order a line is written.
 * Anything else in OpenAI's body (`stream`, `logit_bias`, `modalities`, `audio`, `store`, `metadata`,
 * `prediction`, `service_tier`, `web_search_options`, `functions`, ...) has no counterpart on the gRPC API.
 */
export const chatFields: readonly ChatField[] = [
  field("user", "user", (v) => (v === "" ? undefined : v)),
  field("n", "n", given),
  field("max_tokens", "maxTokens", given),
  field("seed", "seed", given),
  field(
    "stop",
    "stop",
    (v) => (v.length > 0 ? [...v] : undefined),
    (v) => (typeof v === "string" ? [v] : v),
  ),
  field("temperature", "temperature", float),
  field("top_p", "topP", float),
  field("logprobs", "logprobs", (v) => (v ? true : undefined)),
  field("top_logprobs", "topLogprobs", given),
  field("frequency_penalty", "frequencyPenalty", float),
  field("presence_penalty", "presencePenalty", float),
  field(
    "reasoning_effort",
    "reasoningEffort",
    (v, refuse) => (v === undefined ? undefined : (reasoningEffortWords.word(v) ?? refuse("reasoningEffort"))),
    (v) => reasoningEffortWords.value(v) ?? v,
  ),
  field("parallel_tool_calls", "parallelToolCalls", given),
  field("tools", "tools", writeTools, (v) => (Array.isArray(v) ? v.map(readTool) : v)),
  field("tool_choice", "toolChoice", writeToolChoice, readToolChoice),
  field("response_format", "responseFormat", writeResponseFormat, readResponseFormat),
];

/** Keys OpenAI's body also takes, to the key each stands for. */
export const openAiAliases: ReadonlyMap<string, string> = new Map([["max_completion_tokens", "max_tokens"]]);

const byName = new Map(chatFields.flatMap((f) => [[f.openAi, f] as const, [f.xai, f] as const]));

/** The chat field a key names, in either spelling (`tool_choice` or `toolChoice`); undefined for any other key. */
export function chatFieldNamed(key: string): ChatField | undefined {
  return byName.get(key);
}

function readTool(value: JsonValue): JsonValue {
  if (!isObject(value) || value.type !== "function" || !isObject(value.function)) return value;
  const { parameters, ...fn } = value.function;
  return {
    function: {
      ...fn,
      ...(parameters === undefined ? {} : { parameters: typeof parameters === "string" ? parameters : JSON.stringify(parameters) }),
    },
  };
}

function writeTools(tools: readonly Tool[], refuse: (field: string) => never): JsonValue | undefined {
  if (tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    if (tool.tool.case !== "function")
      return refuse(`tools[${i}] (a ${tool.tool.case ?? "empty"} tool; only function tools have a file line form)`);
    const fn = tool.tool.value;
    const out: JsonObject = { name: fn.name };
    if (fn.description !== "") out.description = fn.description;
    if (fn.strict) out.strict = true;
    if (fn.parameters !== "") out.parameters = JSON.parse(fn.parameters) as JsonValue;
    return { type: "function", function: out };
  });
}

function readToolChoice(value: JsonValue): JsonValue {
  if (typeof value === "string") {
    const mode = toolModeWords.value(value);
    return mode === undefined ? value : { mode };
  }
  if (isObject(value) && value.type === "function" && isObject(value.function) && typeof value.function.name === "string") {
    return { functionName: value.function.name };
  }
  return value;
}

function writeToolChoice(value: ToolChoice | undefined, refuse: (field: string) => never): JsonValue | undefined {
  const choice = value?.toolChoice;
  if (choice?.case === "mode") return toolModeWords.word(choice.value) ?? refuse("toolChoice");
  if (choice?.case === "functionName") return { type: "function", function: { name: choice.value } };
  return undefined;
}

function readResponseFormat(value: JsonValue): JsonValue {
  const type = typeof value === "string" ? value : isObject(value) ? value.type : undefined;
  const formatType = formatTypeWords.value(type);
  if (formatType === undefined || !isObject(value)) return formatType === undefined ? value : { formatType };
  if (formatType !== FormatType.JSON_SCHEMA) return { formatType };
  // OpenAI nests the schema as json_schema.schema; xAI takes the schema's JSON text.
  const wrapper = value.json_schema ?? value.jsonSchema;
  const schema = isObject(wrapper) && wrapper.schema !== undefined ? wrapper.schema : wrapper;
  if (schema === undefined) throw new InputError(`response_format of type "json_schema" needs "json_schema": {"schema": {...}}`);
  return { formatType, schema: typeof schema === "string" ? schema : JSON.stringify(schema) };
}

function writeResponseFormat(format: ResponseFormat | undefined, refuse: (field: string) => never): JsonValue | undefined {
  if (format === undefined || format.formatType === FormatType.INVALID) return undefined;
  const type = formatTypeWords.word(format.formatType) ?? refuse("responseFormat");
  return format.formatType === FormatType.JSON_SCHEMA
    ? { type, json_schema: { name: "schema", schema: JSON.parse(format.schema ?? "{}") as JsonValue } }
    : { type };
}

/** The values a numeric parameter may take, as xAI takes them. */
export interface ParamRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

const int32Min = -2_147_483_648;
const int32Max = 2_147_483_647;
const integers = (min: number, max: number): ParamRange => ({ min, max, integer: true });
const numbers = (min: number, max: number): ParamRange => ({ min, max, integer: false });

/** The numeric parameters of a chat completion and their ranges, in the order they are checked. */
export const paramRanges = {
  maxTokens: integers(1, int32Max),
  n: integers(1, 128),
  seed: integers(int32Min, int32Max),
  topLogprobs: integers(0, 20),
  maxTurns: integers(1, int32Max),
  temperature: numbers(0, 2),
  topP: numbers(0, 1),
  frequencyPenalty: numbers(-2, 2),
  presencePenalty: numbers(-2, 2),
} as const satisfies { readonly [K in ChatKey]?: ParamRange };

const rangedFields = Object.keys(paramRanges) as (keyof typeof paramRanges)[];

/** Whether a number is one `range` holds. */
export function inRange(value: number, range: ParamRange): boolean {
  return value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));
}

/** Refuses the first numeric parameter of `params` that is out of its range, naming it. */
export function checkParamRanges(params: { readonly [K in keyof typeof paramRanges]?: unknown }): void {
  for (const name of rangedFields) {
    const value = params[name];
    const range: ParamRange = paramRanges[name];
    if (range.integer) checkInteger(name, value, range.min, range.max);
    else if (value !== undefined && (typeof value !== "number" || !inRange(value, range))) {
      throw new InputError(`Expected \`${name}\` to be a number from ${range.min} to ${range.max}, got ${describeValue(value)}.`);
    }
  }
}
