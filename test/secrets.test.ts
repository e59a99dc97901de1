import { create } from "@bufbuild/protobuf";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { inspect } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { badRequest, StatusError } from "../src/emulator/status.js";
import { ApiError, Client, InputError, user, type RetryEvent } from "../src/index.js";
import { ErrorInfoSchema } from "../src/core/internal/wire.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

// Every object a user of the library can hold, printed and serialised every way a log line would,
// with a marker key: the marker must appear in none of them.
const key = "xai-MARKER-9f8e7d6c5b4a3210";

let server: TestServer;
beforeAll(async () => {
  // A server that echoes the key everywhere it can: message, trailers, ErrorInfo (reason and metadata,
  // keys and values), BadRequest (field and description).
  const echo = () =>
    new StatusError(
      GrpcStatus.UNAUTHENTICATED,
      `key ${key} is revoked`,
      [
        {
          schema: ErrorInfoSchema,
          value: create(ErrorInfoSchema, {
            reason: `KEY_${key}`,
            domain: "x.ai",
            metadata: { [key]: `Bearer ${key}`, nested: `a ${key} b` },
          }),
        },
        badRequest([{ field: `api_key=${key}`, description: `got ${key}` }]),
      ],
      { "x-echo": `Bearer ${key}` },
    );
  server = await startTestServer({
    getBatch: async () => {
      throw echo();
    },
    addBatchRequests: async () => {
      throw new StatusError(GrpcStatus.UNAVAILABLE, `down, your key was ${key}`, [], { "x-echo": key });
    },
  });
});
afterAll(() => server.stop());

/** Every way a value ends up in a log: inspect (deep, hidden properties too), JSON, String, and an error's stack and cause. */
function printed(value: unknown): string[] {
  const forms = [inspect(value, { depth: Infinity, showHidden: true }), inspect(value, { depth: Infinity, getters: true }), String(value)];
  if (value instanceof Error) {
    forms.push(
      value.stack ?? "",
      JSON.stringify({ ...value, message: value.message, stack: value.stack }),
      inspect(value.cause, { depth: Infinity, showHidden: true }),
    );
  } else {
    forms.push(JSON.stringify(value) ?? "");
  }
  return forms;
}

function expectNoKey(what: string, value: unknown): void {
  for (const form of printed(value)) expect(form, `${what} printed as ${form.slice(0, 200)}`).not.toContain(key);
}

it("the client, its resources and what they return never show the key", async () => {
  const client = new Client({ apiKey: key, baseUrl: server.url, metadata: { "x-team": "t1" } });
  try {
    expectNoKey("Client", client);
    expectNoKey("client.batch", client.batch);
    expectNoKey("client.chat", client.chat);
    expectNoKey("a ChatRequest", client.chat.create("grok-4").append(user("hi")));
    expectNoKey("a PagedList", client.batch.list());
  } finally {
    client.close();
  }
});

it("an error from a server that echoes the key shows it nowhere: message, metadata, details at any depth", async () => {
  const client = new Client({ apiKey: key, baseUrl: server.url });
  try {
    const error = (await client.batch.get("b1").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    // The details still say what the server said, with the key blanked out.
    expect(error.details.errorInfo?.metadata.nested).toBe("a [redacted] b");
    expect(error.details.badRequest?.fieldViolations[0]?.description).toBe("got [redacted]");
    expectNoKey("ApiError", error);
    expectNoKey("its details", error.details);
    expectNoKey("its metadata", Object.fromEntries(error.metadata));
  } finally {
    client.close();
  }
});

it("an add's give-up error, wrapping the failure that stopped it, never shows the key", async () => {
  server.handle({
    getBatch: async (req) => ({ batchId: req.batchId }),
    addBatchRequests: async () => {
      throw new StatusError(GrpcStatus.UNAVAILABLE, `down, your key was ${key}`, [], { "x-echo": key });
    },
  });
  const retries: RetryEvent[] = [];
  const client = new Client({
    apiKey: key,
    baseUrl: server.url,
    retry: { maxAttempts: 2, transientBackoff: { initialMs: 1, maxMs: 5, multiplier: 2 }, onRetry: (e) => retries.push(e) },
  });
  try {
    const error = (await client.batch
      .add("b1", [client.chat.create("grok-4", { batchRequestId: "a" }).append(user("hi"))], { timeoutMs: 2_000 })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/the add stopped after UNAVAILABLE/);
    expectNoKey("the add's error", error);
  } finally {
    client.close();
  }
  expect(retries.length).toBeGreaterThan(0);
  for (const event of retries) expectNoKey("a RetryEvent", event);
});

it("a key put in the base URL is refused without being echoed", () => {
  for (const baseUrl of [`https://user:${key}@api.x.ai`, `https://${key}@api.x.ai`, `https://user:${key}@not a host`]) {
    const error = (() => {
      try {
        new Client({ apiKey: key, baseUrl }).close();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expectNoKey(`the InputError for ${baseUrl.replace(key, "KEY")}`, error);
  }
});
