import type { JsonObject } from "@bufbuild/protobuf";
import { InputError } from "../core/errors.js";
import { chatFields, imageDetailWords, roleWords } from "./internal/openai-mapping.js";
import {
  ImageAspectRatio,
  ImageFormat,
  ImageResolution,
  type BatchRequest,
  type GenerateImageRequest,
  type GetCompletionsRequest,
  type Message,
} from "../core/internal/wire.js";

/** One line of a batch input file in xAI's (OpenAI-compatible) format. */
export interface FileLine {
  readonly custom_id: string;
  readonly method: "POST";
  /** The REST endpoint the body is for. */
  readonly url: string;
  /** That endpoint's JSON body. */
  readonly body: JsonObject;
}

/** REST endpoints of the request kinds a file line can carry. */
const fileLineUrls = Object.freeze({ chat: "/v1/chat/completions", image: "/v1/images/generations" });

const imageFormats: Partial<Record<ImageFormat, string>> = {
  [ImageFormat.IMG_FORMAT_URL]: "url",
  [ImageFormat.IMG_FORMAT_BASE64]: "b64_json",
};

/**
 * Writes a request as a line of xAI's batch file format: `custom_id` is its batch_request_id, `body` the
 * REST body of its endpoint. Covered: chat completions (messages of text and image parts, sampling and
 * length settings, function tools, tool choice, response formats, reasoning effort) and image generation
 * from a prompt. Refused, naming the field, for what has no agreed REST shape here: video requests, tool
 * calls and encrypted or file content in messages, server-side tools, stored or continued conversations,
 * search parameters, image edits. Such requests go in with `client.batch.add` instead.
 */
export function toFileLine(request: BatchRequest): FileLine {
  const id = request.batchRequestId;
  const where = id === undefined ? "a request without an id" : `request ${JSON.stringify(id)}`;
  if (id === undefined || id === "")
    throw new InputError(`${where} cannot go in a batch file: a file line needs a custom_id; give the request a batchRequestId.`);
  const payload = request.request;
  switch (payload.case) {
    case "completionRequest":
      return { custom_id: id, method: "POST", url: fileLineUrls.chat, body: chatBody(payload.value, where) };
    case "imageRequest":
      return { custom_id: id, method: "POST", url: fileLineUrls.image, body: imageBody(payload.value, where) };
    case "videoRequest":
    case "videoExtensionRequest":
      throw new InputError(`${where} is a video request, which this library does not write as a file line; add it with client.batch.add.`);
    default:
      throw new InputError(`${where} has no payload to write.`);
  }
}

function chatBody(chat: GetCompletionsRequest, where: string): JsonObject {
  const refuse = (field: string) => {
    throw new InputError(`${where} sets \`${field}\`, which this library does not write as a file line; add it with client.batch.add.`);
  };
  if (chat.previousResponseId !== undefined) refuse("previousResponseId");
  if (chat.storeMessages) refuse("storeMessages");
  if (chat.useEncryptedContent) refuse("useEncryptedContent");
  if (chat.maxTurns !== undefined) refuse("maxTurns");
  if (chat.include.length > 0) refuse("include");
  if (chat.agentCount !== undefined) refuse("agentCount");
  if (chat.searchParameters !== undefined) refuse("searchParameters");
  const body: JsonObject = { model: chat.model, messages: chat.messages.map((m, i) => message(m, `messages[${i}]`, refuse)) };
  for (const field of chatFields) {
    const value = field.write(chat, refuse);
    if (value !== undefined) body[field.openAi] = value;
  }
  return body;
}

function message(m: Message, path: string, refuse: (field: string) => never): JsonObject {
  const role = roleWords.word(m.role) ?? refuse(`${path}.role`);
  if (m.toolCalls.length > 0) refuse(`${path}.toolCalls`);
  if (m.encryptedContent !== "") refuse(`${path}.encryptedContent`);
  if (m.toolCallId !== undefined) refuse(`${path}.toolCallId`);
  if (m.reasoningContent !== undefined) refuse(`${path}.reasoningContent`);
  const parts = m.content.map((part, i): JsonObject => {
    const c = part.content;
    if (c.case === "text") return { type: "text", text: c.value };
    if (c.case === "imageUrl") {
      const detail = imageDetailWords.word(c.value.detail);
      return { type: "image_url", image_url: detail === undefined ? { url: c.value.imageUrl } : { url: c.value.imageUrl, detail } };
    }
    return refuse(`${path}.content[${i}] (${c.case ?? "empty"} content)`);
  });
  // A message of one text part is written the way people write it: content as a string.
  const only = parts.length === 1 ? parts[0] : undefined;
  const out: JsonObject = { role, content: only?.type === "text" ? only.text! : parts };
  if (m.name !== "") out.name = m.name;
  return out;
}

function imageBody(image: GenerateImageRequest, where: string): JsonObject {
  if (image.image !== undefined || image.images.length > 0) {
    throw new InputError(`${where} edits an image, which this library does not write as a file line; add it with client.batch.add.`);
  }
  const body: JsonObject = { model: image.model, prompt: image.prompt };
  if (image.n !== undefined) body.n = image.n;
  if (image.user !== "") body.user = image.user;
  const format = imageFormats[image.format];
  if (format !== undefined) body.response_format = format;
  if (image.aspectRatio !== undefined)
    body.aspect_ratio = enumWord(ImageAspectRatio[image.aspectRatio], "IMG_ASPECT_RATIO_").replace("_", ":");
  if (image.resolution !== undefined) body.resolution = enumWord(ImageResolution[image.resolution], "IMG_RESOLUTION_");
  return body;
}

/** "IMG_RESOLUTION_2K" -> "2k". */
function enumWord(name: string | undefined, prefix: string): string {
  return (name ?? "").replace(prefix, "").toLowerCase();
}
