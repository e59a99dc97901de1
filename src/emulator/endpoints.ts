import type { BatchRequest } from "../core/internal/wire.js";

/**
 * Where a batch request goes: the endpoint name xAI reports in metadata and cost breakdowns, the model,
 * and the field of the `request` oneof that holds it (for error messages).
 */
export interface RequestTarget {
  endpoint: string;
  model: string;
  field: string;
}

/** The target of a request, or undefined when its `request` oneof is unset. */
export function requestTarget(request: BatchRequest): RequestTarget | undefined {
  const payload = request.request;
  switch (payload.case) {
    case "completionRequest":
      return { endpoint: "chat.completions", model: payload.value.model, field: "completion_request" };
    case "imageRequest":
      return { endpoint: "image.generations", model: payload.value.model, field: "image_request" };
    case "videoRequest":
      return { endpoint: "video.generations", model: payload.value.model, field: "video_request" };
    case "videoExtensionRequest":
      return { endpoint: "video.extensions", model: payload.value.model, field: "video_extension_request" };
    default:
      return undefined;
  }
}

/** The REST endpoints whose bodies the emulator loads from input-file lines, by the BatchRequest field each fills. */
export const fileLineEndpoints: Readonly<Record<string, string>> = { "/v1/chat/completions": "completion_request" };

/**
 * Endpoints xAI's guide says input-file lines may also name, which the emulator does not load yet: it
 * cancels a file holding one, saying so, rather than call the endpoint unknown.
 */
export const endpointsNotLoaded: readonly string[] = [
  "/v1/responses",
  "/v1/images/generations",
  "/v1/images/edits",
  "/v1/videos/generations",
  "/v1/videos/edits",
];
