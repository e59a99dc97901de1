import { create, isMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { InputError } from "../core/errors.js";
import {
  ContentSchema,
  ImageDetail,
  ImageUrlContentSchema,
  MessageRole,
  MessageSchema,
  type Content,
  type Message,
} from "../core/internal/wire.js";
import { imageDetailWords } from "./internal/openai-mapping.js";

/** A content part: plain text, `image(url)`, or a `xai_api.Content` message or init. */
export type ContentPart = string | Content | MessageInitShape<typeof ContentSchema>;

/** The detail level for an image part, as a word or the wire enum. */
export type ImageDetailOption = "auto" | "low" | "high" | ImageDetail;

/** A text content part. */
export function text(value: string): Content {
  if (typeof value !== "string") throw new InputError(`Expected text content to be a string, got ${typeof value}.`);
  return create(ContentSchema, { content: { case: "text", value } });
}

/** An image content part from an https URL or a `data:` URL (base64-encoded image). */
export function image(url: string, options: { detail?: ImageDetailOption } = {}): Content {
  if (typeof url !== "string" || !/^(https?:|data:)/.test(url)) {
    throw new InputError(
      `Expected an image URL starting with https://, http:// or data:, got ${typeof url === "string" ? JSON.stringify(url.slice(0, 40)) : typeof url}.`,
    );
  }
  const detail = typeof options.detail === "string" ? imageDetailWords.value(options.detail) : (options.detail ?? ImageDetail.DETAIL_AUTO);
  if (detail === undefined)
    throw new InputError(`Expected image \`detail\` to be ${imageDetailWords.listed()}, got ${JSON.stringify(options.detail)}.`);
  return create(ContentSchema, { content: { case: "imageUrl", value: create(ImageUrlContentSchema, { imageUrl: url, detail }) } });
}

/** A user message from text and image parts: `user("What is in this picture?", image(url))`. */
export function user(...parts: ContentPart[]): Message {
  return message(MessageRole.ROLE_USER, "user", parts);
}

/** A system message (instructions for the model). */
export function system(...parts: ContentPart[]): Message {
  return message(MessageRole.ROLE_SYSTEM, "system", parts);
}

/** An assistant message, for few-shot examples or continuing a conversation. */
export function assistant(...parts: ContentPart[]): Message {
  return message(MessageRole.ROLE_ASSISTANT, "assistant", parts);
}

function message(role: MessageRole, name: string, parts: ContentPart[]): Message {
  if (parts.length === 0) throw new InputError(`${name}() needs at least one content part, e.g. ${name}("Hello!").`);
  return create(MessageSchema, { role, content: parts.map(toContent) });
}

function toContent(part: ContentPart): Content {
  if (typeof part === "string") return text(part);
  if (isMessage(part, ContentSchema)) return part;
  if (part !== null && typeof part === "object") return create(ContentSchema, part);
  throw new InputError(
    `Expected a content part to be a string, image(...) or a Content message, got ${part === null ? "null" : typeof part}.`,
  );
}
