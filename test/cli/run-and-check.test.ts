import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Client, user } from "../../src/index.js";
import { apiKey, batchOf, chatLine, chatLines, jsonLines, idsOf, useCli } from "./helpers.js";

// The whole job in one command, the dry run, and what bad input files get.
const cli = useCli();
const file = cli.file.bind(cli);

describe("run", () => {
  it("creates, adds, waits and writes the results, skipping bad lines, with a summary and exit 3", async () => {
    const emu = await cli.emulator();
    const lines = [
      chatLine("a", "hello"),
      JSON.stringify({ batchRequestId: "img", imageRequest: { model: "grok-imagine-image", prompt: "a fox" } }),
      "{not json",
      chatLine("b", "please [fail]"),
      chatLine(undefined, "no id here"),
      '{"id":"c","model":"grok-4","messages":[{"role":"user","content":"x"}],"max_tokens":"many"}',
    ];
    const input = file("run.jsonl", lines);
    const out = cli.path("run-results.jsonl");
    const done = await cli.run(["run", input, "--out", out, "--poll-interval-ms", "50", ...cli.at(emu)]);
    expect(done.code).toBe(3);
    expect(done.stderr).toContain(`${input}:3: not valid JSON`);
    expect(done.stderr).toContain(`${input}:6: (id "c") cannot decode field xai_api.GetCompletionsRequest.max_tokens`);
    expect(done.stdout).toMatch(
      /^batch batch_\S+ completed in \d+s\n {2}succeeded {2}3\n {2}failed {5}1 \(re-run them: xai-batch retry-failed batch_\S+\)\n {2}bad lines {2}2 \(not sent; see above\)\n {2}cost {7}\$0\.07\d+\n {2}results {4}.*run-results\.jsonl \(4 lines\)\n$/,
    );
    const ids = idsOf(readFileSync(out, "utf8"));
    expect(ids).toHaveLength(4);
    expect(ids).toEqual(expect.arrayContaining(["a", "img", "b"]));
    expect(() => readFileSync(`${out}.checkpoint`)).toThrow(/ENOENT/);
  }, 20_000);

  it("with --json, prints one summary object on stdout", async () => {
    const emu = await cli.emulator();
    const input = file("run-json.jsonl", chatLines(5));
    const done = await cli.run([
      "run",
      input,
      "--out",
      cli.path("run-json-out.jsonl"),
      "--json",
      "--poll-interval-ms",
      "50",
      ...cli.at(emu),
    ]);
    expect(done.code).toBe(0);
    expect(jsonLines(done.stdout)).toEqual([
      expect.objectContaining({
        type: "run",
        state: "completed",
        results: 5,
        succeeded: 5,
        failed: 0,
        badLines: 0,
        costUsdTicks: expect.any(Number),
        costUsd: expect.any(Number),
      }),
    ]);
    // With --json, stderr too is JSON: notes and progress lines are objects.
    for (const line of done.stderr.trim().split("\n")) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  }, 20_000);

  it("with --strict, stops at the first bad line before creating anything", async () => {
    const emu = await cli.emulator();
    const input = file("strict.jsonl", [...chatLines(3), '{"id":"x","model":"grok-4"}', ...chatLines(3, "t")]);
    const done = await cli.run(["run", input, "--out", cli.path("strict-out.jsonl"), "--strict", ...cli.at(emu)]);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(`${input}:4: (id "x") is none of the request shapes`);
    expect(done.stderr).toContain("--strict stops at the first bad line; nothing was sent");
    expect(emu.counters().batchesCreated).toBe(0);
  });
});

