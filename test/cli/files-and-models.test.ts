import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Client } from "../../src/index.js";
import { chatLine, chatLines, idsOf, useCli } from "./helpers.js";

const cli = useCli();

it("uploads a file, lists, shows, downloads and deletes it", async () => {
  const emu = await cli.emulator();
  const path = cli.file("input.jsonl", [
    '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"grok-4","messages":[{"role":"user","content":"hi"}]}}',
  ]);
  const uploaded = await cli.run(["upload", path, "--name", "my-input.jsonl", "--expires-after", "3600", ...cli.at(emu)]);
  expect(uploaded.code).toBe(0);
  const id = /^(file_\S+)\s+my-input\.jsonl\s+[\d,]+ bytes\s+expires /.exec(uploaded.stdout)?.[1];
  expect(id, uploaded.stdout + uploaded.stderr).toBeDefined();

  const listed = await cli.run(["files", "list", "--json", ...cli.at(emu)]);
  expect(listed.code).toBe(0);
  expect(
    listed.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; filename: string }),
  ).toEqual([expect.objectContaining({ id, filename: "my-input.jsonl" })]);
  expect((await cli.run(["files", "get", id!, ...cli.at(emu)])).stdout).toContain(id!);

  const out = cli.path("copy.jsonl");
  const downloaded = await cli.run(["files", "download", id!, out, ...cli.at(emu)]);
  expect(downloaded.code).toBe(0);
  expect(readFileSync(out, "utf8")).toBe(readFileSync(path, "utf8"));

  expect((await cli.run(["files", "rm", id!, ...cli.at(emu)])).stdout).toBe(`deleted ${id}\n`);
  const gone = await cli.run(["files", "get", id!, ...cli.at(emu)]);
  expect(gone.code).toBe(4); // refused as it stands: re-running cannot bring the file back
  expect(gone.stderr).toMatch(/not_found/);
});

it("lists the team's models, and says which the Batch API is known to refuse", async () => {
  const emu = await cli.emulator({ models: ["grok-4.20", "grok-imagine-image"], modelAliases: { "grok-4.20": ["grok-4.20-latest"] } });
  const models = await cli.run(["models", ...cli.at(emu)]);
  expect(models.code).toBe(0);
  expect(models.stdout).toBe("grok-4.20  language  (also: grok-4.20-latest)\ngrok-imagine-image  image\n");
  expect((await cli.run(["models", "--help"])).stdout).toContain("grok-code-fast-1");
});

it("refuses an unknown files subcommand with the list of them", async () => {
  const result = await cli.run(["files", "ls"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('unknown subcommand "ls"');
  expect(result.stderr).toContain("download FILE_ID OUT");
});

it("serve --models sets the emulator's models and aliases, as `models` then lists them", async () => {
  const served = cli.start(["serve", "--port", "0", "--models", "grok-9=grok-9-latest|grok-9-beta,grok-imagine-image"]);
  const listening = /listening on (http:\/\/\S+)\n/;
  await Promise.race([
    served.says(listening),
    served.finished.then((f) => {
      throw new Error(`serve exited: ${f.stderr}`);
    }),
  ]);
  const url = listening.exec(served.stdout())![1]!;
  const models = await cli.run(["models", "--base-url", url]);
  expect(models.stdout).toBe("grok-9  language  (also: grok-9-latest, grok-9-beta)\ngrok-imagine-image  image\n");
  served.child.kill("SIGTERM");
  expect((await served.finished).code).toBe(0);
});

it("check --as-file refuses, by line, what an uploaded batch file may not hold, before anything is uploaded", async () => {
  const good =
    '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"grok-4","messages":[{"role":"user","content":"hi"}]}}';
  const compact = '{"id":"b","model":"grok-4","messages":[{"role":"user","content":"hi"}]}';
  const path = cli.file("as-file.jsonl", [good, compact]);
  const asFile = await cli.run(["check", "--as-file", path]);
  expect(asFile.code).toBe(2);
  expect(asFile.stdout).toContain("as-file.jsonl:2: not a batch line");
  // Without it, both forms are requests add takes.
  expect((await cli.run(["check", path])).code).toBe(0);
});

it.each([
  ["a repeated custom_id", { custom_id: "a" }],
  ["no custom_id", { custom_id: undefined }],
  ["a custom_id that is not a string", { custom_id: 7 }],
  ["an endpoint batches do not serve", { url: "/v1/nowhere" }],
  ["a method other than POST", { method: "GET" }],
  ["no body", { body: undefined }],
  ["a model batches do not serve", { body: { model: "grok-nope", messages: [{ role: "user", content: "hi" }] } }],
])("check --as-file refuses %s on the line where the service would cancel the batch over it", async (_kind, change) => {
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({
      custom_id: "a",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "grok-4", messages: [{ role: "user", content: "hi" }] },
      ...fields,
    });
  const path = cli.file("disagree.jsonl", [line({}), line({ custom_id: "b", ...change })]);
  const checked = await cli.run(["check", "--as-file", path]);
  expect(checked.code, checked.stdout).toBe(2);
  expect(checked.stdout).toMatch(/disagree\.jsonl:2: /);
  // The same file, uploaded unchecked, is cancelled by the emulator (xAI's stand-in) over the same line.
  const emu = await cli.emulator({ fileLoadDelayMs: 10 });
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  try {
    const batch = await client.batch.createFromFile("unchecked", path, { check: false });
    const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 });
    expect(done.status).toBe("cancelled");
    expect(done.cancelByXaiMessage).toMatch(/^JSONL file validation failed: line 2: /);
  } finally {
    client.close();
  }
});

