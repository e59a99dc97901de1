import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { Client, InputError, type AddInput, type AddProgress } from "../src/index.js";

// An add from an async iterable against a real server: in what order it reads, how far ahead, and what
// it does with the source when the source fails, a request is invalid, or the add is aborted mid-way.
let emu: Emulator;
let client: Client;

beforeAll(async () => {
  // A little latency per call keeps calls in flight while the source is read on.
  emu = await startEmulator({ limits: { createIntervalMs: 0, addCallsPerWindow: 10_000 }, faults: { latencyMs: 5 } });
  client = new Client({ baseUrl: emu.url, apiKey: "xai-stream-test-key-0123", limits: { addCallsPerWindow: 10_000 } });
});
afterAll(async () => {
  client.close();
  await emu.stop();
});

const perCall = 50;
/** The add reads its input in groups of this many (src/internal/add/plan-calls.ts), so it may read that far beyond a call. */
const readGroup = 256;
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `s${from + i}`);
const line = (id: string): AddInput => ({ id, model: "grok-4", messages: [{ role: "user", content: `question ${id}` }] });

/**
 * Requests s0, s1, ... from an async generator that records how many were taken, whether it was closed
 * (its `finally` runs on `return()`) and, at each progress report, how far reading ran ahead of what is
 * confirmed. `at(i)` may replace request i or throw instead of yielding it.
 */
function source(total: number, at: (i: number) => AddInput | undefined = () => undefined) {
  const seen = { read: 0, closed: false, maxAhead: 0, last: undefined as AddProgress | undefined };
  async function* requests(): AsyncGenerator<AddInput> {
    try {
      for (let i = 0; i < total; i++) {
        const request = at(i) ?? line(`s${i}`);
        seen.read++;
        yield request;
      }
    } finally {
      seen.closed = true;
    }
  }
  const onProgress = (progress: AddProgress) => {
    seen.last = progress;
    seen.maxAhead = Math.max(seen.maxAhead, seen.read - progress.requestsAdded);
  };
  return { requests: requests(), seen, onProgress };
}

describe("add from an async iterable", () => {
  it("adds in the source's order and reads no further ahead than the calls in flight and the one being planned", async () => {
    const { batchId } = await client.batch.create("stream-order");
    const s = source(2_000);
    const result = await client.batch.add(batchId, s.requests, { maxRequestsPerCall: perCall, concurrency: 1, onProgress: s.onProgress });
    expect(result).toMatchObject({ requestsRead: 2_000, requestsAdded: 2_000, calls: 2_000 / perCall });
    expect(emu.requestIds(batchId)).toEqual(ids(2_000));
    expect(s.seen.read).toBe(2_000);
    // One call in flight, one being planned (and the request that did not fit it), the rest of a group.
    expect(s.seen.maxAhead).toBeLessThanOrEqual(2 * perCall + readGroup);
  });

  it("with calls in flight together, still reads no further ahead than they allow", async () => {
    const { batchId } = await client.batch.create("stream-ahead");
    const s = source(3_000);
    const concurrency = 3;
    const result = await client.batch.add(batchId, s.requests, { maxRequestsPerCall: perCall, concurrency, onProgress: s.onProgress });
    expect(result.requestsAdded).toBe(3_000);
    expect(emu.requestIds(batchId).sort()).toEqual(ids(3_000).sort());
    expect(s.seen.maxAhead).toBeLessThanOrEqual((concurrency + 1) * perCall + readGroup);
  });

  it("a source that throws mid-way: the add rejects with the source's own error once the calls it started are done, and a re-run adds the rest once", async () => {
    const { batchId } = await client.batch.create("stream-throws");
    const broken = new Error("the queue went away");
    const s = source(3_000, (i) => {
      if (i === 1_234) throw broken;
      return undefined;
    });
    const error = await client.batch
      .add(batchId, s.requests, { maxRequestsPerCall: perCall, concurrency: 3, onProgress: s.onProgress })
      .catch((e: unknown) => e);
    expect(error).toBe(broken);
    // Every call the add started had ended before it rejected: the batch holds exactly what it confirmed.
    const held = emu.requestIds(batchId);
    expect(held.length).toBe(s.seen.last?.requestsAdded ?? 0);
    expect(held.length).toBeGreaterThan(0);
    expect(new Set(held).size).toBe(held.length);
    for (const id of held) expect(Number(id.slice(1))).toBeLessThan(1_234);

    const rerun = await client.batch.add(batchId, ids(3_000).map(line), { maxRequestsPerCall: perCall });
    expect(rerun).toMatchObject({ alreadyPresent: held.length, requestsAdded: 3_000 - held.length });
    expect(emu.requestIds(batchId).sort()).toEqual(ids(3_000).sort());
  });

  it("an invalid request mid-stream stops the add with its InputError and closes the source", async () => {
    const { batchId } = await client.batch.create("stream-invalid");
    const s = source(3_000, (i) => (i === 700 ? { id: "bad", model: "grok-9", messages: [{ role: "user", content: "Hi" }] } : undefined));
    const error = (await client.batch
      .add(batchId, s.requests, { maxRequestsPerCall: perCall, concurrency: 2 })
      .catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ index: 700, batchRequestId: "bad" });
    expect(s.seen.closed).toBe(true);
    expect(s.seen.read).toBeLessThan(3_000);
    for (const id of emu.requestIds(batchId)) expect(Number(id.slice(1))).toBeLessThan(700);
  });

  it("aborted mid-way: rejects with CANCELED in the signal's reason's words, stops reading within the bound and closes the source", async () => {
    const { batchId } = await client.batch.create("stream-abort");
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const s = source(100_000);
    const concurrency = 2;
    const error = await client.batch
      .add(batchId, s.requests, {
        maxRequestsPerCall: perCall,
        concurrency,
        signal: controller.signal,
        onProgress: (progress) => {
          s.onProgress(progress);
          if (progress.calls === 3) controller.abort(reason);
        },
      })
      .catch((e: unknown) => e);
    // One answer wherever the abort lands (a call in flight, planning, the source): CANCELED in the reason's words.
    expect(error).toMatchObject({
      name: "ApiError",
      code: Code.Canceled,
      rawMessage: expect.stringMatching(/^shutting down \(the add stopped after CANCELED/),
    });
    expect(s.seen.closed).toBe(true);
    const held = emu.requestIds(batchId).length;
    expect(held).toBeGreaterThanOrEqual(3 * perCall);
    // Besides what landed: the calls in flight at the abort, the one planned after them, a group.
    expect(s.seen.read - held).toBeLessThanOrEqual((concurrency + 1) * perCall + readGroup);
  });
});
