import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultBatchModels } from "../../src/batch-models.js";
import { lineText } from "../../src/cli/jsonl-reader.js";
import { RequestLineReader, type InputStats } from "../../src/cli/request-reader.js";
import { InputError } from "../../src/errors.js";
import { ChatEncoder } from "../../src/internal/chat-encoder.js";
import { encodeCompactLine } from "../../src/internal/compact-line.js";
import { EncodedLine } from "../../src/internal/encoded-line.js";
import { RequestEncoder, type EncodedRequest } from "../../src/internal/encoded-request.js";
import { builtRequest, toBatchRequest } from "../../src/request-input.js";

const models = new Set(defaultBatchModels);
const normalise = (input: unknown, index: number) => toBatchRequest(input, index, models);

/** Texts of every UTF-8 length (1-4 bytes), lone surrogates, controls, quotes and backslashes. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: fc.constantFrom("a", "é", "\u07ff", "\u0800", "\uffff", "😀", "\u0000", "\u001f", "\u007f", "\ud800", "\udfff", '"', "\\", "/", "\t", " "), maxLength: 20 }),
  fc.string({ unit: "binary-ascii", minLength: 120, maxLength: 140 }),
  fc.constant(""),
);

/** A JSON string of `value`: what must be escaped is, and `style` says which other characters are too. */
function jsonString(value: string, style: "none" | "some" | "all", seed: number): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const lone = !pair && c >= 0xd800 && c <= 0xdfff;
    const chosen = style === "all" || (style === "some" && (i + seed) % 3 === 0);
    if (c === 0x22 || c === 0x5c || c < 0x20 || lone || chosen) {
      const short = { 0x22: '\\"', 0x5c: "\\\\", 0x0a: "\\n", 0x09: "\\t", 0x0d: "\\r", 0x08: "\\b", 0x0c: "\\f", 0x2f: "\\/" }[c];
      out += short !== undefined && seed % 2 === 0 ? short : `\\u${c.toString(16).padStart(4, seed % 5 === 0 ? "0" : "0").toUpperCase()}`;
      if (pair && chosen) out += `\\u${value.charCodeAt(++i).toString(16)}`;
    } else if (pair) {
      out += value.slice(i, i + 2);
      i++;
    } else {
      out += value[i];
    }
  }
  return `${out}"`;
}

/** `value` one time in `oneIn`, else undefined. */
const rarely = <T>(value: fc.Arbitrary<T>, oneIn: number) => fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });

const style = fc.constantFrom<"none" | "some" | "all">("none", "none", "none", "some", "all");
const str = (value: fc.Arbitrary<string>) => fc.tuple(value, style, fc.nat()).map(([v, s, seed]) => jsonString(v, s, seed));
/** JSON whitespace (a line break too: JSON.parse takes one, though a file's line never holds it). */
const space = fc.constantFrom("", "", "", " ", "  ", "\t", "\r", "\n");

/** `{k: v, ...}` with whitespace anywhere JSON allows it. */
const object = (entries: fc.Arbitrary<[string, string][]>) =>
  fc.tuple(entries, fc.array(space, { minLength: 40, maxLength: 40 })).map(([list, ws]) => {
    const w = (i: number) => ws[i % ws.length]!;
    return `{${w(0)}${list.map(([k, v], i) => `${k}${w(i + 1)}:${w(i + 2)}${v}`).join(`${w(3)},${w(4)}`)}${w(5)}}`;
  });
const array = (items: fc.Arbitrary<string[]>) => fc.tuple(items, space, space).map(([list, a, b]) => `[${a}${list.join(`${b},${a}`)}${b}]`);

