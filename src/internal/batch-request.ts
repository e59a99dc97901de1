import { create, isMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { ChatRequest } from "../chat.js";
import { InputError } from "../errors.js";
import { BatchRequestSchema, type BatchRequest } from "../wire.js";
import type { AddInput } from "../request-input.js";
import { describe } from "./validate.js";


/**
 * Turns one input into the BatchRequest that goes on the wire, refusing what the server would refuse:
 * no payload, no model, a chat with no messages, a model the Batch API does not serve.
 * `models` undefined skips the model check.
 */
export function toBatchRequest(input: AddInput, index: number, models: ReadonlySet<string> | undefined): BatchRequest {
  const request = normalise(input, index);
  const name = requestName(request, index);
  const payload = request.request;
  if (payload.case === undefined) {
    throw new InputError(`${name} has no payload: set its oneof, e.g. { request: { case: "completionRequest", value: { model, messages } } }, or build it with client.chat.create, imageRequest, videoRequest or videoExtensionRequest.`);
  }
  if (request.batchRequestId !== undefined && request.batchRequestId.trim() === "") {
    throw new InputError(`${name} has an empty batchRequestId: leave it out to have one assigned, or give a non-empty id.`);
  }
  const model = payload.value.model;
  if (model.trim() === "") throw new InputError(`${name} has no model.`);
  if (payload.case === "completionRequest" && payload.value.messages.length === 0) {
    throw new InputError(`${name} has no messages: append user("...") (and optionally system("...")) before adding it.`);
  }
  if (models !== undefined && !models.has(model)) {
    throw new InputError(
      `${name} asks for model "${model}", which the Batch API does not serve; xAI would refuse it. ` +
        `Batch models: ${[...models].join(", ")}. If xAI added this model, pass it in the Client option \`batchModels\` (or "any").`,
    );
  }
  return request;
}

/** "request #3 (id "a1")": how errors point at one request of an add. */
export function requestName(request: { batchRequestId?: string | undefined }, index: number): string {
  return request.batchRequestId ? `request #${index} (id ${JSON.stringify(request.batchRequestId)})` : `request #${index}`;
}

function normalise(input: AddInput, index: number): BatchRequest {
  if (input instanceof ChatRequest) return input.toBatchRequest();
  if (isMessage(input, BatchRequestSchema)) return input;
  if (input === null || typeof input !== "object" || isMessage(input)) {
    throw new InputError(`request #${index} is ${describe(input)}; expected a chat from client.chat.create(...), a BatchRequest, or a BatchRequest init object.`);
  }
  try {
    return create(BatchRequestSchema, input as MessageInitShape<typeof BatchRequestSchema>);
  } catch (error) {
    throw new InputError(`request #${index} is not a valid BatchRequest: ${(error as Error).message}`);
  }
}
