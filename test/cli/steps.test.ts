import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Client } from "../../src/index.js";
import { apiKey, batchOf, chatLine, chatLines, jsonLines, idsOf, useCli } from "./helpers.js";

// The commands one at a time, as a person drives a batch by hand.
const cli = useCli();
const file = cli.file.bind(cli);

describe("the step-by-step commands", () => {
  it("create, add, wait, status, results, list and cancel a batch", async () => {
    const emu = await cli.emulator();
    const at = cli.at(emu);
    const input = file("steps.jsonl", chatLines(30, "s", { fail: 10 }));

    const created = await cli.run(["create", "steps", ...at]);
    expect(created.code).toBe(0);
    const batchId = created.stdout.trim();
    expect(batchId).toMatch(/^batch_\S+$/); // the id alone, for ID=$(xai-batch create x)

    const added = await cli.run(["add", batchId, input, ...at]);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe(`added 30 requests to ${batchId}\n`);
    expect(added.stderr).toMatch(/holds 30 requests: \d+ still pending, \d+ processed/);

    const waited = await cli.run(["wait", batchId, "--poll-interval-ms", "50", ...at]);
    expect(waited.code).toBe(3); // three requests carry the [fail] marker
    expect(waited.stdout).toContain("completed  30 requests: 27 succeeded, 3 failed, 0 cancelled, 0 pending");

    const status = await cli.run(["status", batchId, "--json", ...at]);
    expect(status.code).toBe(0);
    expect(jsonLines(status.stdout)).toEqual([
      expect.objectContaining({
        batchId,
        name: "steps",
        status: "completed",
        counts: { total: 30, pending: 0, succeeded: 27, failed: 3, cancelled: 0 },
      }),
    ]);
    // The CLI's JSON is the library's view, as JSON.stringify gives it.
    const library = new Client({ baseUrl: emu.url, apiKey });
    const view = JSON.parse(JSON.stringify(await library.batch.get(batchId)));
    library.close();
    expect(jsonLines(status.stdout)).toEqual([view]);

    const out = cli.path("steps-results.jsonl");
    const results = await cli.run(["results", batchId, "--out", out, "--page-size", "7", ...at]);
    expect(results.code).toBe(3);
    expect(results.stdout).toBe(`wrote 30 results (3 failed) to ${out}\n`);
    expect(idsOf(readFileSync(out, "utf8")).sort()).toEqual(
      chatLines(30, "s")
        .map((_, i) => `s${i}`)
        .sort(),
    );

    const failedOnly = await cli.run(["results", batchId, "--failed-only", ...at]);
    expect(idsOf(failedOnly.stdout).sort()).toEqual(["s0", "s10", "s20"]);
    expect(jsonLines(failedOnly.stdout)[0]).toMatchObject({ error: { code: 3, message: expect.stringContaining("[fail]") } });

    const listed = await cli.run(["list", "--json", ...at]);
    expect(listed.code).toBe(0);
    expect(jsonLines(listed.stdout).map((b) => b.batchId)).toContain(batchId);

    const cancelled = await cli.run(["cancel", batchId, ...at]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/state\s+cancelled/);
    expect(cancelled.stdout).toContain("27 succeeded"); // finished results are kept
    const afterCancel = await cli.run(["results", batchId, ...at]);
    expect(idsOf(afterCancel.stdout)).toHaveLength(30);
  }, 40_000);
});

