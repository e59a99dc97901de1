import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { Client, system, user } from "../src/index.js";

// xAI's Batch guide, step by step, as a user writes it, against the emulator.
let emu: Emulator;
const savedKey = process.env.XAI_API_KEY;

beforeAll(async () => {
  emu = await startEmulator({ processing: { requestsPerSecond: 1_000 } });
  process.env.XAI_API_KEY = "xai-walkthrough-key";
});
afterAll(async () => {
  await emu.stop();
  if (savedKey === undefined) delete process.env.XAI_API_KEY;
  else process.env.XAI_API_KEY = savedKey;
});

it("does every step of the Batch guide", async () => {
  const client = new Client({ baseUrl: emu.url }); // key from XAI_API_KEY; the emulator instead of api.x.ai

  const batch = await client.batch.create("my_new_batch");
  expect(batch.batchId).not.toBe("");
  expect(batch.name).toBe("my_new_batch");

  const chat = client.chat.create("grok-4", { maxTokens: 200, batchRequestId: "capital_uk" });
  chat.append(system("You are a geography expert."));
  chat.append(user("What is the capital of the UK?"));
  const fails = client.chat.create("grok-4", { batchRequestId: "bad_one" }).append(user("please [fail]"));
  const added = await client.batch.add(batch.batchId, [chat, fails]);
  expect(added.requestsAdded).toBe(2);

  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 });
  expect(done).toMatchObject({ status: "completed", done: true, counts: { total: 2, pending: 0, succeeded: 1, failed: 1, cancelled: 0 } });

  const page = await client.batch.listBatchResults(batch.batchId, { limit: 1 });
  expect(page.results).toHaveLength(1);
  expect(page.succeeded.length + page.failed.length).toBe(1);
  expect(page.paginationToken).toBeDefined();
  const next = await client.batch.listBatchResults(batch.batchId, { limit: 1, paginationToken: page.paginationToken });
  expect(next.paginationToken).toBeUndefined();
  const all = [...page.results, ...next.results];
  const ok = all.find((r) => r.batchRequestId === "capital_uk");
  const failed = all.find((r) => r.batchRequestId === "bad_one");
  expect(ok?.ok && ok.kind === "completion" && ok.text.includes("What is the capital of the UK?")).toBe(true);
  expect(failed?.ok).toBe(false);
  expect(failed?.ok === false && failed.error.message).toMatch(/\[fail\]/);

  const batches = await client.batch.list({ limit: 10 });
  expect(batches.batches.map((b) => b.batchId)).toContain(batch.batchId);

  const meta = await client.batch.listBatchRequests(batch.batchId, { limit: 10 });
  expect(meta.batchRequestMetadata.map((m) => m.batchRequestId).sort()).toEqual(["bad_one", "capital_uk"]);

  expect((await client.batch.get(batch.batchId)).counts.total).toBe(2);

  const one = await client.batch.getBatchRequestResult(batch.batchId, "capital_uk");
  expect(one.request?.completionRequest).toMatchObject({ model: "grok-4" });
  expect(one.result?.ok).toBe(true);

  const cancelled = await client.batch.cancel(batch.batchId);
  expect(cancelled.cancelTime).toBeInstanceOf(Date);
  expect(cancelled.status).toBe("cancelled");
  expect(cancelled.counts.succeeded).toBe(1); // finished results are kept

  client.close();
});