/** Numbers as JSON writes them, and as people do: exponents, -0, fractions of integers, big, tiny, and malformed ones. */
const number = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -(2 ** 31) - 2, max: 2 ** 31 + 2 }).map(String) },
  { weight: 3, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }).map((d) => JSON.stringify(d)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((i) => `${i}.0`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("-0", "0", "1", "1e2", "1E+2", "5e-1", "2", "2.0000000000000001", "1.9999999999999999", "0.30000000000000004", "1e-46", "12345678901234567", "123456789012345678901", "2147483647", "2147483648", "-2147483649", "128", "129", "1e400", "-1e-400", "3.4028236e38"),
  },
  { weight: 1, arbitrary: fc.constantFrom("01", "-01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "NaN", "Infinity", "1_0", '"5"', "null", "true", "[]", "{}", "--1", "1..2") },
);

const role = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('"user"', '"system"', '"assistant"') }, { weight: 1, arbitrary: fc.constantFrom('"developer"', '"User"', '"us\\u0065r"', "1", "null", '""') });
const part = fc.oneof(
  str(text),
  object(fc.shuffledSubarray([["\"type\"", '"text"'] as [string, string]], { minLength: 1 }).chain((t) => str(text).map((v) => [...t, ['"text"', v] as [string, string]]))),
  fc.constantFrom('{"type":"image_url","image_url":{"url":"https://x/y.png"}}', '{"type":"text"}', '{"type":"txt","text":"a"}', '{"text":"a","type":"text","text":"b"}', '{"type":"te\\u0078t","text":"a"}', "7"),
);
const content = fc.oneof({ weight: 4, arbitrary: str(text) }, { weight: 2, arbitrary: array(fc.array(part, { minLength: 1, maxLength: 3 })) }, { weight: 1, arbitrary: fc.constantFrom("[]", "null", "5", '{"text":"a"}') });
const messageEntries = fc
  .tuple(role, content, fc.boolean(), rarely(fc.constantFrom<[string, string]>(['"name"', '"ann"'], ['"role"', '"user"'], ['"content"', '"again"']), 8))
  .map(([r, c, roleFirst, extra]): [string, string][] => [...(roleFirst ? [['"role"', r], ['"content"', c]] : [['"content"', c], ['"role"', r]]) as [string, string][], ...(extra === undefined ? [] : [extra])]);
const message = fc.oneof({ weight: 12, arbitrary: object(messageEntries) }, { weight: 1, arbitrary: fc.constantFrom('{"role":"user"}', '{"content":"x"}', "{}", '"hi"') });
const messages = fc.oneof({ weight: 10, arbitrary: array(fc.array(message, { minLength: 1, maxLength: 3 })) }, { weight: 1, arbitrary: fc.constantFrom("[]", '"hi"', "null") });

const id = fc.oneof({ weight: 6, arbitrary: str(fc.string({ maxLength: 12 })) }, { weight: 1, arbitrary: str(text) }, { weight: 1, arbitrary: fc.constantFrom('""', '"  "', '"\\ud800x"', "5", "null") });
const model = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...defaultBatchModels).map((m) => JSON.stringify(m)) }, { weight: 1, arbitrary: fc.constantFrom('"grok-\\u0034"', '""', '" "', '"grok-nope"', '"grok-4 "', "4") });
const params: [string, fc.Arbitrary<string>][] = [
  ["max_tokens", number],
  ["maxTokens", number],
  ["n", number],
  ["seed", number],
  ["temperature", number],
  ["top_p", number],
  ["topP", number],
  ["frequency_penalty", number],
  ["frequencyPenalty", number],
  ["presence_penalty", number],
  ["presencePenalty", number],
  ["user", fc.oneof(str(text), fc.constant("5"))],
  ["stop", fc.oneof(str(text), array(fc.array(str(text), { maxLength: 3 })), fc.constantFrom("[]", "[5]", "null"))],
];
const idKey = fc.constantFrom('"id"', '"batch_request_id"', '"batchRequestId"');
const uncovered = fc.constantFrom<[string, string]>(
  ['"name"', '"x"'],
  ['"__proto__"', "{}"],
  ['"toString"', "1"],
  ['"tools"', "[]"],
  ['"reasoning_effort"', '"low"'],
  ['"Model"', '"grok-4"'],
  ['"mod\\u0065l"', '"grok-4"'],
  ['"custom_id"', '"a"'],
  ['"completionRequest"', "{}"],
);

