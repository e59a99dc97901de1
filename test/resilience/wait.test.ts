import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { ApiError, Client, Code, user, type BatchView } from "../../src/index.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const chats = (client: Client, n: number) =>
  Array.from({ length: n }, (_, i) => client.chat.create("grok-4", { batchRequestId: `w${i}` }).append(user(`q${i}`)));

it("waits until every request has finished, reporting each change of the counts", async () => {
  emu = await startEmulator({ processing: { requestsPerSecond: 200 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const batch = await client.batch.create("w");
  await client.batch.add(batch.batchId, chats(client, 60));
  const seen: BatchView[] = [];
  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20, maxPollIntervalMs: 40, onProgress: (b) => seen.push(b) });
  client.close();
  expect(done).toMatchObject({ status: "completed", counts: { total: 60, pending: 0, succeeded: 60 } });
  expect(seen.length).toBeGreaterThan(1);
  expect(seen.at(-1)?.counts.pending).toBe(0);
  const keys = seen.map((b) => `${b.counts.pending}/${b.counts.succeeded}`);
  expect(new Set(keys).size).toBe(keys.length);
});

it("does not call a batch built from a file done while the file is still loading", async () => {
  const dir = mkdtempSync(join(tmpdir(), "xai-batch-wait-"));
  const file = join(dir, "in.jsonl");
  writeFileSync(
    file,
    Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({
        custom_id: `f${i}`,
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: "grok-4", messages: [{ role: "user", content: "hi" }] },
      }),
    ).join("\n"),
  );
  emu = await startEmulator({ files: { "file-1": file }, fileLoadDelayMs: 300, processing: { requestsPerSecond: 1_000 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const batch = await client.batch.create("from-file", { inputFileId: "file-1" });
  expect(await client.batch.get(batch.batchId)).toMatchObject({ status: "loading", done: false, counts: { total: 0 } });
  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20 });
  client.close();
  expect(done).toMatchObject({ status: "completed", counts: { total: 5, pending: 0 } });
});

it("times out on an empty batch instead of calling it done", async () => {
  emu = await startEmulator();
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const batch = await client.batch.create("empty");
  const error = (await client.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 300 }).catch((e: unknown) => e)) as ApiError;
  client.close();
  expect(error).toBeInstanceOf(ApiError);
  expect(error.code).toBe(Code.DeadlineExceeded);
  expect(error.message).toMatch(/not done after \d+ ms \(empty, 0 of 0 requests still pending\)/);
});

it("ends when the batch is cancelled, and aborts promptly on a signal", async () => {
  emu = await startEmulator({ processing: { requestsPerSecond: 5 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const batch = await client.batch.create("c");
  await client.batch.add(batch.batchId, chats(client, 50));
  /** Runs `action` once `polls` more GetBatch calls have reached the server: a wait is under way. */
  const afterPolls = (polls: number, action: () => void) => {
    const seen = emu!.counters().calls.GetBatch ?? 0;
    void emu!.waitFor((c) => (c.calls.GetBatch ?? 0) >= seen + polls).then(action);
  };
  const controller = new AbortController();
  afterPolls(2, () => controller.abort());
  const aborted = (await client.batch
    .wait(batch.batchId, { pollIntervalMs: 30, signal: controller.signal })
    .catch((e: unknown) => e)) as ApiError;
  expect(aborted.code).toBe(Code.Canceled);
  afterPolls(2, () => void client.batch.cancel(batch.batchId));
  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 30, totalTimeoutMs: 5_000 });
  client.close();
  expect(done.status).toBe("cancelled");
  expect(done.counts.cancelled).toBeGreaterThan(0);
});

it("rides through NOT_FOUND just after creation and transient UNAVAILABLE", async () => {
  emu = await startEmulator({ processing: { requestsPerSecond: 500 }, faults: { notFoundAfterCreateMs: 300 } });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  const batch = await client.batch.create("lag");
  await client.batch.add(batch.batchId, chats(client, 10));
  emu.setFaults({ unavailableRate: 0.3, seed: 3 });
  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 });
  client.close();
  expect(done.counts.succeeded).toBe(10);
  expect(emu.counters().rejections.faultNotFound).toBeGreaterThan(0);
});
