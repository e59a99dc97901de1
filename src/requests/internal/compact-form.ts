import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { InputError } from "../../core/errors.js";
import { isObject, show } from "./json-value.js";
import { chatFieldNamed, imageDetailWords, roleWords } from "./openai-mapping.js";

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
  if (typeof model !== "string" || model.trim() === "")
    throw new InputError(`"model" must be a non-empty string such as "grok-4", got ${show(model)}`);
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InputError(`"messages" must be a non-empty array such as [{"role":"user","content":"Hello"}], got ${show(messages)}`);
  }
  const completionRequest: JsonObject = { model, messages: messages.map((m, i) => toMessage(m, `messages[${i}]`)) };
  for (const [key, value] of Object.entries(params)) {
    const field = chatFieldNamed(key);
    // defineProperty, because assigning "__proto__" would set the prototype and drop the key unseen;
    // defined, it reaches protobuf's reader, which refuses an unknown key by name.
    if (field?.read === undefined)
      Object.defineProperty(completionRequest, key, { value, enumerable: true, writable: true, configurable: true });
    else completionRequest[field.xai] = field.read(value);
  }
  return requestId === undefined ? { completionRequest } : { batchRequestId: requestId, completionRequest };
}

function toMessage(value: JsonValue, path: string): JsonObject {
  if (!isObject(value)) throw new InputError(`${path} must be an object such as {"role":"user","content":"Hello"}, got ${show(value)}`);
  const { role, content, ...rest } = value;
  const wireRole = roleWords.value(role);
  if (wireRole === undefined) throw new InputError(`${path}.role must be ${roleWords.listed()}, got ${show(role)}`);
  let parts: JsonObject[];
  if (typeof content === "string") parts = [{ text: content }];
  else if (Array.isArray(content) && content.length > 0) parts = content.map((p, i) => toPart(p, `${path}.content[${i}]`));
  else throw new InputError(`${path}.content must be a string or a non-empty array of parts, got ${show(content)}`);
  return { ...rest, role: wireRole, content: parts };
}

function toPart(value: JsonValue, path: string): JsonObject {
  if (typeof value === "string") return { text: value };
  if (!isObject(value))
    throw new InputError(`${path} must be a string or a part such as {"type":"text","text":"Hello"}, got ${show(value)}`);
  if (value.type === "text") {
    if (typeof value.text !== "string") throw new InputError(`${path}.text must be a string, got ${show(value.text)}`);
    return { text: value.text };
  }
  if (value.type === "image_url") {
    const image = value.image_url ?? value.imageUrl;
    const url = typeof image === "string" ? image : isObject(image) ? image.url : undefined;
    if (typeof url !== "string" || url === "")
      throw new InputError(`${path}.image_url.url must be an https:// or data: URL, got ${show(url)}`);
    const detail = isObject(image) && image.detail !== undefined ? image.detail : "auto";
    const wireDetail = imageDetailWords.value(detail);
    if (wireDetail === undefined)
      throw new InputError(`${path}.image_url.detail must be ${imageDetailWords.listed()}, got ${show(detail)}`);
    return { imageUrl: { imageUrl: url, detail: wireDetail } };
  }
  throw new InputError(`${path}.type must be "text" or "image_url", got ${show(value.type)}`);
}