/** Entries of a compact line: its usual keys in any order, now and then one of them twice, or a key it does not cover. */
const entries = fc
  .record({
    id: fc.option(fc.tuple(idKey, id), { freq: 3, nil: undefined }),
    model: fc.option(model, { freq: 12, nil: undefined }),
    messages: fc.option(messages, { freq: 12, nil: undefined }),
    params: fc.subarray(params, { maxLength: 4 }).chain((chosen) => fc.tuple(...chosen.map(([k, v]) => v.map((value): [string, string] => [`"${k}"`, value])))),
    extra: rarely(uncovered, 8),
    repeat: rarely(fc.nat(), 8),
  })
  .chain(({ id, model, messages, params, extra, repeat }) => {
    const list: [string, string][] = [...(id === undefined ? [] : [id]), ...(model === undefined ? [] : [['"model"', model] as [string, string]]), ...(messages === undefined ? [] : [['"messages"', messages] as [string, string]]), ...params];
    if (extra !== undefined) list.push(extra);
    if (repeat !== undefined && list.length > 0) list.push(list[repeat % list.length]!);
    return fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length });
  });

/** A line as written: a compact object with whitespace around it, or now and then a broken or foreign one. */
const line = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(space, object(entries), space).map(([a, o, b]) => `${a}${o}${b}`) },
  {
    weight: 3,
    arbitrary: fc.tuple(object(entries), fc.nat(), fc.constantFrom("", "}", "{", ",", '"', "\\", "x", " ", "\u0000", "\ufeff")).map(([o, at, insert]) => {
      const cut = at % (o.length + 1);
      return at % 2 === 0 ? o.slice(0, cut) + insert + o.slice(cut) : o.slice(0, cut);
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "null", "[]", '"text"', "\ufeff{}", "{}", '{"model":"grok-4","messages":[{"role":"user","content":"Hi"}]}x', '{"model":"grok-4","messages":[{"role":"user","content":"Hi"}],}') },
);

/** The line's bytes; now and then with bytes that are not UTF-8 put in (a lone continuation, an overlong, a surrogate, past U+10FFFF, a cut sequence). */
const lineBytes = fc.oneof(
  { weight: 10, arbitrary: line.map((l) => Buffer.from(l)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(line, fc.nat(), fc.constantFrom([0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xe2, 0x82], [0xff], [0xc3], [0xf8, 0x88, 0x80, 0x80, 0x80]))
      .map(([l, at, bad]) => {
        const bytes = Buffer.from(l);
        const cut = at % (bytes.length + 1);
        return Buffer.concat([bytes.subarray(0, cut), Buffer.from(bad), bytes.subarray(cut)]);
      }),
  },
);

/** What a line gave before the compact-line encoder: decoded, parsed, then the chat encoder (or nothing it covers). */
function parsedPath(bytes: Buffer): { bytes: Uint8Array; id: string | undefined } | undefined {
  const text = lineText({ bytes });
  if (text === undefined) return undefined;
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    return undefined;
  }
  const encoder = new ChatEncoder(undefined);
  const encoded = encoder.encode(row);
  return encoded === undefined ? undefined : { bytes: encoded, id: encoder.id };
}

const runs = { numRuns: 3_000 };
const manyRuns = { numRuns: 10_000 };

