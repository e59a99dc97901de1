import { describe, expect, it } from "vitest";
import { InputError } from "../src/core/errors.js";
import { checkBaseUrl } from "../src/internal/transport/connection.js";
import { isLoopback } from "../src/core/loopback.js";

describe("isLoopback", () => {
  it.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["[::1]", true],
    ["::1", true],
    ["128.0.0.1", false],
    ["10.0.0.5", false],
    ["api.x.ai", false],
    ["localhost.example.com", false],
    ["127.0.0.1.nip.io", false],
    ["[::2]", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe("checkBaseUrl", () => {
  it.each([
    ["https://api.x.ai", "https://api.x.ai"],
    ["https://api.x.ai/", "https://api.x.ai"],
    ["https://batch.internal.example:8443", "https://batch.internal.example:8443"],
    ["http://localhost:50051", "http://localhost:50051"],
    ["http://127.0.0.1:50051", "http://127.0.0.1:50051"],
    ["http://127.42.0.9:8080", "http://127.42.0.9:8080"],
    ["http://[::1]:50051", "http://[::1]:50051"],
  ])("accepts %s", (baseUrl, origin) => {
    expect(checkBaseUrl(baseUrl, false).origin).toBe(origin);
  });

  it.each(["http://api.x.ai", "http://10.0.0.5:50051", "http://localhost.example.com"])(
    "refuses plaintext to %s, saying how to allow it",
    (baseUrl) => {
      expect(() => checkBaseUrl(baseUrl, false)).toThrow(InputError);
      expect(() => checkBaseUrl(baseUrl, false)).toThrow(/Refusing plaintext http:\/\/ to .*`allowInsecure: true`/);
    },
  );

  it("allows plaintext to another host only with allowInsecure", () => {
    expect(checkBaseUrl("http://10.0.0.5:50051", true).origin).toBe("http://10.0.0.5:50051");
  });

  it.each([
    ["a path", "https://api.x.ai/v1"],
    ["a query", "https://api.x.ai?region=us"],
  ])("refuses a base URL with %s, even with allowInsecure", (_name, baseUrl) => {
    expect(() => checkBaseUrl(baseUrl, true)).toThrow(/only a scheme, host and port/);
  });

  it.each([
    "https://user:xai-secret-0123456789@api.x.ai",
    "https://xai-secret-0123456789@api.x.ai",
    "https://user:xai-secret-0123456789@api x.ai",
  ])("refuses credentials in %s without echoing them", (baseUrl) => {
    const error = (() => {
      try {
        checkBaseUrl(baseUrl, true);
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toContain("//[redacted]@");
    expect(error!.message).not.toContain("xai-secret-0123456789");
  });

  it.each(["ftp://api.x.ai", "grpc://localhost:50051"])("refuses the scheme of %s", (baseUrl) => {
    expect(() => checkBaseUrl(baseUrl, true)).toThrow(/use https:\/\//);
  });

  it.each(["api.x.ai", "", "not a url", "//api.x.ai"])("refuses %j with an example of a good URL", (baseUrl) => {
    expect(() => checkBaseUrl(baseUrl, false)).toThrow(
      `Expected \`baseUrl\` to be a URL such as "https://api.x.ai" or "http://127.0.0.1:50051", got ${JSON.stringify(baseUrl)}.`,
    );
  });
});
