// A consumer's plain ESM program: no TypeScript, no loader. It starts the emulator the package ships and
// runs xAI's Batch guide against it, step by step, failing loudly on any surprise.
import assert from "node:assert/strict";
import { Client, Code, ApiError, system, user } from "xai-batch";
import { startEmulator } from "xai-batch/emulator";
import { BatchMgmt } from "xai-batch/gen/xai/api/v1/batch_pb";

assert.equal(BatchMgmt.typeName, "xai_api.BatchMgmt");

const emu = await startEmulator({ processing: { requestsPerSecond: 1_000 } });
const client = new Client({ baseUrl: emu.url, apiKey: "xai-consumer-key-0123456789" });
try {
  const batch = await client.batch.create("my_new_batch");
  const chat = client.chat.create("grok-4", { maxTokens: 200, batchRequestId: "capital_uk" });
  chat.append(system("You are a geography expert."));
  chat.append(user("What is the capital of the UK?"));
  const fails = client.chat.create("grok-4", { batchRequestId: "bad_one" }).append(user("please [fail]"));
  const added = await client.batch.add(batch.batchId, [chat, fails]);
  assert.equal(added.requestsAdded, 2);

  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 });
  assert.equal(done.status, "completed");
  assert.deepEqual(done.counts, { total: 2, pending: 0, succeeded: 1, failed: 1, cancelled: 0 });
  // Views are plain data: they serialise as they are.
  assert.equal(JSON.parse(JSON.stringify(done)).status, "completed");

  const byId = new Map();
  for await (const result of client.batch.listBatchResults(batch.batchId, { limit: 1 })) byId.set(result.batchRequestId, result);
  assert.equal(byId.get("capital_uk")?.ok, true);
  assert.equal(byId.get("bad_one")?.ok, false);

  const listed = await client.batch.list({ limit: 10 });
  assert.ok(listed.batches.some((b) => b.batchId === batch.batchId));
  const one = await client.batch.getBatchRequestResult(batch.batchId, "capital_uk");
  assert.equal(one.request?.completionRequest?.model, "grok-4");
  await client.batch.cancel(batch.batchId);

  const missing = await client.batch.get("no-such-batch").catch((error) => error);
  assert.ok(missing instanceof ApiError, `expected an ApiError, got ${missing}`);
  assert.equal(missing.code, Code.NotFound);
  console.log(`walkthrough ok: ${batch.batchId}`);
} finally {
  client.close();
  await emu.stop();
}
