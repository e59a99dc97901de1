import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { Client, user } from "../src/index.js";

// Every view and page the client returns, serialised as a service would log or store it.
let emu: Emulator;
let client: Client;

beforeAll(async () => {
  emu = await startEmulator({ processing: { requestsPerSecond: 1_000 } });
  client = new Client({ baseUrl: emu.url, apiKey: "xai-views-test-key-0123" });
});
afterAll(async () => {
  client.close();
  await emu.stop();
});

/** JSON.stringify must not throw (bigints) and must give plain data without the wire message. */
function roundTrip(value: unknown): Record<string, unknown> {
  const text = JSON.stringify(value);
  expect(text).not.toMatch(/\$typeName|"raw"/);
  return JSON.parse(text) as Record<string, unknown>;
}

it("serialises every view and page as readable JSON, each keeping its wire message as raw", async () => {
  const created = await client.batch.create("views");
  expect(roundTrip(created)).toMatchObject({ batchId: created.batchId, name: "views", status: "empty", done: false, counts: { total: 0 } });
  expect(created.raw.batchId).toBe(created.batchId);

  const chats = [
    client.chat.create("grok-4", { batchRequestId: "ok" }).append(user("hi")),
    client.chat.create("grok-4", { batchRequestId: "bad" }).append(user("[fail]")),
  ];
  expect(roundTrip(await client.batch.add(created.batchId, chats))).toMatchObject({ requestsAdded: 2 });

  const progress: unknown[] = [];
  const done = await client.batch.wait(created.batchId, {
    pollIntervalMs: 10,
    totalTimeoutMs: 10_000,
    onProgress: (b) => progress.push(roundTrip(b)),
  });
  const doneJson = roundTrip(done);
  expect(doneJson).toMatchObject({
    status: "completed",
    done: true,
    counts: { total: 2, pending: 0, succeeded: 1, failed: 1, cancelled: 0 },
  });
  expect(typeof doneJson.createTime).toBe("string");
  expect(done.createTime).toBeInstanceOf(Date);
  expect(progress.length).toBeGreaterThan(0);

  expect(roundTrip(await client.batch.get(created.batchId))).toMatchObject({ status: "completed" });
  const batches = roundTrip(await client.batch.list({ limit: 10 }));
  expect(batches.batches).toEqual(expect.arrayContaining([expect.objectContaining({ batchId: created.batchId, status: "completed" })]));

  const requests = await client.batch.listBatchRequests(created.batchId, { limit: 10 });
  expect(requests.batchRequestMetadata[0]!.raw.batchRequestId).toBe(requests.batchRequestMetadata[0]!.batchRequestId);
  const requestsJson = roundTrip(requests) as { batchRequestMetadata: { batchRequestId: string; status: string }[] };
  expect(requestsJson.batchRequestMetadata.map((m) => `${m.batchRequestId}:${m.status}`).sort()).toEqual(["bad:failed", "ok:succeeded"]);

  const results = await client.batch.listBatchResults(created.batchId);
  const resultsJson = roundTrip(results) as { results: { batchRequestId: string; ok: boolean }[]; succeeded: unknown[]; failed: unknown[] };
  expect(resultsJson.results.map((r) => `${r.batchRequestId}:${r.ok}`).sort()).toEqual(["bad:false", "ok:true"]);
  expect(resultsJson.succeeded).toEqual([expect.objectContaining({ batchRequestId: "ok", kind: "completion", finishReason: "stop" })]);
  expect(resultsJson.failed).toEqual([
    expect.objectContaining({ batchRequestId: "bad", kind: "error", error: expect.objectContaining({ status: expect.any(String) }) }),
  ]);
  expect(results.results[0]!.raw.batchRequestId).toBe(results.results[0]!.batchRequestId);

  const one = await client.batch.getBatchRequestResult(created.batchId, "ok");
  expect(roundTrip(one)).toMatchObject({
    batchRequestId: "ok",
    request: { batchRequestId: "ok", completionRequest: { model: "grok-4" } },
    result: { ok: true },
  });
  expect(one.raw.request?.request.case).toBe("completionRequest");

  expect(roundTrip(await client.batch.cancel(created.batchId))).toMatchObject({ status: "cancelled", counts: { succeeded: 1 } });
});