describe("encodeCompactLine", () => {
  it("encodes a line it takes to the very bytes and id the parsed row gets, and takes the common lines", () => {
    let fast = 0;
    let covered = 0;
    fc.assert(
      fc.property(lineBytes, (bytes) => {
        const encoded = encodeCompactLine(new ChatEncoder(undefined), bytes);
        const expected = parsedPath(bytes);
        if (expected !== undefined) covered++;
        if (encoded === undefined) return;
        fast++;
        expect(expected, "a line taken from its bytes is one the chat encoder takes parsed").toBeDefined();
        expect(Buffer.from(encoded.bytes).equals(Buffer.from(expected!.bytes))).toBe(true);
        expect(encoded.id).toBe(expected!.id);
        expect(encoded.row()).toEqual(JSON.parse(lineText({ bytes })!));
      }),
      manyRuns,
    );
    // Escapes in keys, duplicate keys and the like are left to JSON.parse, so not every covered line is fast.
    expect(fast).toBeGreaterThan(covered / 2);
    // Most generated lines are refused (a bad value, a repeated key, a broken line); enough are not.
    expect(covered).toBeGreaterThan(manyRuns.numRuns / 40);
  });

  it("takes compact lines without the rare cases (escapes in keys, a key twice), however they are spaced and ordered", () => {
    const plain = fc
      .record({ id: fc.option(str(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== "")), { nil: undefined }), texts: fc.array(str(text), { minLength: 1, maxLength: 3 }), temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }) })
      .chain(({ id, texts, temperature }) => {
        const list: [string, string][] = [['"model"', '"grok-4"'], ['"messages"', `[${texts.map((t) => `{"role":"user","content":${t}}`).join(",")}]`]];
        if (id !== undefined) list.push(['"id"', id]);
        if (temperature !== undefined) list.push(['"temperature"', JSON.stringify(temperature)]);
        return object(fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }));
      });
    let checked = 0;
    fc.assert(
      fc.property(plain, (l) => {
        const bytes = Buffer.from(l);
        // Well-formed strings only: a lone surrogate (escaped) is what protobuf refuses, and the parsed path declines too.
        if (parsedPath(bytes) === undefined) return;
        checked++;
        expect(encodeCompactLine(new ChatEncoder(undefined), bytes)).toBeDefined();
      }),
      runs,
    );
    expect(checked).toBeGreaterThan(runs.numRuns / 2);
  });

  it("finds every byte that ends a plain run of text, wherever it falls against the line's 4-byte words", () => {
    // Texts are read four bytes at a time: each kind of byte that ends a run, at each offset, at each alignment.
    const ends = [0x00, 0x09, 0x0d, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0xc3, 0xff];
    for (let shift = 0; shift < 4; shift++) {
      for (let at = 0; at < 12; at++) {
        for (const end of ends) {
          const text = Buffer.alloc(24, 0x61);
          text[at] = end;
          if (end === 0x5c) text[at + 1] = 0x6e; // an escape: \n
          if (end === 0xc3) text[at + 1] = 0xa9; // é, valid UTF-8
          const line = Buffer.concat([Buffer.from('{"model":"grok-4","messages":[{"role":"user","content":"'), text, Buffer.from('"}]}')]);
          const bytes = Buffer.alloc(line.length + shift).fill(0x20, 0, shift);
          line.copy(bytes, shift);
          const view = bytes.subarray(shift);
          const encoded = encodeCompactLine(new ChatEncoder(undefined), view);
          const expected = parsedPath(view);
          expect(encoded?.bytes === undefined ? undefined : Buffer.from(encoded.bytes).toString("hex"), `byte ${end} at ${at}, shift ${shift}`).toBe(expected === undefined ? undefined : Buffer.from(expected.bytes).toString("hex"));
        }
      }
    }
  });

  it("declines bytes that are not UTF-8, so the reader reports the line as before", () => {
    const valid = Buffer.from('{"model":"grok-4","messages":[{"role":"user","content":"é"}]}');
    expect(encodeCompactLine(new ChatEncoder(undefined), valid)).toBeDefined();
    for (const bad of [[0xc3, 0x28], [0xe0, 0x9f, 0xbf], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0xef, 0xbb]]) {
      const bytes = Buffer.concat([valid.subarray(0, 48), Buffer.from(bad), valid.subarray(48)]);
      expect(lineText({ bytes })).toBeUndefined();
      expect(encodeCompactLine(new ChatEncoder(undefined), bytes)).toBeUndefined();
    }
  });
});

/** What an add makes of `inputs`: each request's id and bytes, or each refusal's index, id, field and message. */
function addOutcome(inputs: unknown[], autoIds: boolean): (EncodedRequest | string)[] {
  const refused: string[] = [];
  const encoder = new RequestEncoder(normalise, autoIds, (error) => refused.push(`${error.index} ${error.batchRequestId} ${error.field} ${error.message}`), new ChatEncoder(models, builtRequest));
  try {
    return [...encoder.encodeMany(inputs, 0), ...refused];
  } catch (error) {
    return [...refused, error instanceof InputError ? `${error.index} ${error.message}` : (error as Error).message];
  }
}

