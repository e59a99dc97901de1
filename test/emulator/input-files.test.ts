import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/emulator/index.js";
import { failure, useEmulators } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\r\n")}\n`);
  return path;
}

/** A line of xAI's batch file format. */
const line = (id: string, text: string, model = "grok-4") =>
  JSON.stringify({
    custom_id: id,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model, messages: [{ role: "user", content: text }] },
  });

describe("file-backed batches", () => {
  const env = useEmulators();

  it("shows zero requests and zero pending while the file loads, then processes it", async () => {
    const path = jsonl("good.jsonl", [line("a", "one"), "", line("b", "two"), line("c", "three")]);
    const clock = new ManualClock();
    const emu = await env.start({ clock, files: { "file-1": path }, fileLoadDelayMs: 300 });
    const client = env.client(emu);
    const created = await client.call("createBatch", { name: "from file", inputFileId: "file-1" });
    expect(created.inputFileId).toBe("file-1");
    await clock.advance(299);
    const early = await client.call("getBatch", { batchId: created.batchId });
    expect(early.state).toMatchObject({ numRequests: 0n, numPending: 0n });
    await clock.advance(1);
    expect((await client.call("getBatch", { batchId: created.batchId })).state).toMatchObject({ numRequests: 3n, numPending: 3n });
    await clock.advance(10);
    expect((await client.call("getBatch", { batchId: created.batchId })).state).toMatchObject({ numSuccess: 3n, numPending: 0n });
    expect(emu.requestIds(created.batchId)).toEqual(["a", "b", "c"]);
    expect(emu.counters().requestsLoadedFromFiles).toBe(3);
  });

  it("answers NOT_FOUND for an unknown file id", async () => {
    const emu = await env.start();
    const error = await failure(env.client(emu).call("createBatch", { name: "x", inputFileId: "nope" }));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toContain('"nope"');
  });

  it("cancels the batch with the reason in cancel_by_xai_message when the file holds a model batches do not serve", async () => {
    const path = jsonl("bad.jsonl", [line("a", "one"), line("b", "two", "grok-nope")]);
    const clock = new ManualClock();
    const emu = await env.start({ clock, files: { bad: path }, fileLoadDelayMs: 10 });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "x", inputFileId: "bad" });
    await clock.advance(10);
    const batch = await client.call("getBatch", { batchId });
    expect(batch.cancelByXaiMessage).toBe('JSONL file validation failed: line 2: model "grok-nope" is not available for batch processing');
    expect(batch.state?.numRequests).toBe(0n);
  });

  it.each([
    [
      "a line of another format",
      JSON.stringify({ batchRequestId: "b", completionRequest: { model: "grok-4" } }),
      'line 2: not a batch line: expected {"custom_id", "method", "url", "body"}',
    ],
    ["broken JSON", "{nope", "line 2: not valid JSON"],
    ["a repeated custom_id", line("a", "again"), 'line 2: repeats the custom_id "a" of line 1'],
  ])("cancels the batch over %s, naming the line", async (_what, bad, message) => {
    const clock = new ManualClock();
    const emu = await env.start({ clock, files: { f: jsonl("bad2.jsonl", [line("a", "one"), bad]) }, fileLoadDelayMs: 10 });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "x", inputFileId: "f" });
    await clock.advance(10);
    expect((await client.call("getBatch", { batchId })).cancelByXaiMessage).toBe(`JSONL file validation failed: ${message}`);
  });

  it("is sealed: AddBatchRequests is FAILED_PRECONDITION", async () => {
    const emu = await env.start({ files: { f: jsonl("sealed.jsonl", [line("a", "one")]) }, fileLoadDelayMs: 10 });
    const client = env.client(emu);
    const { batchId } = await client.call("createBatch", { name: "x", inputFileId: "f" });
    const error = await failure(client.call("addBatchRequests", { batchId, batchRequests: [] }));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toContain("is sealed");
  });
});
