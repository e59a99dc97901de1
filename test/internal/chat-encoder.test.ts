import { create, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultBatchModels } from "../../src/core/batch-models.js";
import { ChatRequest } from "../../src/requests/chat.js";
import { InputError } from "../../src/core/errors.js";
import { ChatEncoder } from "../../src/internal/wire/chat-encoder.js";
import { RequestEncoder, type EncodedRequest } from "../../src/internal/wire/encoded-request.js";
import { builtRequest } from "../../src/requests/internal/built-request.js";
import { toBatchRequest } from "../../src/requests/add-input.js";
import { withFastPath } from "../support/fast-path.js";
import { BatchRequestSchema, MessageRole, type GetCompletionsRequest } from "../../src/core/internal/wire.js";

const models = new Set(defaultBatchModels);
const normalise = (input: unknown, index: number) => toBatchRequest(input, index, models);

/** What the normaliser and toBinary make of `input`: its bytes, or the error it is refused with. */
function reference(input: unknown): Uint8Array | Error {
  try {
    return toBinary(BatchRequestSchema, normalise(input, 0));
  } catch (error) {
    return error as Error;
  }
}

const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
/** An id and model the normaliser accepts. */
const fine = (id: string | undefined, model: string) => (id === undefined || (id.trim() !== "" && isWellFormed(id))) && models.has(model);

/** Texts that reach every UTF-8 length (1-4 bytes), lone surrogates, NUL, and the 127/128-byte varint edge. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: fc.constantFrom("a", "é", "\u07ff", "\u0800", "\uffff", "😀", "\u0000", "\ud800", "\udfff", " "), maxLength: 30 }),
  fc.string({ unit: "binary-ascii", minLength: 120, maxLength: 140 }),
  fc.constant(""),
);
/** Mostly well-formed: lone surrogates are rare, so most generated requests are ones the fast path takes. */
const wellFormed = text.filter(isWellFormed);
const id = fc.oneof(
  { weight: 8, arbitrary: wellFormed.filter((s) => s.trim() !== "") },
  { weight: 1, arbitrary: fc.constantFrom("", "  ", "\ud800x") },
);
const model = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...defaultBatchModels) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "grok-nope", "grok-4 ") },
);

const int32Edges = [0, -0, 1, 127, 128, 16_383, 16_384, 2 ** 31 - 1, -1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 1.5, 1e300];
const int = (min: number, max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min, max }) },
    { weight: 2, arbitrary: fc.constantFrom(...int32Edges) },
    { weight: 1, arbitrary: fc.constantFrom("5", null) },
  );
const float = (min: number, max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.double({ min, max, noNaN: true }) },
    { weight: 2, arbitrary: fc.constantFrom(0, -0, min, max, 1e-45, 5e-324, 0.1, 1 / 3, max + 1e-9, min - 1, 3.5e38) },
    { weight: 1, arbitrary: fc.constantFrom("0.5", "NaN", null) },
  );

