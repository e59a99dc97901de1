import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { imageRequest, videoExtensionRequest, videoRequest, type ImageParams, type VideoParams } from "../src/requests/media.js";
import {
  ImageAspectRatio,
  ImageDetail,
  ImageFormat,
  ImageResolution,
  VideoAspectRatio,
  VideoResolution,
  type BatchRequest,
} from "../src/core/internal/wire.js";

/** The payload of a batch request, asserting its oneof case. */
function payload<C extends NonNullable<BatchRequest["request"]["case"]>>(request: BatchRequest, expected: C) {
  expect(request.request.case).toBe(expected);
  return request.request.value as Extract<BatchRequest["request"], { case: C }>["value"];
}

const image = (params: Partial<ImageParams>) =>
  payload(imageRequest("grok-imagine-image", { prompt: "a red fox", ...params }), "imageRequest");
const video = (params: Partial<VideoParams>) => payload(videoRequest("grok-imagine-video", { prompt: "waves", ...params }), "videoRequest");

describe("every field given reaches its oneof case", () => {
  it.each<[string, () => BatchRequest, NonNullable<BatchRequest["request"]["case"]>, object]>([
    [
      "imageRequest",
      () =>
        imageRequest("grok-imagine-image", {
          prompt: "a red fox",
          batchRequestId: "req-1",
          n: 3,
          format: "base64",
          aspectRatio: "16:9",
          resolution: "2k",
          image: "https://example.com/in.png",
          images: ["https://example.com/a.png", "data:image/png;base64,AAAA"],
          user: "user-7",
        }),
      "imageRequest",
      {
        model: "grok-imagine-image",
        prompt: "a red fox",
        n: 3,
        format: ImageFormat.IMG_FORMAT_BASE64,
        aspectRatio: ImageAspectRatio.IMG_ASPECT_RATIO_16_9,
        resolution: ImageResolution.IMG_RESOLUTION_2K,
        user: "user-7",
        image: { imageUrl: "https://example.com/in.png", detail: ImageDetail.DETAIL_AUTO },
        images: [{ imageUrl: "https://example.com/a.png" }, { imageUrl: "data:image/png;base64,AAAA" }],
      },
    ],
    [
      "videoRequest",
      () =>
        videoRequest("grok-imagine-video", {
          prompt: "waves",
          batchRequestId: "req-1",
          duration: 6,
          aspectRatio: "9:16",
          resolution: "720p",
          image: "https://example.com/still.png",
          video: "https://example.com/clip.mp4",
          referenceImages: ["https://example.com/ref.png"],
        }),
      "videoRequest",
      {
        model: "grok-imagine-video",
        prompt: "waves",
        duration: 6,
        aspectRatio: VideoAspectRatio.VIDEO_ASPECT_RATIO_9_16,
        resolution: VideoResolution.VIDEO_RESOLUTION_720P,
        image: { imageUrl: "https://example.com/still.png" },
        video: { url: "https://example.com/clip.mp4" },
        referenceImages: [{ imageUrl: "https://example.com/ref.png" }],
      },
    ],
    [
      "videoExtensionRequest",
      () =>
        videoExtensionRequest("grok-imagine-video", {
          prompt: "the wave breaks",
          video: "https://example.com/clip.mp4",
          duration: 4,
          batchRequestId: "req-1",
        }),
      "videoExtensionRequest",
      { model: "grok-imagine-video", prompt: "the wave breaks", duration: 4, video: { url: "https://example.com/clip.mp4" } },
    ],
  ])("%s", (_name, build, oneofCase, fields) => {
    const request = build();
    expect(request.batchRequestId).toBe("req-1");
    expect(payload(request, oneofCase)).toMatchObject(fields);
  });
});

