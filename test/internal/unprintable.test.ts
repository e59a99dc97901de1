import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { unprintable } from "../../src/core/internal/unprintable.js";

describe("unprintable", () => {
  const secret = "xai-MARKER-0123456789";
  const context = () =>
    unprintable({ headers: new Headers({ authorization: `Bearer ${secret}` }), secrets: [secret], timeoutMs: 5 }, "CallContext");

  it("prints and serialises as its name, however it is reached", () => {
    const holder = { name: "resource", ctx: context() };
    for (const form of [inspect(holder, { depth: Infinity, showHidden: true }), JSON.stringify(holder), inspect(context())]) {
      expect(form).not.toContain(secret);
      expect(form).toContain("CallContext [redacted]");
    }
  });

  it("changes nothing else: fields read as before, and a spread copy for one call keeps them", () => {
    const ctx = context();
    expect(ctx.headers.get("authorization")).toBe(`Bearer ${secret}`);
    expect(Object.keys(ctx)).toEqual(["headers", "secrets", "timeoutMs"]);
    expect({ ...ctx, timeoutMs: 1 }).toMatchObject({ secrets: [secret], timeoutMs: 1 });
  });
});
