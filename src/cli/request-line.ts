import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ChatRequest } from "../chat.js";
import { InputError } from "../errors.js";
import { BatchRequestSchema, type BatchRequest, type GetCompletionsRequest } from "../wire.js";
import { compactToCanonical, isObject, RowError } from "./compact-form.js";

/** Keys, in either JSON spelling, that mark a row as a BatchRequest in canonical JSON. */
const payloadKeys = [
  "completionRequest",
  "completion_request",
  "imageRequest",
  "image_request",
  "videoRequest",
  "video_request",
  "videoExtensionRequest",
  "video_extension_request",
];

/** Chat parameters whose ranges the library checks; the server would refuse an out-of-range one. */
const rangedParams = ["maxTokens", "n", "seed", "topLogprobs", "maxTurns", "temperature", "topP", "frequencyPenalty", "presencePenalty"] as const;

/**
 * One input row, read as a BatchRequest: either protobuf's canonical JSON of a BatchRequest or the
 * compact chat form (see compact-form.ts). Throws a RowError that says what is wrong with the row.
 * Model and id checks are left to the request encoder, which knows the batch models and earlier ids.
 */
export function parseRequestLine(text: string): BatchRequest {
  let row: JsonValue;
  try {
    row = JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new RowError(`not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(row)) throw new RowError(`expected a JSON object, got ${row === null ? "null" : Array.isArray(row) ? "an array" : `a ${typeof row}`}`);
  const canonical = payloadKeys.some((key) => key in row);
  const compact = "messages" in row;
  if (canonical && compact) throw new RowError(`mixes a BatchRequest's "completionRequest" (or another request kind) with the compact form's "messages"; use one form`);
  if (!canonical && !compact) {
    throw new RowError(`is neither a BatchRequest (it needs "completionRequest", "imageRequest", "videoRequest" or "videoExtensionRequest") nor a compact chat (it needs "model" and "messages")`);
  }
  let request: BatchRequest;
  try {
    request = fromJson(BatchRequestSchema, canonical ? row : compactToCanonical(row));
  } catch (error) {
    if (error instanceof RowError) throw error;
    throw new RowError((error as Error).message);
  }
  if (request.request.case === "completionRequest") checkRanges(request.request.value);
  return request;
}

/** Checks the numeric chat parameters with the same rules as `client.chat.create`. */
function checkRanges(chat: GetCompletionsRequest): void {
  const params = Object.fromEntries(rangedParams.filter((key) => chat[key] !== undefined).map((key) => [key, chat[key]]));
  if (Object.keys(params).length === 0) return;
  try {
    new ChatRequest(chat.model || "unset", params);
  } catch (error) {
    if (error instanceof InputError) throw new RowError(error.message);
    throw error;
  }
}
