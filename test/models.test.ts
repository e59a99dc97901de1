import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { ApiError, Client, Code, user } from "../src/index.js";
import { startTestServer } from "./support/test-server.js";

let emu: Emulator;
let client: Client;
beforeAll(async () => {
  emu = await startEmulator({
    models: ["grok-4.20", "grok-4.20-0309-reasoning", "grok-imagine-image", "grok-imagine-video"],
    modelAliases: { "grok-4.20-0309-reasoning": ["grok-4.20-reasoning-latest"] },
    limits: { createIntervalMs: 0 },
  });
  client = new Client({ baseUrl: emu.url, apiKey: "xai-models-test-key-0123456789", batchModels: "any" });
});
afterAll(async () => {
  client.close();
  await emu.stop();
});

it("lists the team's language and image models with their aliases, as plain data", async () => {
  const models = await client.models.list();
  expect(models.map((m) => [m.name, m.kind, m.aliases])).toEqual([
    ["grok-4.20", "language", []],
    ["grok-4.20-0309-reasoning", "language", ["grok-4.20-reasoning-latest"]],
    ["grok-imagine-image", "image", []],
  ]);
  expect(models[0]).toMatchObject({ inputModalities: ["text", "image"], outputModalities: ["text"] });
  expect(models[0]!.createdAt).toBeInstanceOf(Date);
  expect(JSON.parse(JSON.stringify(models.map(({ raw: _raw, ...view }) => view)))[2]).toMatchObject({
    name: "grok-imagine-image",
    kind: "image",
  });
});

it("takes an alias in a batch request, and refuses a model it does not list", async () => {
  const { batchId } = await client.batch.create("aliases");
  const aliased = client.chat.create("grok-4.20-reasoning-latest", { batchRequestId: "a" }).append(user("hi"));
  expect((await client.batch.add(batchId, [aliased])).requestsAdded).toBe(1);
  const unknown = client.chat.create("grok-2", { batchRequestId: "b" }).append(user("hi"));
  const error = await client.batch.add(batchId, [unknown]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe(Code.InvalidArgument);
});

it("checks batch requests against the team's live list by default: its models and aliases pass, the known-refused and unlisted do not", async () => {
  const live = new Client({ baseUrl: emu.url, apiKey: "xai-models-test-key-0123456789" });
  try {
    const { batchId } = await live.batch.create("live check");
    // Neither name is in defaultBatchModels: only the live list can let them through.
    const added = await live.batch.add(batchId, [
      live.chat.create("grok-4.20-0309-reasoning", { batchRequestId: "x" }).append(user("hi")),
      live.chat.create("grok-4.20-reasoning-latest", { batchRequestId: "y" }).append(user("hi")),
    ]);
    expect(added.requestsAdded).toBe(2);
    const unlisted = live.chat.create("grok-4", { batchRequestId: "z" }).append(user("hi"));
    await expect(live.batch.add(batchId, [unlisted])).rejects.toThrow(/asks for "grok-4", which the Batch API does not serve/);
  } finally {
    live.close();
  }
});

it("falls back to the default batch models when the service has no Models API", async () => {
  const server = await startTestServer({
    createBatch: async () => ({ batchId: "b1" }),
    getBatch: async () => ({ batchId: "b1", state: { numRequests: 0n } }),
    addBatchRequests: async () => ({}),
  });
  const c = new Client({ baseUrl: server.url, apiKey: "xai-models-test-key-0123456789" });
  try {
    const ok = c.chat.create("grok-4", { batchRequestId: "a" }).append(user("hi"));
    expect((await c.batch.add("b1", [ok])).requestsAdded).toBe(1);
    const refused = c.chat.create("grok-code-fast-1", { batchRequestId: "b" }).append(user("hi"));
    await expect(c.batch.add("b1", [refused])).rejects.toThrow(/grok-code-fast-1/);
  } finally {
    c.close();
    await server.stop();
  }
});