describe("check", () => {
  it("lists every bad line and plans the calls, sending nothing and needing no key", async () => {
    const input = file("check.jsonl", [
      chatLine("a", "x"),
      chatLine("a", "y"),
      chatLine("b", "z", "grok-9"),
      "[]",
      chatLine(undefined, "auto"),
    ]);
    const done = await cli.run(["check", input], { XAI_API_KEY: undefined });
    expect(done.code).toBe(2);
    expect(done.stdout).toContain(`${input}:2: (id "a") repeats an id used earlier in this add`);
    expect(done.stdout).toContain(`${input}:3: (id "b") \`model\` asks for "grok-9"`);
    expect(done.stdout).toContain(`${input}:4: expected a JSON object, got an array`);
    expect(done.stdout).toContain("5 lines, 2 valid requests, 3 bad lines");
    expect(done.stdout).toContain("1 given, 1 derived from content");
    expect(done.stdout).toContain("1 AddBatchRequests call of at most 25,000,000 bytes");

    const json = await cli.run(["check", input, "--json", "--models", "grok-4,grok-9", "--requests-per-call", "1"]);
    const records = jsonLines(json.stdout);
    expect(records.filter((r) => r.type === "bad_line").map((r) => r.line)).toEqual([2, 4]);
    expect(records.at(-1)).toMatchObject({ type: "check", requests: 3, badLines: 2, calls: 3, models: { "grok-4": 2, "grok-9": 1 } });
  });

  it("accepts a clean file with a BOM and CRLF line endings", async () => {
    const input = cli.path("bom.jsonl");
    writeFileSync(input, `\uFEFF${chatLines(3).join("\r\n")}\r\n\r\n`);
    const done = await cli.run(["check", input]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("4 lines, 3 valid requests, 0 bad lines");
  });

  it("names a line too large to send", async () => {
    const input = file("huge.jsonl", [chatLine("small", "x"), chatLine("huge", "y".repeat(26_000_000))]);
    const done = await cli.run(["check", input]);
    expect(done.code).toBe(2);
    expect(done.stdout).toMatch(
      new RegExp(`${input}:2: \\(id "huge"\\) encodes to 260000\\d\\d bytes; one AddBatchRequests call may carry at most 25000000 bytes`),
    );
  }, 20_000);
});

describe("bad input to add", () => {
  it("refuses an empty file and a missing one with exit 2, sending nothing", async () => {
    const emu = await cli.emulator();
    const empty = file("empty.jsonl", []);
    const a = await cli.run(["add", "batch_x", empty, ...cli.at(emu)]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`xai-batch add: ${empty} has no requests: it is empty.`);
    const b = await cli.run(["add", "batch_x", cli.path("nope.jsonl"), ...cli.at(emu)]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`cannot read ${cli.path("nope.jsonl")}: no such file`);
    expect(emu.counters().calls.AddBatchRequests).toBe(0);
  });

  it("adds the good lines of a file with bad ones, reports each by number, and exits 3", async () => {
    const emu = await cli.emulator();
    const input = cli.path("mixed.jsonl");
    writeFileSync(input, `\uFEFF${chatLine("a", "x")}\r\n{"id":\r\n\r\n${chatLine("b", "y")}\r\n"just a string"\r\n${chatLine("c", "z")}`);
    const batchId = await batchOf(emu, [], "nothing");
    const done = await cli.run(["add", batchId, input, ...cli.at(emu)]);
    expect(done.code).toBe(3);
    expect(done.stderr).toContain(`${input}:2: not valid JSON`);
    expect(done.stderr).toContain(`${input}:5: expected a JSON object, got a string`);
    expect(done.stdout).toBe(`added 3 requests to ${batchId}; 2 bad lines skipped\n`);
    expect(emu.requestIds(batchId)).toEqual(["a", "b", "c"]);
  });

  it("gives rows without ids the same ids as the library's add, so either can resume the other", async () => {
    const emu = await cli.emulator();
    const input = file("noids.jsonl", [chatLine(undefined, "one"), chatLine(undefined, "two"), chatLine(undefined, "one")]);
    const viaCli = await batchOf(emu, [], "nothing");
    expect((await cli.run(["add", viaCli, input, ...cli.at(emu)])).code).toBe(0);
    const client = new Client({ baseUrl: emu.url, apiKey });
    try {
      const viaLibrary = (await client.batch.create("b")).batchId;
      await client.batch.add(
        viaLibrary,
        ["one", "two", "one"].map((text) => client.chat.create("grok-4").append(user(text))),
      );
      expect(emu.requestIds(viaCli)).toEqual(emu.requestIds(viaLibrary));
    } finally {
      client.close();
    }
  });
});

describe("endless input", () => {
  // /dev/zero is one line that never ends: reading it must stay interruptible, and its first line
  // must be refused as soon as it is too long to be a request, not when (never) it ends.
  it.each([
    ["check", "SIGINT"],
    ["check", "SIGTERM"],
    ["add", "SIGINT"],
  ] as const)(
    "%s /dev/zero stops at the first %s, having named line 1 as too long",
    async (command, signal) => {
      const emu = await cli.emulator();
      const args = command === "check" ? ["check", "/dev/zero"] : ["add", "batch_none", "/dev/zero", ...cli.at(emu)];
      const running = cli.start(args);
      // check lists bad lines on stdout; add reports them on stderr.
      const said = () => running.stdout() + running.stderr();
      await running.says("/dev/zero:1:");
      expect(said()).toMatch(/\/dev\/zero:1: .*the line is over \d+ bytes long/);
      // One signal ends it: a reader that did not heed it would read on until the test's timeout.
      running.child.kill(signal);
      const done = await running.finished;
      expect(done.code).toBe(130);
    },
    20_000,
  );

  it("run --strict /dev/zero stops at its first line, by itself, before creating anything", async () => {
    const emu = await cli.emulator();
    // Were it to read on, it would read /dev/zero until the test's timeout.
    const done = await cli.run(["run", "--strict", "/dev/zero", "--out", cli.path("zero-out.jsonl"), ...cli.at(emu)]);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/\/dev\/zero:1: the line is over \d+ bytes long/);
    expect(emu.counters().batchesCreated).toBe(0);
  }, 20_000);
});
