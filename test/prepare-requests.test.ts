import { describe, expect, it } from "vitest";
import { InputError, prepareRequests, type AddInput, type PreparedRequest } from "../src/index.js";

const chat = (id: string | undefined, text: string, model = "grok-4") => ({
  ...(id === undefined ? {} : { id }),
  model,
  messages: [{ role: "user", content: text }],
});

async function all(inputs: AddInput[], options: Parameters<typeof prepareRequests>[1] = {}): Promise<PreparedRequest[]> {
  const out: PreparedRequest[] = [];
  for await (const r of prepareRequests(inputs, options)) out.push(r);
  return out;
}

describe("prepareRequests: add's front end as a dry run", () => {
  it("gives own ids, content ids the same in every run, sizes and planned calls", async () => {
    const inputs = [chat("a", "one"), chat(undefined, "two"), chat(undefined, "two"), chat("d", "four")];
    const first = await all(inputs, { maxRequestsPerCall: 3 });
    const again = await all(inputs, { maxRequestsPerCall: 3 });
    expect(first.map((r) => r.batchRequestId)).toEqual(again.map((r) => r.batchRequestId));
    expect(first.map((r) => [r.index, r.autoId, r.call])).toEqual([
      [0, false, 0],
      [1, true, 0],
      [2, true, 0],
      [3, false, 1],
    ]);
    expect(first[1]!.batchRequestId).toMatch(/^auto-/);
    expect(first[2]!.batchRequestId).toBe(`${first[1]!.batchRequestId}-2`);
    expect(first.every((r) => r.encodedBytes > 0 && r.request.batchRequestId === r.batchRequestId)).toBe(true);
  });

  it("refuses an unknown model or an oversize request, or skips it on request", async () => {
    await expect(all([chat("x", "hi", "grok-9")])).rejects.toThrow(InputError);
    const refused: InputError[] = [];
    const kept = await all([chat("x", "hi", "grok-9"), chat("big", "z".repeat(3_000)), chat("ok", "hi")], {
      maxAddBytes: 2_048,
      invalid: "skip",
      onInvalid: (e) => refused.push(e),
    });
    expect(kept.map((r) => r.batchRequestId)).toEqual(["ok"]);
    expect(refused.map((e) => [e.index, e.batchRequestId, e.field])).toEqual([
      [0, "x", "model"],
      [1, "big", undefined],
    ]);
    expect(refused[1]!.reason).toMatch(/encodes to \d+ bytes; one AddBatchRequests call may carry at most 2048 bytes/);
  });
});
