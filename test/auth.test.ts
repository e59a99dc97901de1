import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { API_KEY_ENV } from "../src/core/auth.js";
import { ApiKey } from "../src/core/internal/api-key.js";
import { InputError } from "../src/core/errors.js";

const key = "xai-Zk3v9Q0aT7pL2mN8";

describe("ApiKey.resolve", () => {
  it("uses the explicit key over the environment", () => {
    expect(ApiKey.resolve(key, { [API_KEY_ENV]: "xai-from-env" }).authorization()).toBe(`Bearer ${key}`);
  });

  it("reads XAI_API_KEY when no key is given", () => {
    expect(API_KEY_ENV).toBe("XAI_API_KEY");
    expect(ApiKey.resolve(undefined, { XAI_API_KEY: key }).authorization()).toBe(`Bearer ${key}`);
  });

  it.each([
    ["no key anywhere", undefined, {}],
    ["an empty variable", undefined, { XAI_API_KEY: "" }],
    ["a blank explicit key", "  \n", { XAI_API_KEY: key }],
  ])("refuses %s, saying how to provide one", (_name, explicit, env) => {
    expect(() => ApiKey.resolve(explicit, env)).toThrow(InputError);
    expect(() => ApiKey.resolve(explicit, env)).toThrow(/`apiKey`.*XAI_API_KEY environment variable/);
  });

  it.each([`${key}\n`, `${key}\r\n`, `  ${key}  `])(
    "trims surrounding whitespace such as a trailing newline from a key file (%j)",
    (raw) => {
      expect(ApiKey.resolve(undefined, { XAI_API_KEY: raw }).authorization()).toBe(`Bearer ${key}`);
    },
  );

  it.each([
    ["inner space", `xai-abc def`, "`apiKey`"],
    ["inner newline", `xai-abc\ndef`, "`apiKey`"],
    ["control character", `xai-abc\u0007def`, "`apiKey`"],
  ])("refuses a key with %s, naming where it came from", (_name, raw, from) => {
    expect(() => ApiKey.resolve(raw)).toThrow(`The API key in ${from} contains whitespace or control characters`);
    expect(() => ApiKey.resolve(undefined, { XAI_API_KEY: raw })).toThrow("The API key in XAI_API_KEY contains whitespace");
  });

  it("never puts the key in the error it throws", () => {
    const bad = `${key} extra`;
    expect(() => ApiKey.resolve(bad)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(key) }));
  });
});

describe("ApiKey never reveals the key", () => {
  const apiKey = ApiKey.resolve(key, {});

  it.each([
    ["String()", () => String(apiKey)],
    ["a template literal", () => `${apiKey}`],
    ["JSON.stringify", () => JSON.stringify({ apiKey })],
    ["util.inspect", () => inspect(apiKey)],
    ["util.inspect of an object holding it", () => inspect({ options: { apiKey } }, { depth: 5, showHidden: true })],
  ])("through %s", (_name, render) => {
    const rendered = render();
    expect(rendered).not.toContain(key);
    expect(rendered).toContain("redacted");
  });

  it("gives the key only as an authorization header value", () => {
    expect(apiKey.authorization()).toBe(`Bearer ${key}`);
    expect(Object.keys(apiKey)).toEqual([]);
  });
});
