import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { ApiError, Client, Code, user } from "../src/index.js";

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
  expect(JSON.parse(JSON.stringify(models.map(({ raw: _raw, ...view }) => view)))[2]).toMatchObject({ name: "grok-imagine-image", kind: "image" });
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
