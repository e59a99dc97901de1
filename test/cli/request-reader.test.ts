import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepareLines, type InputStats, type PreparedLine } from "../../src/cli/request-reader.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { chatLine } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Reads `content` as a request file as `check` does; returns the requests, the bad lines and the counts. */
async function read(content: string, options: { models?: string[] | "any"; maxAddBytes?: number } = {}) {
  const path = join(dir, `f${files++}.jsonl`);
  writeFileSync(path, content);
  const bad: [number, string][] = [];
  const stats: InputStats = { lines: 0, requests: 0, badLines: 0 };
  const requests: (PreparedLine & { id: string; autoId: boolean })[] = [];
  const models = options.models === "any" ? undefined : new Set(options.models ?? ["grok-4"]);
  for await (const r of prepareLines(path, {
    models,
    maxAddBytes: options.maxAddBytes,
    onBadLine: (line, reason) => bad.push([line, reason]),
    stats,
  })) {
    requests.push({ ...r, id: r.prepared.batchRequestId, autoId: r.prepared.autoId });
  }
  return { requests, bad, stats };
}

describe("prepareLines", () => {
  it("yields the valid rows in order with their line numbers, and reports each bad line and goes on", async () => {
    const { requests, bad, stats } = await read(
      [chatLine("a", "one"), "{oops", "", chatLine("b", "two"), chatLine("c", "three", "grok-9"), "  ", chatLine("d", "four")].join("\r\n"),
    );
    expect(requests.map((r) => [r.line, r.id])).toEqual([
      [1, "a"],
      [4, "b"],
      [7, "d"],
    ]);
    expect(bad.map(([line]) => line)).toEqual([2, 5]);
    expect(bad[0]![1]).toMatch(/^not valid JSON/);
    expect(bad[1]![1]).toMatch(/^\(id "c"\) `model` asks for "grok-9", which the Batch API does not serve.*on the command line, --models/);
    expect(stats).toEqual({ lines: 7, requests: 3, badLines: 2 });
  });

  it("reports a repeated id", async () => {
    const { requests, bad } = await read([chatLine("a", "one"), chatLine("a", "again")].join("\n"));
    expect(requests).toHaveLength(1);
    expect(bad).toEqual([[2, '(id "a") repeats an id used earlier in this add. Ids must be unique within a batch']]);
  });

  it("does not count the id of a bad line as used", async () => {
    const { requests, bad } = await read([chatLine("a", "x", "grok-9"), chatLine("a", "y")].join("\n"));
    expect(bad.map(([line]) => line)).toEqual([1]);
    expect(requests.map((r) => [r.line, r.id])).toEqual([[2, "a"]]);
  });

  it("gives rows without an id a content id, the same in every read, and different for repeated content", async () => {
    const content = [chatLine(undefined, "same"), chatLine(undefined, "same"), chatLine(undefined, "other")].join("\n");
    const first = await read(content);
    const second = await read(content);
    const ids = first.requests.map((r) => r.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => id.startsWith("auto-"))).toBe(true);
    expect(second.requests.map((r) => r.id)).toEqual(ids);
    expect(first.requests.every((r) => r.autoId && r.prepared.request.batchRequestId === r.id)).toBe(true);
  });

  it("accepts any model when models is undefined", async () => {
    const { requests, bad } = await read(chatLine("a", "x", "grok-9"), { models: "any" });
    expect(bad).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it("refuses a request that alone is over the add limit, by its encoded size", async () => {
    const { bad } = await read(chatLine("big", "x".repeat(5_000)), { maxAddBytes: 2_000 });
    expect(bad[0]![1]).toMatch(/^\(id "big"\) encodes to 50\d\d bytes; one AddBatchRequests call may carry at most 2000 bytes/);
  });

  it("keeps the row's text for joining results back", async () => {
    const line = chatLine("a", "x");
    const { requests } = await read(`\uFEFF${line}\r\n`);
    expect(requests[0]!.text).toBe(line);
  });

  it.each([
    ["", /has no requests: it is empty\. Put one JSON request per line\./],
    ["\n\r\n  \n", /has no requests: it is empty but for blank lines/],
    ["\uFEFF", /has no requests: it is empty\./],
  ])("refuses an empty file (%j)", async (content, message) => {
    const reading = read(content);
    await expect(reading).rejects.toThrow(UsageError);
    await expect(reading).rejects.toThrow(message);
  });
});
