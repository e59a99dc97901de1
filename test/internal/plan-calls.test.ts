import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { BatchRequestSchema } from "../../src/core/internal/wire.js";
import { planCalls, type PlanSettings } from "../../src/internal/add/plan-calls.js";
import { PresentIds } from "../../src/internal/add/present-ids.js";
import { ChatEncoder } from "../../src/internal/wire/chat-encoder.js";
import { ChatRequest } from "../../src/requests/chat.js";
import { builtRequest } from "../../src/requests/internal/built-request.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { user } from "../../src/requests/messages.js";

// What planning makes of an input, with the encoder and normaliser the client uses: which requests go
// into which calls, which are left out and how each is reported. One row per situation, each read as an
// array and as a stream.

const models = new Set(["grok-4"]);
const chat = (id: string, model = "grok-4", text = `q ${id}`) => new ChatRequest(model, { batchRequestId: id }).append(user(text));

interface Row {
  situation: string;
  input: ChatRequest[];
  settings?: Partial<Pick<PlanSettings, "maxAddBytes" | "oversize">>;
  /** The add's `invalid` option; "skip" gives planning an onInvalid. */
  invalidOption?: "error" | "skip";
  /** Ids the batch already holds. */
  held?: string[];
  /** The ids of each call planned, in order. */
  calls: string[][];
  /** The counts planning moved. */
  counts?: Partial<Record<"requestsRead" | "skipped" | "invalid" | "alreadyPresent", number>>;
  /** Ids reported to onInvalid / onSkip. */
  invalid?: string[];
  skipped?: string[];
  /** The InputError planning stops with, matched against its message. */
  error?: RegExp;
}

const rows: Row[] = [
  {
    situation: "packs requests into calls in input order, within the count limit",
    input: ["r0", "r1", "r2", "r3", "r4"].map((id) => chat(id)),
    calls: [["r0", "r1"], ["r2", "r3"], ["r4"]],
    counts: { requestsRead: 5 },
  },
  {
    situation: 'an invalid request, invalid: "skip": reported to onInvalid and counted, the rest planned',
    input: [chat("r0"), chat("r1", "grok-0"), chat("r2")],
    invalidOption: "skip",
    calls: [["r0", "r2"]],
    counts: { requestsRead: 3, invalid: 1 },
    invalid: ["r1"],
  },
  {
    situation: 'an invalid request, invalid: "error": stops with its InputError before any call',
    input: [chat("r0"), chat("r1", "grok-0"), chat("r2")],
    calls: [],
    error: /^request #1 \(id "r1"\) `model`: asks for "grok-0"/,
  },
  {
    situation: 'a request too large for any call, oversize: "skip": reported to onSkip and counted, the rest planned',
    input: [chat("r0"), chat("r1", "grok-4", "x".repeat(200)), chat("r2")],
    settings: { maxAddBytes: 150, oversize: "skip" },
    calls: [["r0", "r2"]],
    counts: { requestsRead: 3, skipped: 1 },
    skipped: ["r1"],
  },
  {
    situation: 'a request too large for any call, oversize: "error": stops with an InputError naming the limit before any call',
    input: [chat("r0"), chat("r1", "grok-4", "x".repeat(200)), chat("r2")],
    settings: { maxAddBytes: 150 },
    calls: [],
    error: /^request #1 \(id "r1"\): encodes to \d+ bytes; one AddBatchRequests call may carry at most 150 bytes/,
  },
  {
    situation: "ids the batch already holds are left out and counted as already there",
    input: ["r0", "r1", "r2", "r3"].map((id) => chat(id)),
    held: ["r1", "r2"],
    calls: [["r0", "r3"]],
    counts: { requestsRead: 4, alreadyPresent: 2 },
  },
];

async function* streamOf<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

describe.each([
  ["an array", (input: ChatRequest[]) => input],
  ["a stream", (input: ChatRequest[]) => streamOf(input)],
])("planCalls, reading %s", (_form, form) => {
  it.each(rows.map((row) => [row.situation, row] as const))("%s", async (_situation, row) => {
    const invalid: string[] = [];
    const skipped: string[] = [];
    const settings: PlanSettings = {
      maxAddBytes: 25_000_000,
      maxRequestsPerCall: 2,
      autoIds: true,
      oversize: "error",
      toRequest: (input, index) => toBatchRequest(input, index, models),
      chatEncoder: new ChatEncoder(models, builtRequest),
      onInvalid: row.invalidOption === "skip" ? (error) => invalid.push(error.batchRequestId!) : undefined,
      onSkip: (s) => skipped.push(s.batchRequestId!),
      ...row.settings,
    };
    const present = new PresentIds(async () => ({ ids: row.held ?? [], nextToken: undefined }));
    await present.refresh(0);
    const progress = { requestsRead: 0, skipped: 0, invalid: 0, alreadyPresent: 0 };
    // The add looks at the batch (to skip what it holds) before the first call is planned.
    let checked = false;
    let plannedUnchecked = false;
    const calls: string[][] = [];
    let error: unknown;
    try {
      for await (const call of planCalls("b", form(row.input), settings, progress, present, async () => {
        checked = true;
      })) {
        plannedUnchecked ||= !checked;
        calls.push(call.requests.map((r) => fromBinary(BatchRequestSchema, r.bytes).batchRequestId!));
      }
    } catch (e) {
      error = e;
    }
    expect(calls).toEqual(row.calls);
    expect(plannedUnchecked).toBe(false);
    expect(progress).toMatchObject(row.counts ?? {});
    expect(invalid).toEqual(row.invalid ?? []);
    expect(skipped).toEqual(row.skipped ?? []);
    if (row.error === undefined) {
      expect(error).toBeUndefined();
    } else {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(row.error);
    }
  });
});
