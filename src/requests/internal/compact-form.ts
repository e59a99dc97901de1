import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { InputError } from "../../core/errors.js";

/**
 * The compact chat form people write by hand, rewritten into protobuf's canonical JSON of a BatchRequest:
 *
 *     {"id":"a","model":"grok-4","messages":[{"role":"user","content":"Hi"}],"max_tokens":50}
 *
 * Roles are words (user, system, assistant); content is a string or OpenAI-style parts
 * (`{"type":"text","text":..}`, `{"type":"image_url","image_url":{"url":..}}`); every other key is a
 * field of xAI's chat request in snake_case or camelCase, with friendly forms for the enums
 * (`"reasoning_effort":"low"`, `"response_format":{"type":"json_object"}`, `"tool_choice":"auto"`, OpenAI
 * function tools). Fields are left to protobuf's JSON reader, so a typo fails there by name.
 */
export function compactToCanonical(row: JsonObject): JsonObject {
  const { id, batch_request_id, batchRequestId, model, messages, ...params } = row;
  const ids = [id, batch_request_id, batchRequestId].filter((v) => v !== undefined);
  if (ids.length > 1) throw new InputError(`gives its id more than once; use only "id"`);
  const requestId = ids[0];
  if (requestId !== undefined && (typeof requestId !== "string" || requestId.trim() === "")) {
    throw new InputError(`"id" must be a non-empty string, got ${show(requestId)}`);
  }
  if (typeof model !== "string" || model.trim() === "") throw new InputError(`"model" must be a non-empty string such as "grok-4", got ${show(model)}`);
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InputError(`"messages" must be a non-empty array such as [{"role":"user","content":"Hello"}], got ${show(messages)}`);
  }
  const completionRequest: JsonObject = { model, messages: messages.map((m, i) => toMessage(m, `messages[${i}]`)) };
  for (const [key, value] of Object.entries(params)) {
    const convert = own(paramConverters, key);
    // defineProperty, because assigning "__proto__" would set the prototype and drop the key unseen;
    // defined, it reaches protobuf's reader, which refuses an unknown key by name.
    if (convert === undefined) Object.defineProperty(completionRequest, key, { value, enumerable: true, writable: true, configurable: true });
    else completionRequest[convert.field] = convert.to(value);
  }
  return requestId === undefined ? { completionRequest } : { batchRequestId: requestId, completionRequest };
}

/** `table[key]` for the table's own keys only, so input such as "toString" or "__proto__" is not found. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const roles: Record<string, string> = { user: "ROLE_USER", system: "ROLE_SYSTEM", assistant: "ROLE_ASSISTANT" };
const imageDetails: Record<string, string> = { auto: "DETAIL_AUTO", low: "DETAIL_LOW", high: "DETAIL_HIGH" };
const efforts: Record<string, string> = { none: "EFFORT_NONE", low: "EFFORT_LOW", medium: "EFFORT_MEDIUM", high: "EFFORT_HIGH" };
const toolModes: Record<string, string> = { auto: "TOOL_MODE_AUTO", none: "TOOL_MODE_NONE", required: "TOOL_MODE_REQUIRED" };
const formatTypes: Record<string, string> = { text: "FORMAT_TYPE_TEXT", json_object: "FORMAT_TYPE_JSON_OBJECT", json_schema: "FORMAT_TYPE_JSON_SCHEMA" };

interface Converter {
  /** The canonical (camelCase) field the value goes to. */
  readonly field: string;
  readonly to: (value: JsonValue) => JsonValue;
}

const converters: Converter[] = [
  { field: "reasoningEffort", to: (v) => (typeof v === "string" ? (own(efforts, v) ?? v) : v) },
  { field: "responseFormat", to: toResponseFormat },
  { field: "toolChoice", to: toToolChoice },
  { field: "tools", to: (v) => (Array.isArray(v) ? v.map(toTool) : v) },
  { field: "stop", to: (v) => (typeof v === "string" ? [v] : v) },
];

