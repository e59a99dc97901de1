import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { ApiError, Client, Code, InputError, user } from "../src/index.js";

const apiKey = "xai-file-batch-key-0123456789";
const dir = mkdtempSync(join(tmpdir(), "xai-batch-file-batches-"));
let emu: Emulator;
let client: Client;
beforeAll(async () => {
  emu = await startEmulator({ limits: { createIntervalMs: 0 }, fileLoadDelayMs: 50, processing: { requestsPerSecond: 5_000 } });
  client = new Client({ baseUrl: emu.url, apiKey });
});
afterAll(async () => {
  client.close();
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

const chats = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => client.chat.create("grok-4", { batchRequestId: `${prefix}${i}` }).append(user(`question ${i}`)));
const fileLine = (id: string, model = "grok-4") =>
  JSON.stringify({
    custom_id: id,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model, messages: [{ role: "user", content: `q ${id}` }] },
  });

describe("batches from a file, end to end on the emulator", () => {
  it("submit via file: writes, uploads and creates; the batch loads, runs and its results carry the ids", async () => {
    const progress: number[] = [];
    const submitted = await client.batch.submit("via file", chats(300, "f"), {
      via: "file",
      onUploadProgress: (p) => progress.push(p.bytesSent),
    });
    expect(submitted).toMatchObject({ via: "file", requests: 300, add: undefined });
    expect(submitted.file?.filename).toMatch(/^requests-[0-9a-f]{24}\.jsonl$/);
    expect(progress.at(-1)).toBe(submitted.file?.sizeBytes);
    expect(submitted.batch.inputFileId).toBe(submitted.file?.id);
    const done = await client.batch.wait(submitted.batch.batchId, { pollIntervalMs: 20 });
    expect(done).toMatchObject({ status: "completed", counts: { total: 300, succeeded: 300 } });
    const ids = new Set<string>();
    for await (const r of client.batch.listBatchResults(submitted.batch.batchId, { limit: 100 })) ids.add(r.batchRequestId);
    expect(ids.size).toBe(300);
    expect(ids.has("f299")).toBe(true);
    // No add call was spent on it.
    expect(emu.counters().calls.AddBatchRequests ?? 0).toBe(0);
  });

  it("a file batch is sealed: add is refused with FAILED_PRECONDITION", async () => {
    const { batch } = await client.batch.submit("sealed", chats(2, "s"), { via: "file" });
    const error = await client.batch.add(batch.batchId, chats(1, "late")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(Code.FailedPrecondition);
  });

  it("createFromFile checks every line before uploading: a bad line is refused by number and nothing is stored", async () => {
    const before = (await client.files.list()).files.length;
    const path = join(dir, "bad.jsonl");
    writeFileSync(path, [fileLine("a"), fileLine("b", "grok-nope")].join("\n"));
    const error = await client.batch.createFromFile("bad", path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/bad\.jsonl line 2: .*grok-nope/);
    expect((await client.files.list()).files.length).toBe(before);
  });

  it("without the check, the emulator cancels the batch as xAI does, saying which line", async () => {
    const path = join(dir, "unchecked.jsonl");
    writeFileSync(path, [fileLine("a"), fileLine("b", "grok-nope")].join("\n"));
    const batch = await client.batch.createFromFile("unchecked", path, { check: false });
    const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20 });
    expect(done.status).toBe("cancelled");
    expect(done.cancelByXaiMessage).toBe('JSONL file validation failed: line 2: model "grok-nope" is not available for batch processing');
  });

  it("createFromFile of a good file: loading, then completed", async () => {
    const path = join(dir, "good.jsonl");
    writeFileSync(path, [fileLine("g1"), "", fileLine("g2")].join("\r\n"));
    const batch = await client.batch.createFromFile("good", path);
    expect(batch.status).toBe("loading");
    expect(await client.batch.wait(batch.batchId, { pollIntervalMs: 20 })).toMatchObject({ status: "completed", counts: { total: 2 } });
  });
});
