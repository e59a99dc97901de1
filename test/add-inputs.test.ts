import { create, toJson } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { BatchRequestSchema, ChatRequest, Client, InputError, MessageRole, user, type AddInput } from "../src/index.js";

// Every shape `add` takes, through one normaliser, to a real server and back.
let emu: Emulator;
let client: Client;

beforeAll(async () => {
  emu = await startEmulator({ limits: { createIntervalMs: 0 } });
  client = new Client({ baseUrl: emu.url, apiKey: "xai-inputs-test-key-0123" });
});
afterAll(async () => {
  client.close();
  await emu.stop();
});

const messages = [{ role: MessageRole.ROLE_USER, content: [{ content: { case: "text" as const, value: "Hi" } }] }];
const shapes: [string, AddInput][] = [
  ["a chat builder", new ChatRequest("grok-4", { batchRequestId: "builder", maxTokens: 5 }).append(user("Hi"))],
  [
    "a BatchRequest message",
    create(BatchRequestSchema, {
      batchRequestId: "message",
      request: { case: "completionRequest", value: { model: "grok-4", maxTokens: 5, messages } },
    }),
  ],
  [
    "a BatchRequest init",
    { batchRequestId: "init", request: { case: "completionRequest", value: { model: "grok-4", maxTokens: 5, messages } } },
  ],
  [
    "protobuf JSON",
    {
      batchRequestId: "protobuf-json",
      completionRequest: { model: "grok-4", maxTokens: 5, messages: [{ role: "ROLE_USER", content: [{ text: "Hi" }] }] },
    },
  ],
  ["the compact chat form", { id: "compact", model: "grok-4", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] }],
  [
    "an OpenAI batch line",
    {
      custom_id: "openai",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "grok-4", max_tokens: 5, messages: [{ role: "user", content: "Hi" }] },
    },
  ],
];

describe("add takes every input shape", () => {
  it("adds each shape as the same request", async () => {
    const { batchId } = await client.batch.create("shapes");
    const result = await client.batch.add(
      batchId,
      shapes.map(([, input]) => input),
    );
    expect(result).toMatchObject({ requestsRead: 6, requestsAdded: 6, invalid: 0 });
    expect(emu.requestIds(batchId).sort()).toEqual(["builder", "compact", "init", "message", "openai", "protobuf-json"]);
    const sent = await Promise.all(
      shapes.map(async (_shape, i) => {
        const id = ["builder", "message", "init", "protobuf-json", "compact", "openai"][i]!;
        const { raw } = await client.batch.getBatchRequestResult(batchId, id);
        const json = toJson(BatchRequestSchema, raw.request!) as { batchRequestId: string };
        return { ...json, batchRequestId: "" };
      }),
    );
    // One normaliser: whatever the shape, the same request reaches the server.
    for (const request of sent) expect(request).toEqual(sent[0]);
  });

  it("stops at an invalid request by default with a structured InputError, sending nothing", async () => {
    const { batchId } = await client.batch.create("invalid");
    const inputs: AddInput[] = [
      { id: "fine", model: "grok-4", messages: [{ role: "user", content: "Hi" }] },
      { id: "bad", model: "grok-9", messages: [{ role: "user", content: "Hi" }] },
    ];
    const error = (await client.batch.add(batchId, inputs).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ index: 1, batchRequestId: "bad", field: "model" });
    expect(error.reason).toMatch(/asks for "grok-9", which the Batch API does not serve/);
    expect(error.fix).toMatch(/batchModels/);
    expect(emu.requestIds(batchId)).toEqual([]);
  });

  it('with invalid: "skip", reports each invalid request to onInvalid and adds the rest', async () => {
    const { batchId } = await client.batch.create("skip");
    const bad = { custom_id: "no-url", body: {} };
    const inputs = (async function* (): AsyncGenerator<AddInput> {
      yield { id: "a", model: "grok-4", messages: [{ role: "user", content: "Hi" }] };
      yield bad;
      yield { id: "a", model: "grok-4", messages: [{ role: "user", content: "again" }] };
      yield { custom_id: "b", url: "/v1/chat/completions", body: { model: "grok-4", messages: [{ role: "user", content: "Hi" }] } };
    })();
    const refused: [InputError, unknown][] = [];
    const result = await client.batch.add(batchId, inputs, { invalid: "skip", onInvalid: (error, input) => refused.push([error, input]) });
    expect(result).toMatchObject({ requestsRead: 4, requestsAdded: 2, invalid: 2 });
    expect(emu.requestIds(batchId).sort()).toEqual(["a", "b"]);
    expect(refused.map(([e]) => [e.index, e.batchRequestId, e.field])).toEqual([
      [1, "no-url", "url"],
      [2, "a", undefined],
    ]);
    expect(refused[0]![1]).toBe(bad);
  });
});
