import { create } from "@bufbuild/protobuf";
import { InputError } from "../core/errors.js";
import { checkInteger, checkKnownKeys, checkNonEmptyString, describeValue } from "../core/internal/validate.js";
import {
  BatchRequestSchema,
  ExtendVideoRequestSchema,
  GenerateImageRequestSchema,
  GenerateVideoRequestSchema,
  ImageAspectRatio,
  ImageDetail,
  ImageFormat,
  ImageResolution,
  ImageUrlContentSchema,
  VideoAspectRatio,
  VideoResolution,
  VideoUrlContentSchema,
  type BatchRequest,
} from "../core/internal/wire.js";

/** Image generation parameters. */
export interface ImageParams {
  prompt: string;
  /** Your id for this request, unique within the batch. */
  batchRequestId?: string;
  /** How many images. @default 1 */
  n?: number;
  /** "url" (the default) or "base64". */
  format?: "url" | "base64" | ImageFormat;
  /** Such as "1:1", "16:9", "9:19.5", "auto", or the wire enum. */
  aspectRatio?: string | ImageAspectRatio;
  /** "1k" or "2k", or the wire enum. */
  resolution?: "1k" | "2k" | ImageResolution;
  /** An image to edit, as an https or data: URL. */
  image?: string;
  /** Several input images, as URLs. */
  images?: string[];
  /** An end-user id for abuse monitoring. */
  user?: string;
}

/** Video generation parameters. */
export interface VideoParams {
  prompt: string;
  batchRequestId?: string;
  /** Length in seconds. */
  duration?: number;
  /** Such as "16:9" or "9:16", or the wire enum. */
  aspectRatio?: string | VideoAspectRatio;
  /** "480p" or "720p", or the wire enum. */
  resolution?: "480p" | "720p" | VideoResolution;
  /** An image to animate, as a URL. */
  image?: string;
  /** A video to edit, as a URL. */
  video?: string;
  /** Reference images, as URLs. */
  referenceImages?: string[];
}

/** Video extension parameters: continue `video` following `prompt`. */
export interface VideoExtensionParams {
  prompt: string;
  /** The video to extend, as a URL. */
  video: string;
  batchRequestId?: string;
  /** Seconds to add. */
  duration?: number;
}

/** A batch request that generates images: `imageRequest("grok-imagine-image", { prompt: "a red fox" })`. */
export function imageRequest(model: string, params: ImageParams): BatchRequest {
  checkKnownKeys("image parameters", params, [
    "prompt",
    "batchRequestId",
    "n",
    "format",
    "aspectRatio",
    "resolution",
    "image",
    "images",
    "user",
  ]);
  checkCommon(model, params);
  checkInteger("n", params.n, 1, 10);
  const value = create(GenerateImageRequestSchema, {
    model,
    prompt: params.prompt,
    n: params.n,
    user: params.user ?? "",
    format:
      params.format === "base64"
        ? ImageFormat.IMG_FORMAT_BASE64
        : params.format === "url" || params.format === undefined
          ? ImageFormat.IMG_FORMAT_URL
          : params.format,
    aspectRatio: enumFromRatio("aspectRatio", params.aspectRatio, ImageAspectRatio, "IMG_ASPECT_RATIO_"),
    resolution: enumFromWord("resolution", params.resolution, ImageResolution, "IMG_RESOLUTION_"),
    image: params.image === undefined ? undefined : imageUrl(params.image),
    images: (params.images ?? []).map(imageUrl),
  });
  return create(BatchRequestSchema, { batchRequestId: params.batchRequestId, request: { case: "imageRequest", value } });
}