describe("run --via", () => {
  it("file: uploads each batch's requests as one file, spends no add call, and writes every result", async () => {
    const emu = await cli.emulator({ fileLoadDelayMs: 20, processing: { requestsPerSecond: 5_000 } });
    const input = cli.file("via-file.jsonl", chatLines(250));
    const out = cli.path("via-file-results.jsonl");
    const done = await cli.run([
      "run",
      input,
      "--out",
      out,
      "--via",
      "file",
      "--max-per-batch",
      "100",
      "--poll-interval-ms",
      "20",
      ...cli.at(emu),
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/from the uploaded file file_\S+ \(100 requests\)/);
    expect(emu.counters().calls.AddBatchRequests ?? 0).toBe(0);
    expect(emu.counters().batchesCreated).toBe(3);
    expect(new Set(idsOf(readFileSync(out, "utf8"))).size).toBe(250);
  }, 30_000);

  it("auto: add for an input that fits one add call, and it says why", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 5_000 } });
    const done = await cli.run([
      "run",
      cli.file("auto.jsonl", chatLines(10)),
      "--out",
      cli.path("auto-results.jsonl"),
      "--via",
      "auto",
      "--poll-interval-ms",
      "20",
      ...cli.at(emu),
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/Via add: [\d,]+ bytes of input fit in one add call/);
    expect(emu.counters().calls.AddBatchRequests).toBeGreaterThan(0);
  }, 30_000);

  it("auto: file for an input larger than one add call, and it says why", async () => {
    const emu = await cli.emulator({ processing: { requestsPerSecond: 5_000 } });
    // 130 lines of ~200 KB: just over 25 MB, the size of one full add call.
    const lines = Array.from({ length: 130 }, (_, i) => chatLine(`big${i}`, `${i} `.padEnd(200_000, "x")));
    const done = await cli.run([
      "run",
      cli.file("auto-big.jsonl", lines),
      "--out",
      cli.path("auto-big-results.jsonl"),
      "--via",
      "auto",
      "--poll-interval-ms",
      "20",
      ...cli.at(emu),
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/Via file: [\d,]+ bytes of input would take several add calls/);
    expect(emu.counters().calls.AddBatchRequests ?? 0).toBe(0);
    expect(new Set(idsOf(readFileSync(cli.path("auto-big-results.jsonl"), "utf8"))).size).toBe(130);
  }, 60_000);

  it("refuses an unknown way", async () => {
    const done = await cli.run(["run", cli.file("x.jsonl", chatLines(1)), "--out", cli.path("x-results.jsonl"), "--via", "carrier-pigeon"]);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain('--via expects add, file or auto, got "carrier-pigeon"');
  });
});
