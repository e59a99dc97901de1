import { Code, ConnectError } from "@connectrpc/connect";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ApiError, InputError } from "../src/core/errors.js";
import { scrub } from "../src/core/internal/scrub.js";
import { toApiError } from "../src/core/internal/to-api-error.js";
import { QuotaFailureSchema, RetryInfoSchema } from "../src/core/internal/wire.js";
import { apiError, quotaFailure, retryInfo, type ErrorShape } from "./support/errors.js";

describe("ApiError classification", () => {
  it.each<[string, ErrorShape, { retryable: boolean; isQuotaError: boolean; retryAfterMs: number | undefined }]>([
    ["UNAVAILABLE", { code: Code.Unavailable }, { retryable: true, isQuotaError: false, retryAfterMs: undefined }],
    [
      "UNAVAILABLE with a pushback",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "300" } },
      { retryable: true, isQuotaError: false, retryAfterMs: 300 },
    ],
    [
      "UNAVAILABLE with a negative pushback",
      { code: Code.Unavailable, metadata: { "grpc-retry-pushback-ms": "-1" } },
      { retryable: false, isQuotaError: false, retryAfterMs: undefined },
    ],
    [
      "RESOURCE_EXHAUSTED alone (message too large)",
      { code: Code.ResourceExhausted },
      { retryable: false, isQuotaError: false, retryAfterMs: undefined },
    ],
    [
      "RESOURCE_EXHAUSTED with a garbage retry-after",
      { code: Code.ResourceExhausted, metadata: { "retry-after": "-5" } },
      { retryable: false, isQuotaError: false, retryAfterMs: undefined },
    ],
    [
      "RESOURCE_EXHAUSTED with a QuotaFailure",
      { code: Code.ResourceExhausted, quotaFailure: quotaFailure() },
      { retryable: true, isQuotaError: true, retryAfterMs: undefined },
    ],
    [
      "RESOURCE_EXHAUSTED with RetryInfo",
      { code: Code.ResourceExhausted, retryInfo: retryInfo() },
      { retryable: true, isQuotaError: true, retryAfterMs: 1_500 },
    ],
    [
      "RESOURCE_EXHAUSTED with RetryInfo and a pushback",
      { code: Code.ResourceExhausted, retryInfo: retryInfo(), metadata: { "grpc-retry-pushback-ms": "300" } },
      { retryable: true, isQuotaError: true, retryAfterMs: 1_500 },
    ],
    [
      "RESOURCE_EXHAUSTED with retry-after",
      { code: Code.ResourceExhausted, metadata: { "retry-after": "2" } },
      { retryable: true, isQuotaError: true, retryAfterMs: 2_000 },
    ],
    [
      "RESOURCE_EXHAUSTED with a quota but a negative pushback",
      { code: Code.ResourceExhausted, quotaFailure: quotaFailure(), metadata: { "grpc-retry-pushback-ms": "-1" } },
      { retryable: false, isQuotaError: false, retryAfterMs: undefined },
    ],
    [
      "INVALID_ARGUMENT even with RetryInfo",
      { code: Code.InvalidArgument, retryInfo: retryInfo() },
      { retryable: false, isQuotaError: false, retryAfterMs: 1_500 },
    ],
    ["INTERNAL", { code: Code.Internal }, { retryable: false, isQuotaError: false, retryAfterMs: undefined }],
  ])("%s", (_name, shape, expected) => {
    const error = apiError(shape);
    expect({ retryable: error.retryable, isQuotaError: error.isQuotaError, retryAfterMs: error.retryAfterMs }).toEqual(expected);
  });

  it("names the method and the code in its message, and keeps the server's text apart", () => {
    const error = apiError({ code: Code.ResourceExhausted });
    expect(error.message).toBe("AddBatchRequests: [resource_exhausted] failed");
    expect(error.rawMessage).toBe("failed");
    expect(error.name).toBe("ApiError");
    expect(error).toBeInstanceOf(Error);
  });
});

describe("scrub", () => {
  it.each([
    ["every occurrence", "key xai-key-0001 then xai-key-0001", ["xai-key-0001"], "key [redacted] then [redacted]"],
    ["several secrets", "a=xai-key-0001 b=xai-key-0002", ["xai-key-0001", "xai-key-0002"], "a=[redacted] b=[redacted]"],
    ["an empty secret is no secret", "nothing to hide", [""], "nothing to hide"],
    ["text without the secret is unchanged", "plain", ["xai-key-0001"], "plain"],
  ])("replaces %s", (_name, text, secrets, expected) => {
    expect(scrub(text, secrets)).toBe(expected);
  });
});