describe("an add of encoded lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "xai-batch-compact-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;

  /** The rows a file gives through `take` (parsed) or `takeRow` (encoded where it can), with the bad lines and counts. */
  async function readAll(path: string, encoded: boolean) {
    const bad: [number, string][] = [];
    const stats: InputStats = { lines: 0, requests: 0, badLines: 0 };
    const position = { bytesRead: 0, totalBytes: 0 };
    const reader = new RequestLineReader(path, { onBadLine: (n, reason) => bad.push([n, reason]), stats, position });
    const rows: { line: number; row: unknown }[] = [];
    try {
      do {
        if (encoded) for (let row = reader.takeRow(); row !== undefined; row = reader.takeRow()) rows.push({ line: reader.line, row });
        else for (let input = reader.take(); input !== undefined; input = reader.take()) rows.push({ line: input.line, row: input.row });
      } while (await reader.more());
    } catch (error) {
      bad.push([-1, (error as Error).message]);
    } finally {
      await reader.close();
    }
    return { rows, bad, stats, position };
  }

  it("stores the same requests with the same ids (automatic ones too), and refuses the same lines with the same errors, as parsed rows", async () => {
    // Lines as a file holds them: no line break inside, and repeated lines (repeated content, repeated ids).
    const fileLine = line.map((l) => l.replaceAll("\n", " "));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fileLine, fc.constantFrom('{"model":"grok-9","messages":[{"role":"user","content":"other model"}]}')), { maxLength: 12 }), fc.boolean(), async (lines, autoIds) => {
        const path = join(dir, `f${files++}.jsonl`);
        writeFileSync(path, [...lines, ...lines.slice(0, 3)].join(files % 2 === 0 ? "\n" : "\r\n"));
        const parsed = await readAll(path, false);
        const encoded = await readAll(path, true);
        expect(encoded.bad).toEqual(parsed.bad);
        expect(encoded.stats).toEqual(parsed.stats);
        expect(encoded.position).toEqual(parsed.position);
        expect(encoded.rows.map((r) => r.line)).toEqual(parsed.rows.map((r) => r.line));
        expect(addOutcome(encoded.rows.map((r) => r.row), autoIds)).toEqual(addOutcome(parsed.rows.map((r) => r.row), autoIds));
      }),
      { numRuns: 300 },
    );
  });

  it("gives a line without an id the automatic id it gets parsed, the same in every run", () => {
    const bytes = Buffer.from('{"model":"grok-4","messages":[{"role":"user","content":"same"}]}');
    const lineOnce = () => addOutcome([encodeCompactLine(new ChatEncoder(undefined), bytes), encodeCompactLine(new ChatEncoder(undefined), bytes)], true) as EncodedRequest[];
    const parsed = addOutcome([JSON.parse(bytes.toString()), JSON.parse(bytes.toString())], true) as EncodedRequest[];
    expect(lineOnce().map((r) => r.id)).toEqual(parsed.map((r) => r.id));
    expect(lineOnce().map((r) => r.id)).toEqual(["auto-" + parsed[0]!.id!.slice(5), `${parsed[0]!.id}-2`]);
    expect(lineOnce()).toEqual(parsed);
  });

  it("leaves a line whose model the add does not allow to the normaliser, which refuses the row it holds", () => {
    const bytes = Buffer.from('{"id":"a","model":"grok-9","messages":[{"role":"user","content":"Hi"}]}');
    const encoded = encodeCompactLine(new ChatEncoder(undefined), bytes);
    expect(encoded).toBeInstanceOf(EncodedLine);
    const refusal = addOutcome([encoded], true);
    expect(refusal).toEqual(addOutcome([JSON.parse(bytes.toString())], true));
    expect(refusal[0]).toMatch(/^0 a model .*"grok-9", which the Batch API does not serve/);
  });
});
