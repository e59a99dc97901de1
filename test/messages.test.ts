import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { assistant, image, system, text, user, type ImageDetailOption } from "../src/requests/messages.js";
import { ContentSchema, ImageDetail, MessageRole } from "../src/core/internal/wire.js";

describe("user, system and assistant", () => {
  it.each([
    ["user", user, MessageRole.ROLE_USER],
    ["system", system, MessageRole.ROLE_SYSTEM],
    ["assistant", assistant, MessageRole.ROLE_ASSISTANT],
  ] as const)("%s() makes a message with its role and text content", (_name, make, role) => {
    const message = make("Hello!");
    expect(message.role).toBe(role);
    expect(message.content.map((c) => c.content)).toEqual([{ case: "text", value: "Hello!" }]);
  });

  it("keeps text and image parts in order", () => {
    const message = user(
      "What is this?",
      image("https://example.com/a.png", { detail: "high" }),
      "And this?",
      image("data:image/png;base64,iVBORw0KGgo="),
    );
    expect(message.content.map((c) => c.content.case)).toEqual(["text", "imageUrl", "text", "imageUrl"]);
    const first = message.content[1]?.content;
    expect(first?.case === "imageUrl" && { url: first.value.imageUrl, detail: first.value.detail }).toEqual({
      url: "https://example.com/a.png",
      detail: ImageDetail.DETAIL_HIGH,
    });
  });

  it("accepts a Content init object as a part", () => {
    expect(user({ content: { case: "text", value: "raw" } }).content[0]?.content).toEqual({ case: "text", value: "raw" });
    const made = create(ContentSchema, { content: { case: "text", value: "made" } });
    expect(user(made).content[0]).toBe(made);
  });

  it.each([
    ["user", user],
    ["system", system],
    ["assistant", assistant],
  ] as const)("%s() with no parts throws, with an example", (name, make) => {
    expect(() => make()).toThrow(InputError);
    expect(() => make()).toThrow(`${name}() needs at least one content part, e.g. ${name}("Hello!").`);
  });

  it.each([
    [null, "null"],
    [42, "number"],
  ])("refuses a %j part", (part, got) => {
    expect(() => user(part as never)).toThrow(`Expected a content part to be a string, image(...) or a Content message, got ${got}.`);
  });

  it("refuses non-string text", () => {
    expect(() => text(5 as unknown as string)).toThrow("Expected text content to be a string, got number.");
  });
});

describe("image", () => {
  it.each<[ImageDetailOption | undefined, ImageDetail]>([
    [undefined, ImageDetail.DETAIL_AUTO],
    ["auto", ImageDetail.DETAIL_AUTO],
    ["low", ImageDetail.DETAIL_LOW],
    ["high", ImageDetail.DETAIL_HIGH],
    [ImageDetail.DETAIL_LOW, ImageDetail.DETAIL_LOW],
  ])("detail %j → %s", (detail, expected) => {
    const part = image("https://example.com/a.png", detail === undefined ? {} : { detail });
    expect(part.content.case === "imageUrl" && part.content.value.detail).toBe(expected);
  });

  it.each(["ftp://example.com/a.png", "example.com/a.png", ""])("refuses the URL %j", (url) => {
    expect(() => image(url)).toThrow(/Expected an image URL starting with https:\/\/, http:\/\/ or data:/);
  });

  it("refuses an unknown detail word", () => {
    expect(() => image("https://example.com/a.png", { detail: "ultra" as "high" })).toThrow(
      'Expected image `detail` to be "auto", "low" or "high", got "ultra".',
    );
  });
});
