import { describe, expect, it } from "vitest";
import { PageTokens, type PageScope } from "../../src/emulator/page-tokens.js";

const scope: PageScope = { team: "team:a", rpc: "ListBatchResults", batchId: "batch_1", filter: "" };
const tokens = new PageTokens(Buffer.alloc(32, 7));

describe("PageTokens", () => {
  it("reads back the sequence it issued", () => {
    for (const seq of [0, 1, 99, 123_456]) expect(tokens.read(scope, tokens.issue(scope, seq))).toBe(seq);
  });

  it.each([
    ["another team", { ...scope, team: "team:b" }],
    ["another RPC", { ...scope, rpc: "ListBatchRequestMetadata" }],
    ["another batch", { ...scope, batchId: "batch_2" }],
    ["another filter", { ...scope, filter: "1" }],
  ])("refuses a token used for %s", (_, other) => {
    expect(tokens.read(other, tokens.issue(scope, 5))).toBeUndefined();
  });

  it("refuses a token of another secret", () => {
    expect(tokens.read(scope, new PageTokens(Buffer.alloc(32, 8)).issue(scope, 5))).toBeUndefined();
  });

  it("refuses forged and corrupted tokens", () => {
    const token = tokens.issue(scope, 5);
    const [, mac] = token.split(".");
    const forged = `${Buffer.from("500").toString("base64url")}.${mac}`;
    const flipped = token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);
    for (const bad of [forged, flipped, "", ".", "abc", `${token}.x`, token.slice(0, 10), `${token}=`, "-1.AAAA"]) {
      expect(tokens.read(scope, bad), bad).toBeUndefined();
    }
  });
});
