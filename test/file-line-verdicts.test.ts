import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { fromBinary, toBinary, toJson } from "@bufbuild/protobuf";
import { BatchRequestSchema } from "../src/core/internal/wire.js";
import { Client, InputError, assistant, image, system, tool, user } from "../src/index.js";

// The library checks a batch file before it uploads it; the emulator, xAI's stand-in, reads the uploaded
// file its own way (from the protos, sharing no request code with the library). Fed the same files, they
// must refuse the same lines, or one of them is wrong about xAI's contract (the wire README and the protos).

const dir = mkdtempSync(join(tmpdir(), "xai-batch-verdicts-"));
let emu: Emulator;
let client: Client;
beforeAll(async () => {
  emu = await startEmulator({ limits: { createIntervalMs: 0 }, fileLoadDelayMs: 10, processing: { requestsPerSecond: 5_000 } });
  // One file batch per case: the emulator takes creations at any pace, so the client need not pace them.
  client = new Client({ baseUrl: emu.url, apiKey: "xai-verdicts-key-0123456789", limits: { createPerSecond: 1_000 } });
});
afterAll(async () => {
  client.close();
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

const hi = { role: "user", content: "hi" };
const body = (fields: Record<string, unknown> = {}) => ({ model: "grok-4", messages: [hi], ...fields });
/** A file of a good line, then line 2 as given. */
const lineTwo = (fields: Record<string, unknown>) => {
  const line = (more: Record<string, unknown>) =>
    JSON.stringify({ custom_id: "a", method: "POST", url: "/v1/chat/completions", body: body(), ...more });
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(path, `${line({})}\n${line({ custom_id: "b", ...fields })}\n`);
  return path;
};

/** The line the library's check refuses, or "passes". */
async function libraryVerdict(path: string): Promise<number | "passes"> {
  const error = await client.batch.createFromFile("checked", path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return "passes";
  expect(error).toBeInstanceOf(InputError);
  return Number(/ line (\d+): /.exec((error as Error).message)?.[1]);
}

/** The line the emulator cancels the batch over, or "runs" when it runs the file. */
async function emulatorVerdict(path: string): Promise<number | "runs"> {
  const batch = await client.batch.createFromFile("unchecked", path, { check: false });
  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 });
  if (done.status === "completed") return "runs";
  expect(done.status).toBe("cancelled");
  return Number(/^JSONL file validation failed: line (\d+): /.exec(done.cancelByXaiMessage ?? "")?.[1]);
}

type Case = [kind: string, line: Record<string, unknown>];

/** Bodies xAI refuses, and both refuse. (check --as-file and the emulator agree on the envelope: test/cli/files-and-models.test.ts.) */
const refused: Case[] = [
  ["a body field chat completions do not have", { body: body({ stream: true }) }],
  ["a parameter of the wrong type", { body: body({ temperature: "hot" }) }],
  ["a role messages do not have", { body: body({ messages: [{ role: "robot", content: "hi" }] }) }],
  ["no messages", { body: body({ messages: [] }) }],
  ["both max_tokens and max_completion_tokens", { body: body({ max_tokens: 5, max_completion_tokens: 5 }) }],
  ["a tool_choice that is no mode", { body: body({ tool_choice: "sometimes" }) }],
  ["a response format of no type", { body: body({ response_format: { type: "xml" } }) }],
  ["a content part of no kind", { body: body({ messages: [{ role: "user", content: [{ type: "audio", audio: {} }] }] }) }],
  ["an image edit url, which the emulator does not load", { url: "/v1/images/edits" }],
];

/**
 * Lines xAI refuses that the library's check lets through today: each test below fails until the check
 * refuses its line, and then passes, to be moved into `refused`.
 */
const libraryMisses: Case[] = [
  ["a line without a method", { method: undefined }],
  ["a response_format that is a bare string", { body: body({ response_format: "json_object" }) }],
  [
    "an image part whose image_url is a bare string",
    { body: body({ messages: [{ role: "user", content: [{ type: "image_url", image_url: "https://x.test/a.png" }] }] }) },
  ],
  ["a content part that is a bare string", { body: body({ messages: [{ role: "user", content: ["hi"] }] }) }],
  ["a reasoning_effort given as the proto's enum name", { body: body({ reasoning_effort: "EFFORT_LOW" }) }],
  ["function parameters given as JSON text", { body: body({ tools: [{ type: "function", function: { name: "f", parameters: "{}" } }] }) }],
];

/** Bodies xAI runs, in the shapes its REST bodies take, and both take. */
const taken: Case[] = [
  [
    "every chat parameter the library writes",
    {
      body: body({
        messages: [
          { role: "developer", content: "Answer in JSON." },
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "https://x.test/a.png", detail: "high" } },
            ],
          },
        ],
        max_completion_tokens: 50,
        temperature: 0.5,
        top_p: 0.9,
        n: 1,
        seed: 7,
        stop: "END",
        reasoning_effort: "low",
        tools: [{ type: "function", function: { name: "lookup", description: "find", parameters: { type: "object", properties: {} } } }],
        tool_choice: { type: "function", function: { name: "lookup" } },
        response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } },
      }),
    },
  ],
];

