import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChatRequest, InputError, user } from "../../src/index.js";
import { FileLineError, readInputFile } from "../../src/emulator/input-files.js";
import { checkFileLines, writeFileLines } from "../../src/resources/batches/file-lines.js";
import { prepareRequests } from "../../src/resources/batches/prepare.js";

const dir = mkdtempSync(join(tmpdir(), "xai-batch-file-lines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chat = (id: string | undefined, text: string, model = "grok-4") =>
  new ChatRequest(model, id === undefined ? {} : { batchRequestId: id }).append(user(text));
const line = (id: string, model = "grok-4") =>
  JSON.stringify({
    custom_id: id,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model, messages: [{ role: "user", content: "hi" }] },
  });
const file = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
};

describe("writeFileLines", () => {
  it("writes one line of xAI's format per request, with the ids add would give them, and a content digest", async () => {
    const path = join(dir, "out.jsonl");
    const requests = [chat("a", "one"), chat(undefined, "two")];
    const written = await writeFileLines(requests, path, { models: undefined, maxBytes: 1_000_000 });
    const lines = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { custom_id: string; url: string });
    const ids: string[] = [];
    for await (const p of prepareRequests([chat("a", "one"), chat(undefined, "two")], { models: "any" })) ids.push(p.batchRequestId);
    expect(lines.map((l) => l.custom_id)).toEqual(ids);
    expect(lines.every((l) => l.url === "/v1/chat/completions")).toBe(true);
    expect(written).toMatchObject({ requests: 2, bytes: readFileSync(path).length });
    const again = await writeFileLines([chat("a", "one"), chat(undefined, "two")], join(dir, "again.jsonl"), {
      models: undefined,
      maxBytes: 1_000_000,
    });
    expect(again.digest).toBe(written.digest);
  });

  it("refuses, before the file outgrows the limit, and an invalid request by name", async () => {
    const many = Array.from({ length: 100 }, (_, i) => chat(`r${i}`, "x".repeat(100)));
    await expect(writeFileLines(many, join(dir, "big.jsonl"), { models: undefined, maxBytes: 2_000 })).rejects.toThrow(
      /over 2000 bytes, the most xAI accepts/,
    );
    await expect(
      writeFileLines([chat("a", "hi", "grok-nope")], join(dir, "bad.jsonl"), { models: new Set(["grok-4"]), maxBytes: 1e6 }),
    ).rejects.toBeInstanceOf(InputError);
  });
});

describe("checkFileLines", () => {
  it("counts the requests of a good file", async () => {
    expect(await checkFileLines(file("good.jsonl", [line("a"), "", line("b")]), new Set(["grok-4"]))).toBe(2);
  });

  it.each([
    ["broken JSON", ["{oops"], /line 1: not valid JSON/],
    [
      "another format",
      [JSON.stringify({ id: "a", model: "grok-4", messages: [{ role: "user", content: "hi" }] })],
      /line 1: not a batch line/,
    ],
    ["a model the team cannot batch", [line("a"), line("b", "grok-nope")], /line 2: .*grok-nope/],
    ["a repeated custom_id", [line("a"), line("a")], /line 2: repeats the custom_id "a" of line 1/],
    ["no requests", [""], /holds no requests/],
  ])("refuses %s, naming the line", async (_name, lines, message) => {
    const error = await checkFileLines(file("bad.jsonl", lines), new Set(["grok-4"])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });
});

describe("the check before an upload and the emulator's loading", () => {
  it.each([
    ["broken JSON", [line("a"), "{oops"]],
    ["another format", [line("a"), JSON.stringify({ id: "b", model: "grok-4", messages: [{ role: "user", content: "hi" }] })]],
    [
      "a bad parameter",
      [
        line("a"),
        JSON.stringify({
          custom_id: "b",
          method: "POST",
          url: "/v1/chat/completions",
          body: { model: "grok-4", messages: [{ role: "user", content: "hi" }], temperature: "hot" },
        }),
      ],
    ],
    ["a repeated custom_id", [line("a"), "", line("a")]],
  ])("refuse %s on the same line for the same reason", async (_name, lines) => {
    const checked = (await checkFileLines(file("same.jsonl", lines), new Set(["grok-4"])).catch((e: unknown) => e)) as Error;
    let loaded: FileLineError | undefined;
    try {
      readInputFile(`${lines.join("\n")}\n`, new Set(["grok-4"]));
    } catch (error) {
      loaded = error as FileLineError;
    }
    expect(loaded).toBeInstanceOf(FileLineError);
    expect(checked).toBeInstanceOf(InputError);
    expect(checked.message).toContain(`line ${loaded!.line}: ${loaded!.message.replace(/^line \d+: /, "")}`);
  });
});

describe("prepareRequests with fileFormat (xai-batch check --as-file) and the check before an upload", () => {
  it.each([
    ["another format", JSON.stringify({ id: "b", model: "grok-4", messages: [{ role: "user", content: "hi" }] })],
    ["not an object", "[1]"],
    [
      "a bad parameter",
      JSON.stringify({
        custom_id: "b",
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: "grok-4", messages: [{ role: "user", content: "hi" }], temperature: 3 },
      }),
    ],
    ["a model the team cannot batch", line("b", "grok-nope")],
  ])("refuse %s for the same reason", async (_name, bad) => {
    const checked = (await checkFileLines(file("as-file.jsonl", [line("a"), bad]), new Set(["grok-4"])).catch(
      (e: unknown) => e,
    )) as InputError;
    const refused: InputError[] = [];
    const kept: string[] = [];
    for await (const p of prepareRequests([JSON.parse(line("a")), JSON.parse(bad)], {
      models: ["grok-4"],
      fileFormat: true,
      invalid: "skip",
      onInvalid: (e) => refused.push(e),
    }))
      kept.push(p.batchRequestId);
    expect(kept).toEqual(["a"]);
    expect(refused).toHaveLength(1);
    expect(checked.message).toContain(`line 2: ${refused[0]!.reason}`);
  });

  it("takes every shape add takes without it", async () => {
    const compact = { id: "b", model: "grok-4", messages: [{ role: "user", content: "hi" }] };
    const ids: string[] = [];
    for await (const p of prepareRequests([JSON.parse(line("a")), compact], { models: ["grok-4"] })) ids.push(p.batchRequestId);
    expect(ids).toEqual(["a", "b"]);
  });
});
