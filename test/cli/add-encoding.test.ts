import { toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { defaultBatchModels } from "../../src/core/batch-models.js";
import { decodeStoredRequest } from "../../src/emulator/encoded.js";
import { Journal } from "../../src/emulator/journal.js";
import type { StoreEvent } from "../../src/emulator/store.js";
import { RequestEncoder } from "../../src/internal/wire/encoded-request.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { BatchRequestSchema } from "../../src/core/internal/wire.js";
import { batchOf, useCli } from "./helpers.js";

const cli = useCli();

// Lines the chat encoder writes itself, and lines it leaves to the normaliser (an image part, a
// converted enum, a message name, a bad parameter), each form of line among them.
const rows: object[] = [
  {
    id: "c1",
    model: "grok-4",
    messages: [
      { role: "system", content: "Be brief" },
      { role: "user", content: "Hi 😀 é \u0000" },
    ],
    max_tokens: 50,
    temperature: 0.7,
    stop: "END",
  },
  { model: "grok-4", messages: [{ role: "user", content: [{ type: "text", text: "no id" }, "second part"] }], seed: -3, top_p: 1 },
  { model: "grok-4", messages: [{ role: "user", content: [{ type: "text", text: "no id" }, "second part"] }], seed: -3, top_p: 1 },
  {
    custom_id: "o1",
    method: "POST",
    url: "/v1/chat/completions",
    body: {
      model: "grok-3",
      messages: [
        { role: "developer", content: "" },
        { role: "user", content: "x".repeat(300) },
      ],
      max_completion_tokens: 2_147_483_647,
      n: 2,
      user: "u-1",
    },
  },
  {
    batchRequestId: "p1",
    completionRequest: {
      model: "grok-4",
      messages: [{ role: "ROLE_USER", content: [{ text: "proto json" }] }],
      maxTokens: 5,
      frequencyPenalty: -2,
      presence_penalty: 0,
    },
  },
  {
    id: "i1",
    model: "grok-4",
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] }],
  },
  { id: "e1", model: "grok-4", messages: [{ role: "user", content: "think" }], reasoning_effort: "low" },
  { id: "n1", model: "grok-4", messages: [{ role: "user", content: "named", name: "ann" }] },
  { id: "bad", model: "grok-4", messages: [{ role: "user", content: "hot" }], temperature: 3 },
  { id: "m1", model: "grok-4", messages: [{ role: "user", content: "a string number" }], max_tokens: "7" },
];

/** The requests an emulator's journal says it stored, in order, re-encoded. */
function storedRequests(journalPath: string, batchId: string): Uint8Array[] {
  const events: StoreEvent[] = [];
  const { journal } = Journal.open(journalPath, { sync: false, onEvent: (event) => events.push(event), onRepair: () => {} });
  journal.close();
  return events.flatMap((event) =>
    event.type === "requestsAdded" && event.batchId === batchId
      ? event.requests.map((r) => toBinary(BatchRequestSchema, decodeStoredRequest(r.bytes)))
      : [],
  );
}

describe("xai-batch add", () => {
  // XAI_BATCH_FAST_PATH=off: the general path alone (src/internal/wire/fast-path.ts), to the same bytes.
  it.each([
    { fastPath: undefined, as: "unset" },
    { fastPath: "off", as: "off" },
  ])(
    "stores the same requests, with the same ids, as the normaliser and toBinary alone would send (XAI_BATCH_FAST_PATH $as)",
    async ({ fastPath, as }) => {
      const journalPath = cli.path(`journal-${as}`);
      const emu = await cli.emulator({ persistPath: journalPath, processing: { requestsPerSecond: 0 } });
      const batchId = await batchOf(emu, [], "nothing");
      const file = cli.file(
        "mixed.jsonl",
        rows.map((row) => JSON.stringify(row)),
      );
      const added = await cli.run(["add", batchId, file, ...cli.at(emu)], { XAI_BATCH_FAST_PATH: fastPath });
      await emu.stop();

      const refused: string[] = [];
      const models = new Set(defaultBatchModels);
      const before = new RequestEncoder(
        (input, index) => toBatchRequest(input, index, models),
        true,
        (error) => refused.push(error.batchRequestId ?? ""),
      );
      const expected = before.encodeMany(JSON.parse(JSON.stringify(rows)) as unknown[], 0);
      expect(refused).toEqual(["bad"]);
      expect(added.stderr).toContain(`${file}:9: (id "bad") Expected \`temperature\` to be a number from 0 to 2, got 3.`);
      expect(added.stdout).toMatch(new RegExp(`^added ${expected.length} requests to ${batchId}`));
      const stored = storedRequests(journalPath, batchId);
      expect(stored.map((bytes) => Buffer.from(bytes).toString("hex"))).toEqual(expected.map((r) => Buffer.from(r.bytes).toString("hex")));
    },
    30_000,
  );
});
