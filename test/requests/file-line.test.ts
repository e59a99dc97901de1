import { equals, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { assistant, ChatRequest, image, imageRequest, system, tool, user, videoRequest } from "../../src/index.js";
import { shortestFloat32 } from "../../src/requests/internal/float32.js";
import { toFileLine } from "../../src/requests/file-line.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { BatchRequestSchema, type BatchRequest } from "../../src/core/internal/wire.js";

/** A seeded generator, so a failing case can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!, maybe: () => next() < 0.5 };
}

/** A chat request with a random mix of every field a file line covers. */
function randomChat(seed: number): BatchRequest {
  const r = random(seed);
  const params: Record<string, unknown> = { batchRequestId: `req-${seed}` };
  if (r.maybe()) params.maxTokens = 1 + Math.floor(r.next() * 4000);
  if (r.maybe()) params.temperature = Math.round(r.next() * 200) / 100;
  if (r.maybe()) params.topP = Math.round(r.next() * 100) / 100;
  if (r.maybe()) params.n = 1 + Math.floor(r.next() * 4);
  if (r.maybe()) params.seed = Math.floor(r.next() * 1e6);
  if (r.maybe()) params.stop = ["\n\n", "END"].slice(0, 1 + Math.floor(r.next() * 2));
  if (r.maybe()) params.frequencyPenalty = Math.round(r.next() * 400 - 200) / 100;
  if (r.maybe()) params.presencePenalty = Math.round(r.next() * 400 - 200) / 100;
  if (r.maybe()) params.reasoningEffort = r.pick(["low", "medium", "high"]);
  if (r.maybe()) params.user = `user-${seed}`;
  if (r.maybe()) params.logprobs = true;
  if (r.maybe()) params.topLogprobs = Math.floor(r.next() * 20);
  if (r.maybe())
    params.responseFormat = r.pick(["text", "json_object", { jsonSchema: { type: "object", properties: { a: { type: "string" } } } }]);
  if (r.maybe()) {
    params.tools = [
      tool({ name: "lookup", description: "Looks things up", parameters: { type: "object", properties: { q: { type: "string" } } } }),
    ];
    params.toolChoice = r.pick(["auto", "none", "required", { functionName: "lookup" }]);
  }
  const chat = new ChatRequest(r.pick(["grok-4.20", "grok-4", "grok-3-mini"]), params);
  if (r.maybe()) chat.append(system("You are terse."));
  chat.append(
    r.maybe()
      ? user(`question ${seed}`)
      : user(`look at this ${seed}`, image("https://example.com/a.png", { detail: r.pick(["auto", "low", "high"]) })),
  );
  if (r.maybe()) chat.append(assistant("An answer."), user("And then?"));
  return chat.toBatchRequest();
}

/** A file line read back as a line of that format is read, by add's normaliser, after a trip through JSON. */
function readBack(line: ReturnType<typeof toFileLine>): BatchRequest {
  return toBatchRequest(JSON.parse(JSON.stringify(line)) as unknown, 0, undefined);
}

describe("toFileLine", () => {
  it("writes chat requests that read back as the same request, byte for byte (500 generated)", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const request = randomChat(seed);
      const back = readBack(toFileLine(request));
      if (!equals(BatchRequestSchema, back, request)) {
        expect({ seed, back: toBinary(BatchRequestSchema, back) }).toEqual({ seed, back: toBinary(BatchRequestSchema, request) });
      }
    }
  });

  it("writes the line people write: content as a string, the shortest numbers, the endpoint's URL", () => {
    const chat = new ChatRequest("grok-4.20", { batchRequestId: "req-1", maxTokens: 40, temperature: 0.7 }).append(user("Hi"));
    expect(toFileLine(chat.toBatchRequest())).toEqual({
      custom_id: "req-1",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "grok-4.20", messages: [{ role: "user", content: "Hi" }], max_tokens: 40, temperature: 0.7 },
    });
  });

  it("writes an image generation from a prompt", () => {
    const request = imageRequest("grok-imagine-image", { prompt: "a fox", n: 2, batchRequestId: "img" });
    expect(toFileLine(request)).toMatchObject({
      custom_id: "img",
      url: "/v1/images/generations",
      body: { model: "grok-imagine-image", prompt: "a fox", n: 2 },
    });
  });

  it("refuses, by name, what a file line cannot carry", () => {
    const noId = new ChatRequest("grok-4", {}).append(user("hi")).toBatchRequest();
    expect(() => toFileLine(noId)).toThrow(/needs a custom_id/);
    const video = videoRequest("grok-imagine-video", { prompt: "waves", batchRequestId: "v" });
    expect(() => toFileLine(video)).toThrow(InputError);
    const search = new ChatRequest("grok-4", { batchRequestId: "s", maxTurns: 3 }).append(user("hi")).toBatchRequest();
    expect(() => toFileLine(search)).toThrow(/sets `maxTurns`/);
  });

  it.each([
    [0.7, 0.7],
    [Math.fround(0.1), 0.1],
    [Math.fround(1.25), 1.25],
    [Math.fround(0.123456789), 0.12345679],
  ])("shortestFloat32(%f) is %f", (value, expected) => {
    expect(shortestFloat32(Math.fround(value))).toBe(expected);
  });
});
