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