/** The parameters the fast path covers, by their snake_case name, each with valid and invalid values. */
const params = {
  max_tokens: int(1, 2 ** 31 - 1),
  n: int(1, 128),
  seed: int(-(2 ** 31), 2 ** 31 - 1),
  temperature: float(0, 2),
  top_p: float(0, 1),
  frequency_penalty: float(-2, 2),
  presence_penalty: float(-2, 2),
  user: wellFormed,
  stop: fc.oneof(wellFormed, fc.array(wellFormed, { maxLength: 3 })),
};
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const someParams = fc.record(params, { requiredKeys: [] });
/** Valid values only: a request the normaliser accepts, which the fast path must take. */
const validParams = fc.record(
  {
    max_tokens: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    n: fc.integer({ min: 1, max: 128 }),
    seed: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
    presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
    user: wellFormed,
    stop: fc.array(wellFormed, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

/** Keys and values the fast path does not cover: each must send the request to the normaliser. */
const uncovered = fc.constantFrom<[string, unknown]>(
  ["logprobs", true],
  ["reasoning_effort", "low"],
  ["tool_choice", "auto"],
  ["response_format", { type: "json_object" }],
  ["top_logprobs", 3],
  ["bogus", 1],
  ["__proto__", { model: "x" }],
  ["request", {}],
);

const compactRole = fc.constantFrom("user", "system", "assistant");
const compactContent = fc.oneof(
  wellFormed,
  fc.array(
    fc.oneof(
      wellFormed,
      wellFormed.map((t) => ({ type: "text", text: t })),
    ),
    { minLength: 1, maxLength: 3 },
  ),
);
const compactMessages = fc.array(fc.record({ role: compactRole, content: compactContent }), { minLength: 1, maxLength: 3 });

interface Case {
  readonly input: unknown;
  /** Built from covered keys and valid values only. */
  readonly valid: boolean;
}

const compactRow = (p: fc.Arbitrary<Record<string, unknown>>, valid: boolean) =>
  fc
    .record({ id: fc.option(id, { nil: undefined }), model, messages: compactMessages, params: p, camelCase: fc.boolean() })
    .map(({ id, model, messages, params, camelCase }) => ({
      row: {
        ...(id === undefined ? {} : { id }),
        model,
        messages,
        ...Object.fromEntries(Object.entries(params).map(([k, v]) => [camelCase ? camel(k) : k, v])),
      },
      valid: valid && fine(id, model),
    }));

const openAiRow = (p: fc.Arbitrary<Record<string, unknown>>, valid: boolean) =>
  fc
    .record({
      id,
      model,
      messages: fc.array(fc.record({ role: fc.constantFrom("user", "system", "assistant", "developer"), content: compactContent }), {
        minLength: 1,
        maxLength: 3,
      }),
      params: p,
      method: fc.boolean(),
      completionTokens: fc.boolean(),
    })
    .map(({ id, model, messages, params, method, completionTokens }) => {
      const { max_tokens, ...rest } = params;
      const tokens = max_tokens === undefined ? {} : completionTokens ? { max_completion_tokens: max_tokens } : { max_tokens };
      return {
        row: {
          custom_id: id,
          ...(method ? { method: "POST" } : {}),
          url: "/v1/chat/completions",
          body: { model, messages, ...rest, ...tokens },
        },
        valid: valid && fine(id, model),
      };
    });

const wireRoles = { user: "ROLE_USER", system: "ROLE_SYSTEM", assistant: "ROLE_ASSISTANT" } as const;
const protobufJsonRow = (p: fc.Arbitrary<Record<string, unknown>>, valid: boolean) =>
  fc
    .record({
      id: fc.option(id, { nil: undefined }),
      model,
      messages: fc.array(fc.record({ role: compactRole, texts: fc.array(wellFormed, { maxLength: 3 }) }), { minLength: 1, maxLength: 3 }),
      params: p,
      snakeCase: fc.boolean(),
    })
    .map(({ id, model, messages, params, snakeCase }) => ({
      row: {
        ...(id === undefined ? {} : { [snakeCase ? "batch_request_id" : "batchRequestId"]: id }),
        [snakeCase ? "completion_request" : "completionRequest"]: {
          model,
          messages: messages.map((m) => ({ role: wireRoles[m.role], content: m.texts.map((t) => ({ text: t })) })),
          ...Object.fromEntries(
            Object.entries(params).map(([k, v]) => [snakeCase ? k : camel(k), k === "stop" && typeof v === "string" ? [v] : v]),
          ),
        },
      },
      valid: valid && fine(id, model),
    }));

/** A float toBinary refuses: finite, but too large for a float32. */
const unencodable = (value: number | undefined) => value !== undefined && Number.isFinite(value) && !Number.isFinite(Math.fround(value));
const messageRoles = { user: MessageRole.ROLE_USER, system: MessageRole.ROLE_SYSTEM, assistant: MessageRole.ROLE_ASSISTANT } as const;
/** A BatchRequest message, and the same request as a ChatRequest: any number for the numeric fields, as toBinary takes them. */
const messageInput = fc
  .record({
    id: fc.option(id, { nil: undefined }),
    model,
    messages: fc.array(fc.record({ role: compactRole, texts: fc.array(text, { maxLength: 3 }) }), { minLength: 1, maxLength: 3 }),
    maxTokens: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
    seed: fc.option(fc.constantFrom(-1, -(2 ** 31), 0, -0, 2 ** 31 - 1), { nil: undefined }),
    temperature: fc.option(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -0, Infinity, 3.5e38, 1e-46)), { nil: undefined }),
    user: text,
    stop: fc.array(text, { maxLength: 2 }),
    asChat: fc.boolean(),
  })
  .map(({ id, model, messages, asChat, ...numbers }) => {
    const value = {
      model,
      ...numbers,
      messages: messages.map((m) => ({
        role: messageRoles[m.role],
        content: m.texts.map((t) => ({ content: { case: "text" as const, value: t } })),
      })),
    };
    const request = create(BatchRequestSchema, { batchRequestId: id, request: { case: "completionRequest", value } });
    if (!asChat)
      return { input: request, valid: (id === undefined || id.trim() !== "") && models.has(model) && !unencodable(numbers.temperature) };
    const chat = new ChatRequest(model.trim() === "" ? "grok-4" : model, {
      batchRequestId: id === undefined || id.trim() === "" ? undefined : id,
    });
    chat.request.messages.push(...(request.request.value as GetCompletionsRequest).messages);
    Object.assign(chat.request, numbers);
    return { input: chat, valid: models.has(model) && !unencodable(numbers.temperature) };
  });

const validCases: fc.Arbitrary<Case> = fc
  .oneof(compactRow(validParams, true), openAiRow(validParams, true), protobufJsonRow(validParams, true))
  .map(({ row, valid }) => ({ input: row, valid }));
const anyCases: fc.Arbitrary<Case> = fc.oneof(
  fc
    .oneof(compactRow(someParams, false), openAiRow(someParams, false), protobufJsonRow(someParams, false))
    .map(({ row }) => ({ input: row, valid: false })),
  messageInput,
);
const withUncovered: fc.Arbitrary<Case> = fc
  .tuple(
    fc.oneof(compactRow(validParams, false), openAiRow(validParams, false), protobufJsonRow(validParams, false)),
    uncovered,
    fc.constantFrom("row", "message", "body"),
  )
  .map(([{ row }, [key, value], where]) => {
    const copy = structuredClone(row) as Record<string, unknown>;
    const body = (copy.body ?? copy.completionRequest ?? copy.completion_request) as Record<string, unknown> | undefined;
    const target =
      where === "row" || body === undefined ? copy : where === "body" ? body : (body.messages as Record<string, unknown>[])[0]!;
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    return { input: copy, valid: false };
  });

const runs = { numRuns: 2_000 };

describe("ChatEncoder", () => {
  it("encodes every covered request exactly as the normaliser and toBinary do", () => {
    fc.assert(
      fc.property(validCases, ({ input, valid }) => {
        const encoded = new ChatEncoder(models, builtRequest).encode(input);
        const expected = reference(input);
        if (valid) expect(encoded, "a valid request of covered fields takes the fast path").toBeDefined();
        if (encoded !== undefined) expect(encoded).toEqual(expected);
      }),
      runs,
    );
  });

  it("declines what the normaliser refuses, and encodes anything it takes as toBinary does (invalid values, edge numbers, messages)", () => {
    let fast = 0;
    fc.assert(
      fc.property(anyCases, ({ input, valid }) => {
        const encoded = new ChatEncoder(models, builtRequest).encode(input);
        const expected = reference(input);
        if (expected instanceof Error) expect(encoded).toBeUndefined();
        else if (encoded !== undefined) {
          fast++;
          expect(encoded).toEqual(expected);
        }
        if (valid) expect(encoded).toBeDefined();
      }),
      runs,
    );
    expect(fast).toBeGreaterThan(runs.numRuns / 10);
  });

  it("sends anything with a key or part it does not cover to the normaliser", () => {
    fc.assert(
      fc.property(withUncovered, ({ input }) => {
        expect(new ChatEncoder(models, builtRequest).encode(input)).toBeUndefined();
      }),
      runs,
    );
    const image = {
      model: "grok-4",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
    };
    const named = { model: "grok-4", messages: [{ role: "user", content: "Hi", name: "ann" }] };
    const numberRole = { completionRequest: { model: "grok-4", messages: [{ role: 1, content: [{ text: "Hi" }] }] } };
    const tool = create(BatchRequestSchema, {
      request: { case: "completionRequest", value: { model: "grok-4", messages: [{ role: MessageRole.ROLE_TOOL, content: [] }] } },
    });
    // Objects that only look like messages: declined, not a TypeError, so the normaliser says what is wrong.
    const hollow = { $typeName: BatchRequestSchema.typeName, request: { case: "completionRequest", value: null } };
    const holey = create(BatchRequestSchema, { request: { case: "completionRequest", value: { model: "grok-4" } } });
    (holey.request.value as GetCompletionsRequest).messages.push(null as never);
    for (const input of [image, named, numberRole, tool, hollow, holey, new Map(), [], "text", null])
      expect(new ChatEncoder(models, builtRequest).encode(input)).toBeUndefined();
  });

  it("gives an add the same requests, ids, refusals and errors with the fast path as without", () => {
    const anyInput = fc.oneof(validCases, anyCases, withUncovered).map((c) => c.input);
    const outcome = (encoder: RequestEncoder, inputs: unknown[]): (EncodedRequest | string)[] => {
      try {
        return encoder.encodeMany(inputs, 3);
      } catch (error) {
        if (!(error instanceof InputError)) return [`${(error as Error).message}`];
        return [`${error.index} ${error.batchRequestId} ${error.field} ${error.message}`];
      }
    };
    // An encoder made with the switch off runs the general path alone (fast-path.ts), its chat encoder unused.
    const general = (...args: ConstructorParameters<typeof RequestEncoder>) => withFastPath(false, () => new RequestEncoder(...args));
    fc.assert(
      fc.property(fc.array(anyInput, { maxLength: 8 }), fc.boolean(), (inputs, autoIds) => {
        const repeated = [...inputs, ...inputs.slice(0, 2)]; // repeated ids and repeated content
        const slow = outcome(general(normalise, autoIds, undefined, new ChatEncoder(models, builtRequest)), repeated);
        const fast = outcome(new RequestEncoder(normalise, autoIds, undefined, new ChatEncoder(models, builtRequest)), repeated);
        expect(fast).toEqual(slow);
        const skipped = (make: (...args: ConstructorParameters<typeof RequestEncoder>) => RequestEncoder) => {
          const refused: string[] = [];
          try {
            const encoded = make(
              normalise,
              autoIds,
              (error) => refused.push(`${error.index} ${error.message}`),
              new ChatEncoder(models, builtRequest),
            ).encodeMany(repeated, 0);
            return { encoded, refused };
          } catch (error) {
            return { error: (error as Error).message, refused };
          }
        };
        expect(skipped((...args) => new RequestEncoder(...args))).toEqual(skipped(general));
      }),
      { numRuns: 500 },
    );
  });

  it("gives two adds encoding in turn (their encoders share fields and a writer) each its own requests", () => {
    const first = new ChatEncoder(models, builtRequest);
    const second = new ChatEncoder(models, builtRequest);
    const rows = Array.from({ length: 400 }, (_, i) => ({
      id: `r${i}`,
      model: "grok-4",
      messages: [{ role: "user", content: "é".repeat(i) }],
      ...(i % 3 === 0 ? { stop: ["x"] } : {}),
    }));
    const encoded = rows.map((row, i) => ({ bytes: (i % 2 === 0 ? first : second).encode(row)!, id: (i % 2 === 0 ? first : second).id }));
    rows.forEach((row, i) => {
      expect(Buffer.from(encoded[i]!.bytes).equals(reference(row) as Uint8Array), `request ${i}`).toBe(true);
      expect(encoded[i]!.id).toBe(row.id);
    });
  });

  it("keeps each request's bytes when later ones are written, across chunks, and gives a huge one its own buffer", () => {
    const encoder = new ChatEncoder(models, builtRequest);
    const rows = Array.from({ length: 3_000 }, (_, i) => ({
      id: `r${i}`,
      model: "grok-4",
      messages: [{ role: "user", content: "é".repeat(i % 400) }],
    }));
    rows.push({ id: "huge", model: "grok-4", messages: [{ role: "user", content: "x".repeat(600_000) }] });
    const encoded = rows.map((row) => encoder.encode(row)!);
    // Compared as Buffers: a deep equality of 3,000 arrays element by element takes seconds.
    for (const [i, row] of rows.entries()) expect(Buffer.from(encoded[i]!).equals(reference(row) as Uint8Array), `request ${i}`).toBe(true);
  });
});
