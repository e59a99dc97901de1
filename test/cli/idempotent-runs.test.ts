import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { batchOf, chatLines, idsOf, jsonLines, useCli } from "./helpers.js";

// A pipeline that re-runs a finished step must never create, or pay for, a batch twice.
const cli = useCli();

function manifestOf(out: string): { phase: string; batches: { batchId: string }[]; fingerprint: string } {
  return JSON.parse(readFileSync(`${out}.run.json`, "utf8")) as { phase: string; batches: { batchId: string }[]; fingerprint: string };
}

describe("run, re-run", () => {
  it("a finished run re-run re-reports and creates nothing; without its results file it downloads them again; --new starts over", async () => {
    const emu = await cli.emulator();
    const input = cli.file("again.jsonl", chatLines(20, "a", { fail: 10 }));
    const out = cli.path("again-out.jsonl");
    const args = ["run", input, "--out", out, "--poll-interval-ms", "50", ...cli.at(emu)];
    const first = await cli.run(args);
    expect(first.code).toBe(3);
    expect(manifestOf(out)).toMatchObject({ phase: "done", fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const results = readFileSync(out, "utf8");
    const calls = { ...emu.counters().calls };

    const second = await cli.run(args);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain("This run is done");
    expect(second.stdout).toBe(first.stdout.replace(/in \d+s/, second.stdout.match(/in \d+s/)![0]));
    expect(emu.counters().batchesCreated).toBe(1);
    expect(emu.counters().calls.CreateBatch).toBe(calls.CreateBatch);
    expect(emu.counters().calls.AddBatchRequests).toBe(calls.AddBatchRequests);
    expect(emu.counters().calls.ListBatchResults).toBe(calls.ListBatchResults);

    rmSync(out);
    const third = await cli.run(args);
    expect(third.code).toBe(3);
    expect(third.stderr).toContain("downloading the results again");
    expect(emu.counters().batchesCreated).toBe(1);
    expect(emu.counters().calls.AddBatchRequests).toBe(calls.AddBatchRequests);
    expect(idsOf(readFileSync(out, "utf8")).sort()).toEqual(idsOf(results).sort());

    const fresh = await cli.run([...args, "--new", "--json"]);
    expect(fresh.code).toBe(3);
    expect(emu.counters().batchesCreated).toBe(2);
    expect(manifestOf(out).batches[0]!.batchId).toBe(jsonLines(fresh.stdout)[0]!.batchId);
  }, 60_000);

  it("refuses to reuse a manifest for a changed input, naming --new, and sends nothing", async () => {
    const emu = await cli.emulator();
    const input = cli.file("changed.jsonl", chatLines(3));
    const out = cli.path("changed-out.jsonl");
    const args = ["run", input, "--out", out, "--poll-interval-ms", "50", ...cli.at(emu)];
    expect((await cli.run(args)).code).toBe(0);
    writeFileSync(input, `${chatLines(4).join("\n")}\n`);
    const refused = await cli.run(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/changed\.jsonl has changed since .*Pass --new to start a fresh run/);
    expect(emu.counters().batchesCreated).toBe(1);
  }, 30_000);
});

describe("retry-failed, twice", () => {
  it("makes one batch: the second run finds the batch it recorded and adds nothing", async () => {
    const emu = await cli.emulator();
    const batchId = await batchOf(emu, chatLines(6, "f", { fail: 2 }));
    const first = await cli.run(["retry-failed", batchId, ...cli.at(emu)]);
    expect(first.code).toBe(0);
    const second = await cli.run(["retry-failed", batchId, ...cli.at(emu)]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toContain("creating nothing");
    expect(emu.counters().batchesCreated).toBe(2); // the source batch and one retry batch
    expect(emu.requestIds(first.stdout.trim()).sort()).toEqual(["f0", "f2", "f4"]);
  }, 30_000);
});

describe("run, sharded", () => {
  it("splits 250,000 requests into 3 batches of at most 100,000 and writes one complete results file", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 1_000_000 }, limits: { addWindowMs: 300 } });
    const count = 250_000;
    const lines = Array.from({ length: count }, (_, i) => `{"id":"${i}","model":"grok-4","messages":[{"role":"user","content":"q"}]}`);
    const input = cli.file("sharded.jsonl", lines);
    const out = cli.path("sharded-out.jsonl");
    const done = await cli.run([
      "run",
      input,
      "--out",
      out,
      "--max-per-batch",
      "100000",
      "--json",
      "--poll-interval-ms",
      "100",
      ...cli.at(emu),
    ]);
    expect(done.code, done.stderr.slice(-2000)).toBe(0);
    expect(emu.counters().batchesCreated).toBe(3);
    const [summary] = jsonLines(done.stdout);
    expect(summary).toMatchObject({ type: "run", results: count, succeeded: count, failed: 0 });
    const batchIds = summary!.batchIds as string[];
    expect(batchIds).toHaveLength(3);
    expect(batchIds.map((id) => emu.requestIds(id).length)).toEqual([100_000, 100_000, 50_000]);
    const ids = idsOf(readFileSync(out, "utf8"));
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(manifestOf(out)).toMatchObject({ phase: "done", batches: batchIds.map((batchId) => ({ batchId, added: true })) });
    // ~15 s alone; over 45 s at a load of 9. The bound is for a hang, not a speed target.
  }, 90_000);
});

describe("run, sharded, resumed", () => {
  it("a run stopped after its first batch was filled skips that stretch, finishes the second batch and creates only the third", async () => {
    const emu = await cli.emulator();
    const input = cli.file("shard-resume.jsonl", chatLines(25, "s"));
    const out = cli.path("shard-resume-out.jsonl");
    const args = ["run", input, "--out", out, "--max-per-batch", "10", "--poll-interval-ms", "50", ...cli.at(emu)];
    expect((await cli.run(args)).code).toBe(0);
    const finished = manifestOf(out);
    expect(finished.batches).toHaveLength(3);
    // As a crash leaves it mid-add: batch 1 filled, batch 2 created (and filled, unconfirmed), batch 3 not yet created.
    const [first, second] = finished.batches;
    writeFileSync(
      `${out}.run.json`,
      JSON.stringify({ ...finished, phase: "adding", done: undefined, batches: [first, { batchId: second!.batchId, added: false }] }),
    );
    rmSync(out);
    const calls = emu.counters().calls.AddBatchRequests!;

    const resumed = await cli.run(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`Continuing batch ${second!.batchId}: adding what is missing.`);
    expect(emu.counters().batchesCreated).toBe(4); // 3, and one new third batch
    expect(emu.counters().calls.AddBatchRequests).toBe(calls + 1); // only the new third batch's call; batch 2 held all its ids
    expect(emu.requestIds(first!.batchId)).toHaveLength(10);
    expect(emu.requestIds(second!.batchId)).toHaveLength(10);
    const ids = idsOf(readFileSync(out, "utf8"));
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
  }, 30_000);
});
