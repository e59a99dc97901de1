import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleLines } from "../../scripts/make-sample.js";
import { jsonLines, root, useCli } from "./helpers.js";

// The programs in examples/, run as a user runs them, against the emulator.
const cli = useCli();

describe("examples", () => {
  it("submit-stream, wait-with-progress and results-to-jsonl: submit, watch, download", async () => {
    const emu = await cli.emulator();
    const submitted = await cli.runExample("submit-stream", ["--count", "250"], emu);
    expect(submitted.stderr).toBe("");
    expect(submitted.code).toBe(0);
    const batchId = /^batch (\S+)$/m.exec(submitted.stdout)?.[1];
    expect(batchId).toBeDefined();
    expect(submitted.stdout).toContain("done: 250 added, 0 were already there");

    const waited = await cli.runExample("wait-with-progress", [batchId!], emu);
    expect(waited.code).toBe(0);
    expect(waited.stdout).toMatch(/completed: 250 succeeded, 0 failed, 0 cancelled; cost \$\d+\.\d{6}/);
    expect(waited.stdout).toMatch(/^\{"batchId":"batch_[^"]+","name":"[^"]*","status":"completed"/m);

    const out = cli.path("example-results.jsonl");
    const downloaded = await cli.runExample("results-to-jsonl", [batchId!, out], emu);
    expect(downloaded.code).toBe(0);
    expect(new Set(jsonLines(readFileSync(out, "utf8")).map((r) => r.batchRequestId)).size).toBe(250);
  }, 30_000);

  it("add-jsonl: hands a file's lines to add, every form, skipping what it cannot send", async () => {
    const emu = await cli.emulator();
    const done = await cli.runExample("add-jsonl", ["examples/openai-batch.jsonl"], emu);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('skipped request #2 (req-3): url "/v1/embeddings" is not covered');
    expect(done.stdout).toMatch(/batch batch_\S+: 3 added, 0 already there, 1 invalid/);
  }, 20_000);

  it("interceptors: a log line for every call the client makes", async () => {
    const emu = await cli.emulator();
    const done = await cli.runExample("interceptors", [], emu);
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    const lines = done.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.replace(/ in \d+ ms$/, ""));
    expect(lines[0]).toBe("CreateBatch ok");
    // The add's model check reads the team's live list once, three listings side by side.
    expect(new Set(lines.slice(1, 4))).toEqual(
      new Set(["ListLanguageModels ok", "ListImageGenerationModels ok", "ListEmbeddingModels ok"]),
    );
    expect(lines.slice(4)).toEqual(["GetBatch ok", "AddBatchRequests ok", "GetBatch ok"]);
  }, 20_000);

  it("walkthrough: every step of the guide", async () => {
    const emu = await cli.emulator();
    const done = await cli.runExample("walkthrough", [], emu);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("capital_uk: echo: What is the capital of the UK?");
    expect(done.stdout).toContain("capital_uk asked grok-4, ok: true");
    expect(done.stdout).toContain("listed: true");
  }, 20_000);
});

describe("npm start (examples/main-job.ts)", () => {
  it("runs the bundled sample on an embedded emulator, writes the results and sums up", async () => {
    const emu = await cli.emulator(); // unused by the job, which embeds its own; runExample needs one
    const out = cli.path("main-job.jsonl");
    const done = await cli.runExample("main-job", ["--out", out], emu);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/batch batch_\S+ completed in \d+s\n {2}succeeded {2}2,9\d\d\n {2}failed {5}\d\d /);
    expect(done.stdout).toMatch(/cost {7}\$\d+\.\d\d\n/);
    expect(done.stderr).toContain("The failures are on purpose");
    expect(done.stderr).toContain("The emulator stopped with this job");
    const ids = jsonLines(readFileSync(out, "utf8")).map((r) => r.batchRequestId);
    expect(new Set(ids).size).toBe(3_000);
  }, 60_000);

  it("uses the committed sample, which is what scripts/make-sample.ts writes", () => {
    const path = join(root, "examples/requests.jsonl");
    expect(readFileSync(path, "utf8")).toBe(`${sampleLines().join("\n")}\n`);
    expect(statSync(path).size).toBeLessThan(1_500_000);
    const rows = sampleLines().map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const key of ["messages", "completionRequest", "imageRequest", "videoRequest", "videoExtensionRequest"]) {
      expect(
        rows.some((r) => key in r),
        key,
      ).toBe(true);
    }
    expect(rows.some((r) => !("id" in r) && !("batchRequestId" in r))).toBe(true);
    expect(rows.filter((r) => JSON.stringify(r).includes("[fail]")).length).toBeGreaterThan(10);
  });
});