/** Bodies xAI runs (fields of its chat request) that the library's check refuses today: as `libraryMisses`. */
const libraryRefusesValid: Case[] = [
  ["a tool result message", { body: body({ messages: [hi, { role: "tool", tool_call_id: "call_1", content: "42" }] }) }],
  ["search_parameters", { body: body({ search_parameters: { mode: "auto", sources: [{ type: "web", country: "US" }] } }) }],
];

describe("a line xAI cancels the batch over", () => {
  it.each([...refused, ...libraryMisses])("the emulator cancels a file over %s, naming its line", async (_kind, line) => {
    expect(await emulatorVerdict(lineTwo(line))).toBe(2);
  });

  it.each(refused)("the library's check refuses %s on the same line", async (_kind, line) => {
    expect(await libraryVerdict(lineTwo(line))).toBe(2);
  });

  it.fails.each(libraryMisses)("the library's check refuses %s on the same line", async (_kind, line) => {
    expect(await libraryVerdict(lineTwo(line))).toBe(2);
  });
});

describe("a line xAI runs", () => {
  it.each([...taken, ...libraryRefusesValid])("the emulator runs a file with %s", async (_kind, line) => {
    expect(await emulatorVerdict(lineTwo(line))).toBe("runs");
  });

  it.each(taken)("the library's check passes %s", async (_kind, line) => {
    expect(await libraryVerdict(lineTwo(line))).toBe("passes");
  });

  it.fails.each(libraryRefusesValid)("the library's check passes %s", async (_kind, line) => {
    expect(await libraryVerdict(lineTwo(line))).toBe("passes");
  });
});

describe("a file the library writes", () => {
  it("is read by the emulator as the very requests the library built", async () => {
    const chat = client.chat
      .create("grok-4", {
        batchRequestId: "w",
        maxTokens: 50,
        temperature: 0.3,
        topP: 0.9,
        n: 2,
        seed: 7,
        stop: ["END", "STOP"],
        logprobs: true,
        topLogprobs: 3,
        frequencyPenalty: 0.1,
        presencePenalty: -0.2,
        reasoningEffort: "high",
        parallelToolCalls: false,
        user: "u-1",
        tools: [
          tool({
            name: "lookup",
            description: "find",
            parameters: { type: "object", properties: { q: { type: "string" } } },
            strict: true,
          }),
        ],
        toolChoice: { functionName: "lookup" },
        responseFormat: { jsonSchema: { type: "object" } },
      })
      .append(
        system("Be brief."),
        user("What is this?", image("https://x.test/a.png", { detail: "low" })),
        assistant("A cat."),
        user("Sure?"),
      );
    const { batch } = await client.batch.submit("written", [chat], { via: "file" });
    expect((await client.batch.wait(batch.batchId, { pollIntervalMs: 20, totalTimeoutMs: 10_000 })).status).toBe("completed");
    const read = await client.batch.getBatchRequestResult(batch.batchId, "w");
    // As the wire carries it: float parameters are float32 there, as in the file.
    const sent = fromBinary(BatchRequestSchema, toBinary(BatchRequestSchema, chat.toBatchRequest()));
    expect(read.request).toEqual(toJson(BatchRequestSchema, sent));
  });
});
