import { builtRequest } from "./internal/built-request.js";
import { create, isMessage, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import type { ChatRequest } from "./chat.js";
import { InputError } from "../core/errors.js";
import { fromJsonRequest, jsonFormOf } from "./internal/json-request.js";
import { checkParamRanges } from "./internal/openai-mapping.js";
import { describeValue } from "../core/internal/validate.js";
import { BatchRequestSchema, type BatchRequest, type GetCompletionsRequest } from "../core/internal/wire.js";

/**
 * What `client.batch.add` takes, each request in any of these shapes:
 * - a chat built with `client.chat.create(...)`, or `imageRequest`/`videoRequest`/`videoExtensionRequest`;
 * - a BatchRequest message, or its init (`{ batchRequestId, request: { case: "completionRequest", value } }`);
 * - a parsed JSON line: protobuf's JSON of a BatchRequest (`{"batchRequestId", "completionRequest": {...}}`),
 *   the compact chat form (`{"id", "model", "messages", "max_tokens", ...}`), or an OpenAI-compatible batch
 *   line (`{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {...}}`).
 */
export type AddInput = ChatRequest | BatchRequest | MessageInitShape<typeof BatchRequestSchema> | JsonObject;

/**
 * The one normaliser: turns one input of an add, in any shape `AddInput` names, into the BatchRequest that
 * goes on the wire, refusing what the server would refuse (no payload, no model, a chat with no messages,
 * a parameter out of range, a model the Batch API does not serve) with an InputError that names the
 * request's index, id, field, the reason and the fix. `models` undefined skips the model check.
 */
export function toBatchRequest(input: unknown, index: number, models: ReadonlySet<string> | undefined): BatchRequest {
  const request = normalise(input, index);
  const at = { index, batchRequestId: request.batchRequestId };
  const payload = request.request;
  if (payload.case === undefined) {
    throw new InputError({
      ...at,
      reason: "has no payload",
      fix: 'Set its oneof, e.g. { request: { case: "completionRequest", value: { model, messages } } }, or build it with client.chat.create, imageRequest, videoRequest or videoExtensionRequest',
    });
  }
  if (request.batchRequestId !== undefined && request.batchRequestId.trim() === "") {
    throw new InputError({
      ...at,
      field: "batchRequestId",
      reason: "is empty",
      fix: "Leave it out to have one assigned, or give a non-empty id",
    });
  }
  const model = payload.value.model;
  if (model.trim() === "")
    throw new InputError({ ...at, field: "model", reason: "is missing", fix: 'Name a batch model such as "grok-4"' });
  if (payload.case === "completionRequest") {
    if (payload.value.messages.length === 0) {
      throw new InputError({
        ...at,
        field: "messages",
        reason: "is empty",
        fix: 'Append user("...") (and optionally system("...")) before adding it',
      });
    }
  }
  if (models !== undefined && !models.has(model)) {
    throw new InputError({
      ...at,
      field: "model",
      reason: `asks for "${model}", which the Batch API does not serve; xAI would refuse it. Batch models: ${[...models].join(", ")}`,
      fix: 'If xAI added this model, allow it with the Client option `batchModels` (or "any"); on the command line, --models',
    });
  }
  return request;
}

function normalise(input: unknown, index: number): BatchRequest {
  const built = builtRequest(input);
  if (built !== undefined) return built;
  if (isMessage(input, BatchRequestSchema)) return input;
  if (input === null || typeof input !== "object" || Array.isArray(input) || isMessage(input)) {
    throw new InputError({
      index,
      reason: `is ${describeValue(input)}`,
      fix: "Pass a chat from client.chat.create(...), a BatchRequest or its init, or a parsed JSON request line (protobuf JSON, the compact chat form, or an OpenAI batch line)",
    });
  }
  const row = input as JsonObject;
  const id =
    typeof row.batchRequestId === "string"
      ? row.batchRequestId
      : typeof row.custom_id === "string"
        ? row.custom_id
        : typeof row.id === "string"
          ? row.id
          : undefined;
  try {
    const form = "request" in row ? undefined : jsonFormOf(row);
    // An init has only these keys; anything else that matched no JSON form is a shape we cannot read.
    if (form === undefined && Object.keys(row).some((key) => key !== "batchRequestId" && key !== "request")) {
      throw new InputError({
        index,
        batchRequestId: id,
        reason: "is none of the request shapes",
        fix: 'Write a BatchRequest ("completionRequest", "imageRequest", "videoRequest" or "videoExtensionRequest"), a compact chat ("model" and "messages"), or an OpenAI batch line ("custom_id", "url", "body")',
      });
    }
    if (form !== undefined) {
      const request = fromJsonRequest(row, form);
      // Builders check their numbers as they are given; JSON gets the same checks here.
      if (request.request.case === "completionRequest")
        checkRanges(request.request.value, { index, batchRequestId: request.batchRequestId });
      return request;
    }
    return create(BatchRequestSchema, input as MessageInitShape<typeof BatchRequestSchema>);
  } catch (error) {
    if (!(error instanceof InputError))
      throw new InputError({ index, batchRequestId: id, reason: `is not a valid BatchRequest: ${(error as Error).message}` });
    throw new InputError({ index, batchRequestId: error.batchRequestId ?? id, field: error.field, reason: error.reason, fix: error.fix });
  }
}

/** Checks the numeric chat parameters with the same rules as `client.chat.create`. */
function checkRanges(chat: GetCompletionsRequest, at: { index: number; batchRequestId: string | undefined }): void {
  try {
    checkParamRanges(chat);
  } catch (error) {
    if (error instanceof InputError) throw new InputError({ ...at, reason: error.reason });
    throw error;
  }
}
