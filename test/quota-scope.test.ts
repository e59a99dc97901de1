import { ConnectError } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { ApiError, Client, Code, type QuotaLimiter, type QuotaScope } from "../src/index.js";

const apiKey = "xai-scope-secret-1234";
const unpaced: QuotaLimiter = { acquire: async () => ({ release: () => {} }), pause: () => {} };

it("tells a shared limiter the team (a hash of the key, not the key) and the client's rates, and paces through its answer", async () => {
  const scopes: QuotaScope[] = [];
  const kinds: string[] = [];
  const shared: QuotaLimiter = {
    ...unpaced,
    acquire: () => Promise.reject(new Error("the client must pace through the scoped view")),
    forScope: (scope) => {
      scopes.push(scope);
      return {
        acquire: async (kind) => {
          kinds.push(kind);
          return { release: () => {} };
        },
        pause: () => {},
      };
    },
  };
  const client = new Client({
    apiKey,
    baseUrl: "http://127.0.0.1:1",
    quotaLimiter: shared,
    limits: { addCallsPerWindow: 7, addWindowMs: 900, createPerSecond: 4 },
    retry: { maxAttempts: 1 },
  });
  new Client({ apiKey, baseUrl: "http://127.0.0.1:1", quotaLimiter: shared }).close();
  new Client({ apiKey: "another-key", baseUrl: "http://127.0.0.1:1", quotaLimiter: shared }).close();
  await expect(client.batch.create("x")).rejects.toBeInstanceOf(ApiError); // nothing listens there; the permit was asked for
  client.close();
  expect(kinds).toEqual(["create"]);
  expect(scopes[0]!.rates).toEqual({ create: { limit: 1, windowMs: 250 }, add: { limit: 7, windowMs: 900 } });
  expect(scopes[0]!.team).toMatch(/^[0-9a-f]{32}$/);
  expect(scopes[1]!.team).toBe(scopes[0]!.team);
  expect(scopes[2]!.team).not.toBe(scopes[0]!.team);
  expect(JSON.stringify(scopes)).not.toContain(apiKey);
});

it("a limiter's own failure reaches the caller as that failure, not as a deadline error", async () => {
  const failing: QuotaLimiter = {
    ...unpaced,
    acquire: () => Promise.reject(new ConnectError("quota store unreachable", Code.Unavailable)),
  };
  const client = new Client({ apiKey, baseUrl: "http://127.0.0.1:1", quotaLimiter: failing, retry: { maxAttempts: 1 } });
  const error = await client.batch.create("x").catch((e: unknown) => e);
  client.close();
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe(Code.Unavailable);
  expect((error as ApiError).message).toContain("quota store unreachable");
});
