import { create, isMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { InputError } from "../core/errors.js";
import { checkKnownKeys, checkNonEmptyString, describeValue } from "../core/internal/validate.js";
import { checkParamRanges, formatTypeWords, reasoningEffortWords, toolModeWords } from "./internal/openai-mapping.js";
import {
  BatchRequestSchema,
  FormatType,
  FunctionSchema,
  GetCompletionsRequestSchema,
  MessageSchema,
  type ReasoningEffort,
  type ResponseFormatSchema,
  type ToolChoiceSchema,
  ToolSchema,
  type BatchRequest,
  type GetCompletionsRequest,
  type Message,
  type Tool,
} from "../core/internal/wire.js";

type CompletionsInit = MessageInitShape<typeof GetCompletionsRequestSchema>;

/**
 * Parameters of a chat completion: every field of xAI's GetCompletionsRequest in camelCase (maxTokens,
 * temperature, topP, seed, stop, n, tools, searchParameters, ...), with friendlier forms for the enums,
 * plus the `batchRequestId` that ties the result back to this request.
 */
export type ChatParams = Omit<CompletionsInit, "$typeName" | "model" | "messages" | "reasoningEffort" | "toolChoice" | "responseFormat"> & {
  /** Your id for this request, unique within the batch; its result carries it back. */
  batchRequestId?: string;
  /** Messages to start with; more can be added with `append`. */
  messages?: Message[];
  /** How hard a reasoning model thinks. */
  reasoningEffort?: ReasoningEffort | "none" | "low" | "medium" | "high";
  /** Whether and which tool the model must call. */
  toolChoice?: "auto" | "none" | "required" | { functionName: string } | MessageInitShape<typeof ToolChoiceSchema>;
  /** Plain text, any JSON object, or JSON matching a schema. */
  responseFormat?: "text" | "json_object" | { jsonSchema: string | object } | MessageInitShape<typeof ResponseFormatSchema>;
};

const paramKeys = [...GetCompletionsRequestSchema.fields.map((f) => f.localName).filter((k) => k !== "model"), "batchRequestId"];

/**
 * One chat completion to put in a batch, built up like a conversation:
 * `client.chat.create("grok-4", { maxTokens: 200 }).append(system("Be brief"), user("Hello!"))`.
 */
export class ChatRequest {
  /** The GetCompletionsRequest this chat sends. */
  readonly request: GetCompletionsRequest;
  /** Your id for this request within its batch, or undefined to let the library or server assign one. */
  batchRequestId: string | undefined;

  constructor(model: string, params: ChatParams = {}) {
    checkNonEmptyString("model", model);
    checkKnownKeys("chat parameters", params, paramKeys);
    const { batchRequestId, reasoningEffort, toolChoice, responseFormat, messages, ...rest } = params;
    if (batchRequestId !== undefined) checkNonEmptyString("batchRequestId", batchRequestId);
    checkNumbers(rest);
    this.batchRequestId = batchRequestId;
    this.request = create(GetCompletionsRequestSchema, {
      ...rest,
      model,
      reasoningEffort: toReasoningEffort(reasoningEffort),
      toolChoice: toToolChoice(toolChoice),
      responseFormat: toResponseFormat(responseFormat),
    });
    if (messages !== undefined) this.append(...messages);
  }

  /** The model this request goes to. */
  get model(): string {
    return this.request.model;
  }

  /** The conversation so far. */
  get messages(): readonly Message[] {
    return this.request.messages;
  }

  /** Adds messages (`user(...)`, `system(...)`, `assistant(...)`) and returns this chat for chaining. */
  append(...messages: Message[]): this {
    for (const m of messages) {
      if (!isMessage(m, MessageSchema)) {
        throw new InputError(`append() takes messages made with user(), system() or assistant(), got ${describeValue(m)}.`);
      }
      this.request.messages.push(m);
    }
    return this;
  }

  /** The BatchRequest this chat becomes when added to a batch. */
  toBatchRequest(): BatchRequest {
    return create(BatchRequestSchema, {
      batchRequestId: this.batchRequestId,
      request: { case: "completionRequest", value: this.request },
    });
  }
}

/** A function tool the model may call; `parameters` is a JSON Schema object (or its JSON text). */
export function tool(definition: { name: string; description?: string; parameters?: object | string; strict?: boolean }): Tool {
  checkKnownKeys("tool()", definition, ["name", "description", "parameters", "strict"]);
  checkNonEmptyString("name", definition.name);
  const parameters =
    typeof definition.parameters === "string"
      ? definition.parameters
      : JSON.stringify(definition.parameters ?? { type: "object", properties: {} });
  return create(ToolSchema, {
    tool: {
      case: "function",
      value: create(FunctionSchema, {
        name: definition.name,
        description: definition.description ?? "",
        parameters,
        strict: definition.strict ?? false,
      }),
    },
  });
}

function checkNumbers(params: Partial<CompletionsInit>): void {
  checkParamRanges(params);
  if (params.stop !== undefined && (!Array.isArray(params.stop) || params.stop.some((s) => typeof s !== "string"))) {
    throw new InputError(`Expected \`stop\` to be an array of strings, got ${describeValue(params.stop)}.`);
  }
}

function toReasoningEffort(value: ChatParams["reasoningEffort"]): ReasoningEffort | undefined {
  if (typeof value !== "string") return value;
  const effort = reasoningEffortWords.value(value);
  if (effort === undefined)
    throw new InputError(`Expected \`reasoningEffort\` to be ${reasoningEffortWords.listed()}, got ${describeValue(value)}.`);
  return effort;
}

function toToolChoice(value: ChatParams["toolChoice"]): MessageInitShape<typeof ToolChoiceSchema> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") {
    const mode = toolModeWords.value(value);
    if (mode === undefined)
      throw new InputError(
        `Expected \`toolChoice\` to be ${toolModeWords.listed({ more: "{ functionName }" })}, got ${describeValue(value)}.`,
      );
    return { toolChoice: { case: "mode", value: mode } };
  }
  if ("functionName" in value && typeof value.functionName === "string") {
    return { toolChoice: { case: "functionName", value: value.functionName } };
  }
  return value as MessageInitShape<typeof ToolChoiceSchema>;
}

function toResponseFormat(value: ChatParams["responseFormat"]): MessageInitShape<typeof ResponseFormatSchema> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") {
    const formatType = formatTypeWords.value(value);
    // A schema needs its text, so it comes as { jsonSchema }, never as a word.
    if (formatType === undefined || formatType === FormatType.JSON_SCHEMA) {
      throw new InputError(
        `Expected \`responseFormat\` to be ${formatTypeWords.listed({ except: FormatType.JSON_SCHEMA, more: "{ jsonSchema }" })}, got ${describeValue(value)}.`,
      );
    }
    return { formatType };
  }
  if ("jsonSchema" in value) {
    const schema = typeof value.jsonSchema === "string" ? value.jsonSchema : JSON.stringify(value.jsonSchema);
    return { formatType: FormatType.JSON_SCHEMA, schema };
  }
  return value as MessageInitShape<typeof ResponseFormatSchema>;
}