/** The converters by both spellings of their field, e.g. `tool_choice` and `toolChoice`. */
const paramConverters: Record<string, Converter> = Object.fromEntries(
  converters.flatMap((c) => [
    [c.field, c],
    [c.field.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`), c],
  ]),
);

function toMessage(value: JsonValue, path: string): JsonObject {
  if (!isObject(value)) throw new InputError(`${path} must be an object such as {"role":"user","content":"Hello"}, got ${show(value)}`);
  const { role, content, ...rest } = value;
  const wireRole = typeof role === "string" ? own(roles, role) : undefined;
  if (wireRole === undefined) throw new InputError(`${path}.role must be "user", "system" or "assistant", got ${show(role)}`);
  let parts: JsonObject[];
  if (typeof content === "string") parts = [{ text: content }];
  else if (Array.isArray(content) && content.length > 0) parts = content.map((p, i) => toPart(p, `${path}.content[${i}]`));
  else throw new InputError(`${path}.content must be a string or a non-empty array of parts, got ${show(content)}`);
  return { ...rest, role: wireRole, content: parts };
}

function toPart(value: JsonValue, path: string): JsonObject {
  if (typeof value === "string") return { text: value };
  if (!isObject(value)) throw new InputError(`${path} must be a string or a part such as {"type":"text","text":"Hello"}, got ${show(value)}`);
  if (value.type === "text") {
    if (typeof value.text !== "string") throw new InputError(`${path}.text must be a string, got ${show(value.text)}`);
    return { text: value.text };
  }
  if (value.type === "image_url") {
    const image = value.image_url ?? value.imageUrl;
    const url = typeof image === "string" ? image : isObject(image) ? image.url : undefined;
    if (typeof url !== "string" || url === "") throw new InputError(`${path}.image_url.url must be an https:// or data: URL, got ${show(url)}`);
    const detail = isObject(image) && image.detail !== undefined ? image.detail : "auto";
    const wireDetail = typeof detail === "string" ? own(imageDetails, detail) : undefined;
    if (wireDetail === undefined) throw new InputError(`${path}.image_url.detail must be "auto", "low" or "high", got ${show(detail)}`);
    return { imageUrl: { imageUrl: url, detail: wireDetail } };
  }
  throw new InputError(`${path}.type must be "text" or "image_url", got ${show(value.type)}`);
}

function toResponseFormat(value: JsonValue): JsonValue {
  const type = typeof value === "string" ? value : isObject(value) && typeof value.type === "string" ? value.type : undefined;
  const formatType = type === undefined ? undefined : own(formatTypes, type);
  if (formatType === undefined || !isObject(value)) return formatType === undefined ? value : { formatType };
  if (type !== "json_schema") return { formatType };
  // OpenAI nests the schema as json_schema.schema; xAI takes the schema's JSON text.
  const wrapper = value.json_schema ?? value.jsonSchema;
  const schema = isObject(wrapper) && wrapper.schema !== undefined ? wrapper.schema : wrapper;
  if (schema === undefined) throw new InputError(`response_format of type "json_schema" needs "json_schema": {"schema": {...}}`);
  return { formatType, schema: typeof schema === "string" ? schema : JSON.stringify(schema) };
}

function toToolChoice(value: JsonValue): JsonValue {
  if (typeof value === "string") {
    const mode = own(toolModes, value);
    return mode === undefined ? value : { mode };
  }
  if (isObject(value) && value.type === "function" && isObject(value.function) && typeof value.function.name === "string") {
    return { functionName: value.function.name };
  }
  return value;
}

function toTool(value: JsonValue): JsonValue {
  if (!isObject(value) || value.type !== "function" || !isObject(value.function)) return value;
  const { parameters, ...fn } = value.function;
  return { function: { ...fn, ...(parameters === undefined ? {} : { parameters: typeof parameters === "string" ? parameters : JSON.stringify(parameters) }) } };
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value for an error message, cut short. */
export function show(value: JsonValue | undefined): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
