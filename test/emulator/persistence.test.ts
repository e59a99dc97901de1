import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/emulator/index.js";
import { chat, chats, useEmulators, type TestClient } from "./helpers.js";
import { journalRecordBytes, journalRecords } from "./journal-files.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function state(client: TestClient, batchId: string) {
  return (await client.call("getBatch", { batchId })).state!;
}

describe("persistence", () => {
  const env = useEmulators();

  it("reloads everything acknowledged, keeps page tokens valid, and resumes processing", async () => {
    const persistPath = join(dir, "state.jsonl");
    const clock = new ManualClock();
    const first = await env.start({ clock, persistPath, processing: { requestsPerSecond: 1000 }, limits: { addCallsPerWindow: 1000 } });
    let client = env.client(first);
    const { batchId } = await client.call("createBatch", { name: "big" });
    const cancelled = (await client.call("createBatch", { name: "cancelled" })).batchId;
    await client.call("addBatchRequests", { batchId: cancelled, batchRequests: chats(5) });
    const cancelledBefore = await client.call("cancelBatch", { batchId: cancelled });
    const journalBefore = readFileSync(persistPath);
    const recordsBefore = journalRecords(persistPath).length;
    for (let call = 0; call < 200; call++) {
      await client.call("addBatchRequests", { batchId, batchRequests: chats(100, `c${call}-`) });
    }
    // Each acknowledged call appends one record and rewrites nothing, so a call costs the same however
    // large the state has grown.
    expect(journalRecords(persistPath).length).toBe(recordsBefore + 200);
    expect(readFileSync(persistPath).subarray(0, journalBefore.length).equals(journalBefore)).toBe(true);
    await clock.advance(200);
    const token = (await client.call("listBatchRequestMetadata", { batchId, limit: 10 })).paginationToken!;
    const ids = first.requestIds(batchId);
    await first.stop();
    expect(ids).toHaveLength(20_000);

    // Restarted where the first left off in time, and still until its clock moves.
    const restartClock = new ManualClock(clock.now());
    const second = await env.start({ clock: restartClock, persistPath, processing: { requestsPerSecond: 50_000 } });
    client = env.client(second);
    expect(second.requestIds(batchId)).toEqual(ids);
    const resumed = await state(client, batchId);
    expect(resumed.numRequests).toBe(20_000n);
    expect(resumed.numSuccess).toBe(200n);
    expect(
      (await client.call("listBatchRequestMetadata", { batchId, limit: 10, paginationToken: token })).batchRequestMetadata[0]
        ?.batchRequestId,
    ).toBe("c0-10");
    const cancelledAfter = await client.call("getBatch", { batchId: cancelled });
    expect(cancelledAfter.cancelTime).toEqual(cancelledBefore.cancelTime);
    expect(cancelledAfter.state).toEqual(cancelledBefore.state);
    expect(cancelledAfter.state!.numSuccess + cancelledAfter.state!.numCancelled).toBe(5n);
    await restartClock.advance(1000);
    expect((await state(client, batchId)).numSuccess).toBe(20_000n);
    expect((await client.call("listBatches", {})).batches.map((b) => b.name)).toEqual(["big", "cancelled"]);
  }, 40_000);

  it("survives a torn last record and loads a file that had not loaded before the restart", async () => {
    const persistPath = join(dir, "torn.journal");
    const file = join(dir, "input.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ custom_id: "f", method: "POST", url: "/v1/chat/completions", body: { model: "grok-4", messages: [{ role: "user", content: "x" }] } })}\n`,
    );
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
    await second.waitFor((c) => c.requestsLoadedFromFiles === 1);
    await again.call("addBatchRequests", { batchId: plain, batchRequests: [chat("b", "x")] });
    await second.stop();
    const third = await env.start(options);
    expect(third.requestIds(plain)).toEqual(["a", "b"]);
    expect(third.requestIds(fromFile)).toEqual(["f"]);
  });
});
