import type { JsonObject } from "@bufbuild/protobuf";
import { InputError } from "../../core/errors.js";
import { compactToCanonical } from "./compact-form.js";
import { isObject, show } from "./json-value.js";
import { chatFields, openAiAliases, openAiRoleAliases } from "./openai-mapping.js";

/** The endpoint an OpenAI-compatible batch line may name here; the others are refused by name. */
export const chatCompletionsUrl = "/v1/chat/completions";

/** Body keys an OpenAI line may give: the model, the messages, and the parameters xAI's request has a field for. */
const bodyFields = new Set(["model", "messages", ...chatFields.map((f) => f.openAi), ...openAiAliases.keys()]);

const lineFields = new Set(["custom_id", "method", "url", "body"]);

/**
 * An OpenAI-compatible batch line, `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}`,
 * as xAI's file upload takes it, rewritten into protobuf's canonical JSON of a BatchRequest with
 * `custom_id` as its `batch_request_id`. Only chat completions are covered: their body's messages (roles
 * system, developer, user, assistant; text and image_url parts) and the sampling, tool and format
 * parameters in openai-mapping.ts's `chatFields`. Tool-result messages, other endpoints and other fields
 * (`stream`, `logit_bias`, ...: no counterpart on the gRPC API) are refused, not silently dropped, with an
 * InputError naming the field.
 */
export function openAiLineToCanonical(line: JsonObject): JsonObject {
  for (const key of Object.keys(line)) {
    if (!lineFields.has(key)) throw problem(key, `is not a field of an OpenAI batch line`, `keep to custom_id, method, url and body`);
  }
  const { custom_id: id, method, url, body } = line;
  if (typeof id !== "string" || id.trim() === "")
    throw problem("custom_id", `must be a non-empty string, got ${show(id)}`, "give every line a unique custom_id");
  const at = { batchRequestId: id };
  if (method !== undefined && method !== "POST") throw problem("method", `must be "POST", got ${show(method)}`, undefined, at);
  if (url !== chatCompletionsUrl) {
    throw problem(
      "url",
      `${show(url)} is not covered: this client converts only "${chatCompletionsUrl}" lines`,
      "write other kinds of request as BatchRequests (imageRequest, videoRequest, ...), or upload the file as it is",
      at,
    );
  }
  if (!isObject(body)) throw problem("body", `must be the JSON body of a chat completion, got ${show(body)}`, undefined, at);
  const params: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (!bodyFields.has(key)) throw problem(`body.${key}`, "has no counterpart in xAI's gRPC chat request", "leave it out", at);
    params[key] = value;
  }
  for (const [alias, key] of openAiAliases) {
    if (params[alias] === undefined) continue;
    if (params[key] !== undefined) throw problem(`body.${alias}`, `is given together with ${key}`, "give only one of them", at);
    params[key] = params[alias];
    delete params[alias];
  }
  if (Array.isArray(params.messages)) {
    params.messages = params.messages.map((m) =>
      isObject(m) && typeof m.role === "string" && openAiRoleAliases.has(m.role) ? { ...m, role: openAiRoleAliases.get(m.role)! } : m,
    );
  }
  try {
    return compactToCanonical({ id, ...params });
  } catch (error) {
    if (error instanceof InputError) throw new InputError({ ...at, field: "body", reason: error.reason, fix: error.fix });
    throw error;
  }
}

function problem(field: string, reason: string, fix?: string, at?: { batchRequestId: string }): InputError {
  return new InputError({ ...at, field, reason, fix });
}
