import { fromJson, type JsonObject } from "@bufbuild/protobuf";
import { InputError } from "../../core/errors.js";
import { BatchRequestSchema, type BatchRequest } from "../../core/internal/wire.js";
import { compactToCanonical } from "./compact-form.js";
import { openAiLineToCanonical } from "./openai-line.js";

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

/** Which JSON form a request object is written in. */
export type JsonRequestForm = "protobuf-json" | "compact" | "openai" | undefined;

/** Tells the JSON forms apart by their keys; undefined when the object is none of them. */
export function jsonFormOf(row: JsonObject): JsonRequestForm {
  if ("custom_id" in row || ("url" in row && "body" in row)) return "openai";
  const canonical = payloadKeys.some((key) => key in row);
  const compact = "messages" in row;
  if (canonical && compact) {
    throw new InputError(
      `mixes a BatchRequest's "completionRequest" (or another request kind) with the compact form's "messages"; use one form`,
    );
  }
  if (canonical) return "protobuf-json";
  return compact ? "compact" : undefined;
}

/**
 * A request in one of the JSON forms read as a BatchRequest: protobuf's canonical JSON of a BatchRequest,
 * the compact chat form (see compact-form.ts), or an OpenAI-compatible batch line (see openai-line.ts).
 * Throws an InputError that says what is wrong.
 */
export function fromJsonRequest(row: JsonObject, form: Exclude<JsonRequestForm, undefined>): BatchRequest {
  const canonical = form === "protobuf-json" ? row : form === "compact" ? compactToCanonical(row) : openAiLineToCanonical(row);
  try {
    return fromJson(BatchRequestSchema, canonical);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}
