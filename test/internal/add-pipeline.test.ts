import { fromBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ChatRequest } from "../../src/requests/chat.js";
import { ApiError } from "../../src/core/errors.js";
import { runAdd, type AddSettings, type AddTransport } from "../../src/internal/add/run-add.js";
import type { CallHooks } from "../../src/internal/call/call.js";
import { user } from "../../src/requests/messages.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { BatchRequestSchema } from "../../src/core/internal/wire.js";

// The add's decisions against a scripted service, one call at a time: what it sends, what it lists,
// what it reports and how it names a give-up. The wire is covered against real servers in test/resilience.

const chat = (id: string) => new ChatRequest("grok-4", { batchRequestId: id }).append(user(`q ${id}`));
const ids = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);

const settings: AddSettings = {
  maxAddBytes: 25_000_000,
  maxRequestsPerCall: 2,
  concurrency: 1,
  autoIds: true,
  oversize: "error",
  toRequest: (input, index) => toBatchRequest(input, index, undefined),
  onInvalid: undefined,
  totalTimeoutMs: undefined,
  notFoundGraceMs: 30_000,
  signal: undefined,
  onProgress: undefined,
  onSkip: undefined,
  roundBackoff: { initialMs: 1, maxMs: 2, multiplier: 2 },
  random: () => 0.5,
};

const failure = (code: Code) => new ApiError({ code, rawMessage: `scripted ${Code[code]}`, method: "AddBatchRequests" });

/**
 * A batch holding `held` ids, listed in pages of 2. `answer` decides each AddBatchRequests call: undefined
 * applies it, an error refuses it, "applied-then-lost" applies it and answers UNAVAILABLE. Like
 * callUnary, it tells the hooks how each attempt ended.
 */
function service(held: string[], answer: (call: number, ids: string[]) => ApiError | "applied-then-lost" | undefined = () => undefined) {
  const batch = [...held];
  const sent: string[][] = [];
  const listed: (string | undefined)[] = [];
  const transport: AddTransport = {
    async send(requests, hooks: CallHooks) {
      const callIds = requests.map((bytes) => fromBinary(BatchRequestSchema, bytes).batchRequestId!);
      sent.push(callIds);
      const outcome = callIds.some((id) => batch.includes(id)) ? failure(Code.AlreadyExists) : answer(sent.length, callIds);
      if (outcome === undefined || outcome === "applied-then-lost") batch.push(...callIds);
      const error = outcome === "applied-then-lost" ? failure(Code.Unavailable) : outcome;
      hooks.onAttempt?.(error);
      if (error !== undefined) throw error;
    },
    countRequests: async () => batch.length,
    async listPage(token) {
      listed.push(token);
      const from = token === undefined ? 0 : Number(token);
      return { ids: batch.slice(from, from + 2), nextToken: from + 2 < batch.length ? String(from + 2) : undefined };
    },
  };
  return { batch, sent, listed, transport };
}