describe("toApiError", () => {
  const secret = "xai-0123456789abcdef";

  it("scrubs the key from the message and metadata and redacts the authorization header", () => {
    const cause = new ConnectError(`proxy says: bad key ${secret}`, Code.Unauthenticated, {
      authorization: `Bearer ${secret}`,
      "x-echo": `received ${secret}`,
    });
    const error = toApiError(cause, "GetBatch", [secret]) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("proxy says: bad key [redacted]");
    expect(error.message).toBe("GetBatch: [unauthenticated] proxy says: bad key [redacted]");
    expect(error.metadata.get("authorization")).toBe("[redacted]");
    expect(error.metadata.get("x-echo")).toBe("received [redacted]");
    expect(inspect(error, { depth: 10 })).not.toContain(secret);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(secret);
  });

  it("decodes RetryInfo and QuotaFailure into details and classifies the error by them", () => {
    const cause = new ConnectError("quota", Code.ResourceExhausted, undefined, [
      { desc: RetryInfoSchema, value: { retryDelay: { seconds: 2n, nanos: 0 } } },
      { desc: QuotaFailureSchema, value: { violations: [{ subject: "team:t1" }] } },
    ]);
    const error = toApiError(cause, "AddBatchRequests", []) as ApiError;
    expect(error.details.quotaFailure?.violations[0]?.subject).toBe("team:t1");
    expect(error.details.retryInfo?.retryDelay?.seconds).toBe(2n);
    expect(Object.keys(error.details).sort()).toEqual(["quotaFailure", "retryInfo"]);
    expect(error.isQuotaError).toBe(true);
    expect(error.retryAfterMs).toBe(2_000);
  });

  const nodeError = (code: string, cause?: unknown) => Object.assign(new Error(`node says ${code}`, { cause }), { code });

  it.each<[string, unknown, Code]>([
    [
      "INTERNAL over an HTTP/2 session error is a lost connection",
      new ConnectError("stream closed", Code.Internal, undefined, undefined, nodeError("ERR_HTTP2_SESSION_ERROR")),
      Code.Unavailable,
    ],
    [
      "INTERNAL over a reset deep in the cause chain is a lost connection",
      new ConnectError("write failed", Code.Internal, undefined, undefined, new Error("wrapped", { cause: nodeError("ECONNRESET") })),
      Code.Unavailable,
    ],
    [
      "ABORTED over a GOAWAY is a lost connection",
      new ConnectError("goaway", Code.Aborted, undefined, undefined, nodeError("ERR_HTTP2_GOAWAY_SESSION")),
      Code.Unavailable,
    ],
    ["a bare Node reset is a lost connection", nodeError("ECONNRESET"), Code.Unavailable],
    ["a plain INTERNAL stays INTERNAL", new ConnectError("server bug", Code.Internal), Code.Internal],
    [
      "INTERNAL over an unrelated Node error stays INTERNAL",
      new ConnectError("bad frame", Code.Internal, undefined, undefined, nodeError("ERR_INVALID_ARG_TYPE")),
      Code.Internal,
    ],
    [
      "CANCELED stays CANCELED even over a reset",
      new ConnectError("aborted by caller", Code.Canceled, undefined, undefined, nodeError("ECONNRESET")),
      Code.Canceled,
    ],
    [
      "a cause chain that loops back on itself is walked once",
      (() => {
        const a = new Error("a");
        const b = new Error("b", { cause: a });
        (a as { cause?: unknown }).cause = b;
        return new ConnectError("loop", Code.Internal, undefined, undefined, a);
      })(),
      Code.Internal,
    ],
  ])("%s", (_name, reason, code) => {
    const error = toApiError(reason, "ListBatches", []) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(code === Code.Unavailable);
  });

  it("a stream cancelled under a call the caller did not abort is a lost connection: UNAVAILABLE, retryable", () => {
    const cancelled = new ConnectError("http/2 stream closed with error code CANCEL (0x8)", Code.Canceled);
    const lost = toApiError(cancelled, "AddBatchRequests", [], false) as ApiError;
    expect(lost.code).toBe(Code.Unavailable);
    expect(lost.retryable).toBe(true);
    expect(lost.rawMessage).toBe("http/2 stream closed with error code CANCEL (0x8)");
    expect((toApiError(cancelled, "AddBatchRequests", [], true) as ApiError).code).toBe(Code.Canceled);
  });

  it("stops at an error that is its own cause", () => {
    const looping = new Error("loop") as Error & { cause: unknown };
    looping.cause = looping;
    const error = toApiError(new ConnectError("x", Code.Internal, undefined, undefined, looping), "GetBatch", []) as ApiError;
    expect(error.code).toBe(Code.Internal);
  });

  it("passes ApiError and InputError through untouched", () => {
    const api = apiError({ code: Code.NotFound });
    const input = new InputError("bad option");
    expect(toApiError(api, "GetBatch", ["x"])).toBe(api);
    expect(toApiError(input, "GetBatch", ["x"])).toBe(input);
  });
});
