import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resultLine } from "../../src/cli/commands/results.js";
import { Client } from "../../src/index.js";
import { apiKey, batchOf, chatLines, fileSays, jsonLines, useCli } from "./helpers.js";

// Interruptions and crashes, and the re-run that finishes the job without doing anything twice.
const cli = useCli();

function input(name: string, count: number): string {
  return cli.file(name, chatLines(count));
}

function expectEachIdOnce(jsonl: string, count: number): void {
  const ids = jsonLines(jsonl).map((r) => r.batchRequestId as string);
  expect(ids).toHaveLength(count);
  expect(new Set(ids).size).toBe(count);
}

describe("add", () => {
  it("stops cleanly on Ctrl-C, says how far it got, and a re-run adds only the rest: each request once", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 0 }, faults: { latencyMs: 150 } });
    const file = input("sigint.jsonl", 200);
    const batchId = await batchOf(emu, [], "nothing");
    const adding = cli.start(["add", batchId, file, "--requests-per-call", "10", "--concurrency", "1", ...cli.at(emu)]);
    await emu.waitFor((c) => c.requestsApplied >= 30);
    adding.child.kill("SIGINT");
    const stopped = await adding.finished;
    expect(stopped.code).toBe(130);
    const confirmed = Number(
      /xai-batch add: interrupted\. Before stopping, (\d+) requests went into batch \S+ \(0 already there\)/.exec(stopped.stderr)?.[1],
    );
    expect(confirmed).toBeGreaterThan(0);
    expect(stopped.stderr).toContain("Run the same command again to add the rest: requests are added by id, so none is added twice.");

    const resumed = await cli.run(["add", batchId, file, ...cli.at(emu)]);
    expect(resumed.code).toBe(0);
    // The call in flight at Ctrl-C may have landed after the process ended: the re-run finds it there.
    const [, added, present] = /^added (\d+) requests to \S+ \((\d+) were there already\)\n$/.exec(resumed.stdout) ?? [];
    expect(Number(present)).toBeGreaterThanOrEqual(confirmed);
    expect(Number(present)).toBeLessThan(200);
    expect(Number(added) + Number(present)).toBe(200);
    const ids = emu.requestIds(batchId);
    expect(ids).toHaveLength(200);
    expect(new Set(ids)).toEqual(new Set(chatLines(200).map((_, i) => `r${i}`)));
  }, 30_000);
});

describe("run", () => {
  it("re-run after Ctrl-C continues with the same batch instead of creating another", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 40 } });
    const file = input("run-resume.jsonl", 60);
    const out = cli.path("run-resume-out.jsonl");
    const running = cli.start(["run", file, "--out", out, "--poll-interval-ms", "50", ...cli.at(emu)]);
    await fileSays(`${out}.run.json`, (text) => (JSON.parse(text) as { phase: string }).phase !== "adding");
    running.child.kill("SIGINT");
    const stopped = await running.finished;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/keeps processing\. Run the same command again to continue with it\./);

    const resumed = await cli.run(["run", file, "--out", out, "--poll-interval-ms", "50", ...cli.at(emu)]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/Continuing the run recorded in \S+\.run\.json \((processing|downloading), 1 batch\)/);
    expect(emu.counters().batchesCreated).toBe(1);
    expectEachIdOnce(readFileSync(out, "utf8"), 60);
    expect((JSON.parse(readFileSync(`${out}.run.json`, "utf8")) as { phase: string }).phase).toBe("done");
  }, 30_000);
});

describe("run killed mid-add", () => {
  it("SIGKILLed while adding, the same command again adds only what is missing and writes every result once", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 20_000 }, faults: { latencyMs: 100 } });
    const file = input("killed-run.jsonl", 5_000);
    const out = cli.path("killed-run-out.jsonl");
    const args = ["run", file, "--out", out, "--requests-per-call", "100", "--poll-interval-ms", "50", ...cli.at(emu)];
    const running = cli.start(args);
    // The run records its batch before adding to it.
    await emu.waitFor((c) => c.requestsApplied >= 600);
    running.child.kill("SIGKILL");
    await running.finished;
    const { batchId } = (JSON.parse(readFileSync(`${out}.run.json`, "utf8")) as { batches: { batchId: string }[] }).batches[0]!;
    const landed = emu.requestIds(batchId).length;
    expect(landed).toBeLessThan(5_000);

    const resumed = await cli.run(args);
    expect(resumed.code).toBe(0);
    expect(emu.counters().batchesCreated).toBe(1);
    // By the emulator's records: each request applied once, none refused as a duplicate.
    expect(emu.counters().requestsApplied).toBe(5_000);
    expect(emu.counters().rejections.duplicate).toBe(0);
    expectEachIdOnce(readFileSync(out, "utf8"), 5_000);
  }, 60_000);
});

describe("results", () => {
  it("killed after some pages, resumes from its checkpoint and writes each result once", async () => {
    const emu = await cli.emulator();
    const batchId = await batchOf(emu, chatLines(60));
    emu.setFaults({ latencyMs: 150 });
    const out = cli.path("killed.jsonl");
    const downloading = cli.start(["results", batchId, "--out", out, "--page-size", "5", ...cli.at(emu)]);
    await fileSays(`${out}.checkpoint`);
    downloading.child.kill("SIGKILL");
    await downloading.finished;
    expect(readFileSync(out, "utf8").trim().split("\n").length).toBeLessThan(60);
    emu.setFaults({ latencyMs: 0 });

    const resumed = await cli.run(["results", batchId, "--out", out, "--page-size", "5", ...cli.at(emu)]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming the download into .* after \d+ results/);
    expectEachIdOnce(readFileSync(out, "utf8"), 60);
    expect(existsSync(`${out}.checkpoint`)).toBe(false);
  }, 30_000);

  it("cuts off a line torn by a crash before continuing", async () => {
    const emu = await cli.emulator();
    const batchId = await batchOf(emu, chatLines(25));
    const client = new Client({ baseUrl: emu.url, apiKey });
    const page = await client.batch.listBatchResults(batchId, { limit: 10 });
    client.close();
    const complete = page.results.map((r) => `${resultLine(r.raw)}\n`).join("");
    const out = cli.path("torn.jsonl");
    writeFileSync(out, `${complete}{"batchRequestId":"r1`);
    const cursor = { paginationToken: page.paginationToken, bytes: Buffer.byteLength(complete), written: 10, failed: 0 };
    writeFileSync(`${out}.checkpoint`, JSON.stringify({ batchId, failedOnly: false, results: cursor }));

    const resumed = await cli.run(["results", batchId, "--out", out, "--page-size", "10", ...cli.at(emu)]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe(`wrote 25 results (0 failed) to ${out}\n`);
    expectEachIdOnce(readFileSync(out, "utf8"), 25);
  });

  it("refuses a checkpoint of another batch", async () => {
    const emu = await cli.emulator();
    const out = cli.path("other.jsonl");
    writeFileSync(`${out}.checkpoint`, JSON.stringify({ batchId: "batch_other" }));
    const batchId = await batchOf(emu, chatLines(1));
    const done = await cli.run(["results", batchId, "--out", out, ...cli.at(emu)]);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(`${out} is being written for batch batch_other`);
  });
});
