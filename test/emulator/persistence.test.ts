import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chat, chats, until, useEmulators, type TestClient } from "./helpers.js";
import { journalRecordBytes } from "./journal-files.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function state(client: TestClient, batchId: string) {
  return (await client.call("getBatch", { batchId })).state!;
}

describe("persistence", () => {
  const env = useEmulators();

  it("reloads everything acknowledged, keeps page tokens valid, and resumes processing", async () => {
    const persistPath = join(dir, "state.jsonl");
    const first = await env.start({ persistPath, processing: { requestsPerSecond: 1000 }, limits: { addCallsPerWindow: 1000 } });
    let client = env.client(first);
    const { batchId } = await client.call("createBatch", { name: "big" });
    const cancelled = (await client.call("createBatch", { name: "cancelled" })).batchId;
    await client.call("addBatchRequests", { batchId: cancelled, batchRequests: chats(5) });
    const cancelledBefore = await client.call("cancelBatch", { batchId: cancelled });
    const started = Date.now();
    for (let call = 0; call < 200; call++) {
      await client.call("addBatchRequests", { batchId, batchRequests: chats(100, `c${call}-`) });
    }
    // A journal that rewrote the state per call would take minutes here.
    expect(Date.now() - started).toBeLessThan(15_000);
    await until(async () => (await state(client, batchId)).numSuccess >= 200n, 5000, "some processed");
    const token = (await client.call("listBatchRequestMetadata", { batchId, limit: 10 })).paginationToken!;
    const ids = first.requestIds(batchId);
    await first.stop();
    expect(ids).toHaveLength(20_000);

    const second = await env.start({ persistPath, processing: { requestsPerSecond: 50_000 } });
    client = env.client(second);
    expect(second.requestIds(batchId)).toEqual(ids);
    const resumed = await state(client, batchId);
    expect(resumed.numRequests).toBe(20_000n);
    expect(resumed.numSuccess).toBeGreaterThanOrEqual(200n);
    expect((await client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: token })).batchRequestMetadata[0]?.batchRequestId).toBe("c0-10");
    const cancelledAfter = await client.call("getBatch", { batchId: cancelled });
    expect(cancelledAfter.cancelTime).toEqual(cancelledBefore.cancelTime);
    expect(cancelledAfter.state).toEqual(cancelledBefore.state);
    expect(cancelledAfter.state!.numSuccess + cancelledAfter.state!.numCancelled).toBe(5n);
    await until(async () => (await state(client, batchId)).numPending === 0n, 10_000, "all processed after restart");
    expect((await state(client, batchId)).numSuccess).toBe(20_000n);
    expect((await client.call("listBatches", {})).batches.map((b) => b.name)).toEqual(["big", "cancelled"]);
  }, 40_000);

  it("survives a torn last record and loads a file that had not loaded before the restart", async () => {
    const persistPath = join(dir, "torn.journal");
    const file = join(dir, "input.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "f", method: "POST", url: "/v1/chat/completions", body: { model: "grok-4", messages: [{ role: "user", content: "x" }] } })}\n`);
    const options = { persistPath, files: { in: file }, fileLoadDelayMs: 60_000 };
    const first = await env.start(options);
    const client = env.client(first);
    const fromFile = (await client.call("createBatch", { name: "file", inputFileId: "in" })).batchId;
    const plain = (await client.call("createBatch", { name: "plain" })).batchId;
    await client.call("addBatchRequests", { batchId: plain, batchRequests: [chat("a", "x")] });
    await first.stop();
    // A crash in the middle of writing one more record leaves half of it.
    const intact = statSync(persistPath).size;
    appendFileSync(persistPath, journalRecordBytes(persistPath, -1).subarray(0, 30));

    const warnings: string[] = [];
    const second = await env.start({ ...options, fileLoadDelayMs: 50, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([expect.stringContaining(`dropped a torn last record (30 bytes at byte ${intact}`)]);
    expect(statSync(persistPath).size).toBe(intact);
    const again = env.client(second);
    expect(second.requestIds(plain)).toEqual(["a"]);
    await until(async () => (await state(again, fromFile)).numSuccess === 1n, 3000, "file loaded after restart");
    await again.call("addBatchRequests", { batchId: plain, batchRequests: [chat("b", "x")] });
    await second.stop();
    const third = await env.start(options);
    expect(third.requestIds(plain)).toEqual(["a", "b"]);
    expect(third.requestIds(fromFile)).toEqual(["f"]);
  });
});