describe("runAdd", () => {
  it("into a fresh batch: sends everything and lists nothing", async () => {
    const s = service([]);
    const result = await runAdd(s.transport, "b", ids(5).map(chat), settings);
    expect(s.sent).toEqual([["r0", "r1"], ["r2", "r3"], ["r4"]]);
    expect(s.listed).toEqual([]);
    expect(result).toMatchObject({ requestsRead: 5, requestsAdded: 5, alreadyPresent: 0, calls: 3, listCalls: 0 });
  });

  it("resumed on a batch that holds some ids: lists it once, sends only what is missing, and says so exactly", async () => {
    const s = service(["r0", "r2", "r3"]);
    const result = await runAdd(s.transport, "b", ids(6).map(chat), settings);
    expect(s.sent).toEqual([["r1", "r4"], ["r5"]]);
    expect(s.listed).toEqual([undefined, "2"]);
    expect(result).toMatchObject({ requestsAdded: 3, alreadyPresent: 3, listCalls: 2 });
    expect(s.batch.sort()).toEqual(ids(6).sort());
  });

  it("a call applied but answered UNAVAILABLE is sent again, and the ALREADY_EXISTS it then gets is confirmed by the listing as this add's", async () => {
    const s = service([], (call) => (call === 2 ? "applied-then-lost" : undefined));
    const result = await runAdd(s.transport, "b", ids(6).map(chat), settings);
    expect(s.sent).toEqual([
      ["r0", "r1"],
      ["r2", "r3"],
      ["r2", "r3"],
      ["r4", "r5"],
    ]);
    expect(result).toMatchObject({ requestsAdded: 6, alreadyPresent: 0, listCalls: 2 });
    expect(s.batch).toHaveLength(6);
  });

  it("a call that failed before applying is simply sent again: no listing", async () => {
    const s = service([], (call) => (call === 1 ? failure(Code.Unavailable) : undefined));
    const result = await runAdd(s.transport, "b", ids(2).map(chat), settings);
    expect(s.sent).toEqual([
      ["r0", "r1"],
      ["r0", "r1"],
    ]);
    expect(result).toMatchObject({ requestsAdded: 2, listCalls: 0 });
  });

  it("gives up after its rounds, naming the streak of failures and what is confirmed", async () => {
    const s = service([], (call) => (call >= 2 ? failure(Code.Unavailable) : undefined));
    const error = (await runAdd(s.transport, "b", ids(4).map(chat), settings).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.attempts).toBe(8);
    expect(error.rawMessage).toBe(
      "scripted Unavailable (the add stopped after UNAVAILABLE on 8 attempts in a row; 2 requests are confirmed in batch b: 2 added by this add, 0 there before. Running the same add again sends only the rest.)",
    );
  });

  it("a refusal that names its own cause is the cause, whatever failed before it", async () => {
    const s = service([], (call) => (call === 1 ? failure(Code.Unavailable) : failure(Code.FailedPrecondition)));
    const error = (await runAdd(s.transport, "b", ids(2).map(chat), settings).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/^scripted FailedPrecondition \(the add stopped after FAILED_PRECONDITION on 1 attempt; 0 requests/);
  });

  it("an ALREADY_EXISTS no listing explains reads the listing from the start, and in the end says so", async () => {
    const s = service([], () => failure(Code.AlreadyExists));
    const error = (await runAdd(s.transport, "b", ids(2).map(chat), settings).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.rawMessage).toMatch(/read from the start after each refusal, shows none of the 2 ids still refused/);
    expect(s.sent).toHaveLength(8);
  });
});

describe("runAdd's memory bound", () => {
  /** A service whose calls end when the test says; it tells each call, when asked, that its request was written. */
  function gated(reportsWrites: boolean) {
    const open: { ids: string[]; bytes: number; hooks: CallHooks; end: () => void }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let bytesInFlight = 0;
    let maxBytes = 0;
    const transport: AddTransport = {
      reportsWrites,
      send(requests, hooks) {
        const bytes = requests.reduce((sum, r) => sum + r.length, 0);
        inFlight++;
        bytesInFlight += bytes;
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxBytes = Math.max(maxBytes, bytesInFlight);
        return new Promise<void>((resolve) => {
          open.push({
            ids: requests.map((r) => fromBinary(BatchRequestSchema, r).batchRequestId!),
            bytes,
            hooks,
            end: () => {
              inFlight--;
              bytesInFlight -= bytes;
              hooks.onAttempt?.(undefined);
              resolve();
            },
          });
        });
      },
      countRequests: async () => 0,
      listPage: async () => ({ ids: [], nextToken: undefined }),
    };
    return { open, transport, stats: () => ({ maxInFlight, maxBytes }) };
  }
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  // Each request encodes to 23 bytes: calls of 4 under 100 bytes (with the envelope), two full calls in 200.
  const bounded = { ...settings, maxAddBytes: 100, maxRequestsPerCall: Number.POSITIVE_INFINITY, concurrency: 4, maxBytesInFlight: 200 };

  /** Ends the open calls one by one (telling each it was written) until the add is done. */
  async function drain(s: ReturnType<typeof gated>, adding: Promise<unknown>): Promise<void> {
    let done = false;
    void adding.finally(() => (done = true));
    while (!done) {
      await turn();
      const call = s.open.shift();
      call?.hooks.onSent?.();
      call?.end();
    }
  }

  it.each([
    [100, 1],
    [200, 2],
    [250, 2],
    [10_000, 4],
  ])(
    "with maxBytesInFlight %i keeps %i calls in flight: the next is planned only when a full call fits beside them",
    async (maxBytesInFlight, calls) => {
      const s = gated(false);
      const adding = runAdd(s.transport, "b", ids(40).map(chat), { ...bounded, maxBytesInFlight });
      await drain(s, adding);
      expect((await adding).requestsAdded).toBe(40);
      expect(s.stats().maxInFlight).toBe(calls);
      if (calls < bounded.concurrency) expect(s.stats().maxBytes).toBeLessThanOrEqual(maxBytesInFlight);
    },
  );

  it("on a connection that reports writes, sends the next call once the last one is written, not before", async () => {
    const s = gated(true);
    const adding = runAdd(s.transport, "b", ids(12).map(chat), { ...bounded, maxBytesInFlight: 10_000 });
    await turn();
    await turn();
    expect(s.open).toHaveLength(1); // the second call is planned, and waits for the first one's write
    s.open[0]!.hooks.onSent!();
    await turn();
    await turn();
    expect(s.open).toHaveLength(2); // in flight together: one answered while the other is written
    s.open[1]!.hooks.onSent!();
    await turn();
    await turn();
    expect(s.open).toHaveLength(3);
    for (const call of s.open.slice(2)) call.hooks.onSent!();
    await drain(s, adding);
    expect((await adding).requestsAdded).toBe(12);
  });
});