describe("results --join", () => {
  it("writes each input row beside its result, in input order, with null for a row without one", async () => {
    const emu = await cli.emulator();
    const sent = [chatLine("x", "first"), chatLine(undefined, "second"), chatLine("z", "third [fail]")];
    const batchId = await batchOf(emu, sent);
    // A row that was never sent has no result.
    const joinInput = file("join.jsonl", [...sent, chatLine("never", "sent")]);
    const out = cli.path("joined.jsonl");
    const done = await cli.run(["results", batchId, "--join", joinInput, "--out", out, ...cli.at(emu)]);
    expect(done.code).toBe(3);
    const rows = jsonLines(readFileSync(out, "utf8")) as {
      request: { id?: string; messages: { content: string }[] };
      result: { batchRequestId: string; error?: unknown } | null;
    }[];
    expect(rows.map((r) => r.request.messages[0]!.content)).toEqual(["first", "second", "third [fail]", "sent"]);
    expect(rows.map((r) => r.result?.batchRequestId ?? null)).toEqual(["x", expect.stringMatching(/^auto-/), "z", null]);
    expect(rows[2]!.result?.error).toBeDefined();

    const failed = await cli.run(["results", batchId, "--join", joinInput, "--failed-only", ...cli.at(emu)]);
    expect(jsonLines(failed.stdout).map((r) => (r.request as { id: string }).id)).toEqual(["z"]);
  }, 20_000);
});

describe("retry-failed", () => {
  it("puts the failed and cancelled requests into a new batch under their ids, from the service or the input file", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 0 } });
    const at = cli.at(emu);
    const input = file("retry.jsonl", chatLines(12, "q", { fail: 4 }));
    const pending = await batchOf(emu, chatLines(1), "nothing");
    const early = await cli.run(["retry-failed", pending, ...at]);
    expect(early.code).toBe(2); // refused until the batch is done or cancelled
    expect(early.stderr).toContain(`batch ${pending} still has 1 pending requests`);
    // Processing is paused, so cancelling leaves every request cancelled: all of them are to retry.
    const batchId = await batchOf(emu, chatLines(12, "q", { fail: 4 }), "cancel");

    const idFile = cli.path("retry-id.txt");
    const fromService = await cli.run(["retry-failed", batchId, "--out", idFile, ...at]);
    expect(fromService.code).toBe(0);
    const retryId = fromService.stdout.trim();
    expect(readFileSync(idFile, "utf8").trim()).toBe(retryId);
    expect(emu.requestIds(retryId).sort()).toEqual(
      chatLines(12, "q")
        .map((_, i) => `q${i}`)
        .sort(),
    );

    // Run again with the same --out: it continues with that batch and adds nothing twice.
    const again = await cli.run(["retry-failed", batchId, "--out", idFile, ...at]);
    expect(again.stdout.trim()).toBe(retryId);
    expect(emu.requestIds(retryId)).toHaveLength(12);

    const fetched = emu.counters().calls.GetBatchRequestResult;
    const fromFile = await cli.run(["retry-failed", batchId, "--input", input, "--json", ...at]);
    expect(fromFile.code).toBe(0);
    const [summary] = jsonLines(fromFile.stdout);
    expect(summary).toMatchObject({ type: "retry", sourceBatchId: batchId, requests: 12, missing: 0 });
    expect(emu.requestIds(summary!.batchId as string).sort()).toEqual(emu.requestIds(retryId).sort());
    expect(emu.counters().calls.GetBatchRequestResult).toBe(fetched); // the --input run fetched none
  }, 30_000);

  it("leaves the successes where they are and retries only the failures", async () => {
    const emu = await cli.emulator();
    const input = file("retry-done.jsonl", chatLines(10, "d", { fail: 5 }));
    const ran = await cli.run([
      "run",
      input,
      "--out",
      cli.path("retry-done-out.jsonl"),
      "--json",
      "--poll-interval-ms",
      "50",
      ...cli.at(emu),
    ]);
    expect(ran.code).toBe(3);
    const sourceId = jsonLines(ran.stdout)[0]!.batchId as string;
    const retried = await cli.run(["retry-failed", sourceId, "--input", input, ...cli.at(emu)]);
    expect(retried.code).toBe(0);
    expect(emu.requestIds(retried.stdout.trim()).sort()).toEqual(["d0", "d5"]);
    expect(emu.requestIds(sourceId)).toHaveLength(10);
  }, 20_000);
});