describe("imageRequest", () => {
  it("defaults to URL output and leaves the rest unset", () => {
    const value = image({});
    expect(value.format).toBe(ImageFormat.IMG_FORMAT_URL);
    expect([value.n, value.aspectRatio, value.resolution, value.image]).toEqual([undefined, undefined, undefined, undefined]);
    expect(value.images).toEqual([]);
  });

  it('refuses the wire\'s zero values asked for by name, which mean "not set"', () => {
    expect(() => image({ aspectRatio: "invalid" })).toThrow(/got "invalid"/);
    expect(() => video({ aspectRatio: "unspecified" })).toThrow(/got "unspecified"/);
  });

  it("lists the allowed aspect ratios when given one it does not know", () => {
    const attempt = () => image({ aspectRatio: "5:4" });
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(
      /^Expected `aspectRatio` to name one of IMG_ASPECT_RATIO_1_1, .*IMG_ASPECT_RATIO_AUTO, IMG_ASPECT_RATIO_9_19_5, .*got "5:4"\.$/,
    );
    expect(attempt).not.toThrow(/INVALID/);
  });

  it.each<[string, Partial<ImageParams>, string | RegExp]>([
    [
      "a bad image URL",
      { image: "ftp://example.com/in.png" },
      'Expected the image to be a URL starting with https://, http:// or data:, got "ftp://example.com/in.png".',
    ],
    [
      "a bad URL among images",
      { images: ["https://example.com/a.png", "a.png"] },
      'Expected the image to be a URL starting with https://, http:// or data:, got "a.png".',
    ],
    [
      "an unknown resolution",
      { resolution: "4k" as "2k" },
      /^Expected `resolution` to name one of IMG_RESOLUTION_1K, IMG_RESOLUTION_2K .*got "4k"\.$/,
    ],
    ["n over 10", { n: 11 }, "Expected `n` to be an integer from 1 to 10, got 11."],
    ["an empty prompt", { prompt: "" }, 'Expected `prompt` to be a non-empty string, got "".'],
    ["an unknown key", { size: "1024x1024" } as Partial<ImageParams>, "Unknown option `size` in image parameters."],
  ])("refuses %s", (_name, params, message) => {
    expect(() => image(params)).toThrow(message);
  });
});

describe("videoRequest", () => {
  it("refuses an image-only aspect ratio, listing the video ones", () => {
    expect(() => video({ aspectRatio: "auto" })).toThrow(
      /^Expected `aspectRatio` to name one of VIDEO_ASPECT_RATIO_1_1, VIDEO_ASPECT_RATIO_16_9, .*got "auto"\.$/,
    );
    expect(() => video({ aspectRatio: "auto" })).not.toThrow(/UNSPECIFIED/);
  });

  it("refuses a bad video URL and a zero duration", () => {
    expect(() => video({ video: "clip.mp4" })).toThrow(
      'Expected the video to be a URL starting with https://, http:// or data:, got "clip.mp4".',
    );
    expect(() => video({ duration: 0 })).toThrow("Expected `duration` to be an integer from 1 to 600, got 0.");
  });
});

describe("videoExtensionRequest", () => {
  it("refuses a bad video URL and an empty model", () => {
    expect(() => videoExtensionRequest("grok-imagine-video", { prompt: "more", video: "javascript:alert(1)" })).toThrow(
      /Expected the video to be a URL/,
    );
    expect(() => videoExtensionRequest("", { prompt: "more", video: "https://example.com/clip.mp4" })).toThrow(
      'Expected `model` to be a non-empty string, got "".',
    );
  });
});

describe("aspect ratio and resolution words", () => {
  it.each<[string, () => number | undefined, number]>([
    ['image "16:9"', () => image({ aspectRatio: "16:9" }).aspectRatio, ImageAspectRatio.IMG_ASPECT_RATIO_16_9],
    ['image "1:1"', () => image({ aspectRatio: "1:1" }).aspectRatio, ImageAspectRatio.IMG_ASPECT_RATIO_1_1],
    ['image "9:19.5"', () => image({ aspectRatio: "9:19.5" }).aspectRatio, ImageAspectRatio.IMG_ASPECT_RATIO_9_19_5],
    ['image "19.5:9"', () => image({ aspectRatio: "19.5:9" }).aspectRatio, ImageAspectRatio.IMG_ASPECT_RATIO_19_5_9],
    ['image "auto"', () => image({ aspectRatio: "auto" }).aspectRatio, ImageAspectRatio.IMG_ASPECT_RATIO_AUTO],
    [
      "image enum member",
      () => image({ aspectRatio: ImageAspectRatio.IMG_ASPECT_RATIO_2_1 }).aspectRatio,
      ImageAspectRatio.IMG_ASPECT_RATIO_2_1,
    ],
    ['image "1k"', () => image({ resolution: "1k" }).resolution, ImageResolution.IMG_RESOLUTION_1K],
    ['image "2k"', () => image({ resolution: "2k" }).resolution, ImageResolution.IMG_RESOLUTION_2K],
    ['video "16:9"', () => video({ aspectRatio: "16:9" }).aspectRatio, VideoAspectRatio.VIDEO_ASPECT_RATIO_16_9],
    ['video "1:1"', () => video({ aspectRatio: "1:1" }).aspectRatio, VideoAspectRatio.VIDEO_ASPECT_RATIO_1_1],
    ['video "3:2"', () => video({ aspectRatio: "3:2" }).aspectRatio, VideoAspectRatio.VIDEO_ASPECT_RATIO_3_2],
    ['video "480p"', () => video({ resolution: "480p" }).resolution, VideoResolution.VIDEO_RESOLUTION_480P],
    ['video "720p"', () => video({ resolution: "720p" }).resolution, VideoResolution.VIDEO_RESOLUTION_720P],
  ])("%s", (_name, read, expected) => {
    expect(read()).toBe(expected);
  });
});