/** A batch request that generates a video: `videoRequest("grok-imagine-video", { prompt: "waves", duration: 6 })`. */
export function videoRequest(model: string, params: VideoParams): BatchRequest {
  checkKnownKeys("video parameters", params, [
    "prompt",
    "batchRequestId",
    "duration",
    "aspectRatio",
    "resolution",
    "image",
    "video",
    "referenceImages",
  ]);
  checkCommon(model, params);
  checkInteger("duration", params.duration, 1, 600);
  const value = create(GenerateVideoRequestSchema, {
    model,
    prompt: params.prompt,
    duration: params.duration,
    aspectRatio: enumFromRatio("aspectRatio", params.aspectRatio, VideoAspectRatio, "VIDEO_ASPECT_RATIO_"),
    resolution: enumFromWord("resolution", params.resolution, VideoResolution, "VIDEO_RESOLUTION_"),
    image: params.image === undefined ? undefined : imageUrl(params.image),
    video: params.video === undefined ? undefined : videoUrl(params.video),
    referenceImages: (params.referenceImages ?? []).map(imageUrl),
  });
  return create(BatchRequestSchema, { batchRequestId: params.batchRequestId, request: { case: "videoRequest", value } });
}

/** A batch request that extends an existing video. */
export function videoExtensionRequest(model: string, params: VideoExtensionParams): BatchRequest {
  checkKnownKeys("video extension parameters", params, ["prompt", "video", "batchRequestId", "duration"]);
  checkCommon(model, params);
  checkInteger("duration", params.duration, 1, 600);
  const value = create(ExtendVideoRequestSchema, {
    model,
    prompt: params.prompt,
    duration: params.duration,
    video: videoUrl(params.video),
  });
  return create(BatchRequestSchema, { batchRequestId: params.batchRequestId, request: { case: "videoExtensionRequest", value } });
}

function checkCommon(model: string, params: { prompt: string; batchRequestId?: string }): void {
  checkNonEmptyString("model", model);
  checkNonEmptyString("prompt", params.prompt);
  if (params.batchRequestId !== undefined) checkNonEmptyString("batchRequestId", params.batchRequestId);
}

function imageUrl(url: string) {
  checkUrl("image", url);
  return create(ImageUrlContentSchema, { imageUrl: url, detail: ImageDetail.DETAIL_AUTO });
}

function videoUrl(url: string) {
  checkUrl("video", url);
  return create(VideoUrlContentSchema, { url });
}

function checkUrl(what: string, url: unknown): void {
  if (typeof url !== "string" || !/^(https?:|data:)/.test(url)) {
    throw new InputError(`Expected the ${what} to be a URL starting with https://, http:// or data:, got ${describeValue(url)}.`);
  }
}

/** Maps "16:9" or "9:19.5" to the enum member `${prefix}16_9`; "auto" to `${prefix}AUTO`. */
function enumFromRatio<E extends Record<string, string | number>>(
  name: string,
  value: string | number | undefined,
  enumObj: E,
  prefix: string,
): number | undefined {
  if (value === undefined || typeof value === "number") return value;
  const key = prefix + value.toUpperCase().replaceAll(/[:.]/g, "_");
  return lookup(name, value, enumObj, key, prefix);
}

/** Maps "1k" or "720p" to the enum member `${prefix}1K` / `${prefix}720P`. */
function enumFromWord<E extends Record<string, string | number>>(
  name: string,
  value: string | number | undefined,
  enumObj: E,
  prefix: string,
): number | undefined {
  if (value === undefined || typeof value === "number") return value;
  return lookup(name, value, enumObj, prefix + value.toUpperCase(), prefix);
}

function lookup(name: string, value: string, enumObj: Record<string, string | number>, key: string, prefix: string): number {
  const found = enumObj[key];
  // The zero members (INVALID, UNSPECIFIED) mean "not set" on the wire; asking for them by name is a mistake.
  if (typeof found === "number" && found !== 0) return found;
  const allowed = Object.keys(enumObj).filter((k) => k.startsWith(prefix) && !/INVALID|UNSPECIFIED/.test(k));
  throw new InputError(
    `Expected \`${name}\` to name one of ${allowed.join(", ")} (write "16:9" for ..._16_9, "9:19.5" for ..._9_19_5), got ${JSON.stringify(value)}.`,
  );
}
