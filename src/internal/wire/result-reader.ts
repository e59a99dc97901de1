import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader, getTextEncoding, WireType } from "@bufbuild/protobuf/wire";
import {
  viewFields,
  type CompletionFields,
  type ImageFields,
  type OutputFields,
  type ResultFields,
  type ResultViewFields,
  type ToolCallFields,
  type UsageFields,
  type VideoFields,
} from "../../views/internal/result-fields.js";
import type { ResultView } from "../../views/results.js";
import { BatchResultSchema, type BatchResult } from "../../core/internal/wire.js";
import { decodeFailure } from "./decoded-result.js";

/**
 * The view of one encoded xai_api.BatchResult, equal to the general path's viewDecodedResult (protobuf-es
 * decodes it whole, then viewResult) but reading only the fields a view shows; `raw` is decoded in full
 * on first use. Decoding whole pages with protobuf-es was most of the client's time when paging through
 * results (bench scenario 4). Fields the view does not read are checked only when `raw` is read.
 */
export function viewResultBytes(bytes: Uint8Array): ResultView {
  let view: ResultViewFields;
  try {
    view = viewFields(readResult(cursor.reset(bytes)));
  } catch (error) {
    throw decodeFailure(error);
  }
  // A copy: the bytes are a view into the whole page's buffer, which a kept view (say, only the failures)
  // would otherwise hold alive. Buffer.from copies small results into Node's shared pool, 2-4x cheaper
  // than slice(). One shared getter, not a closure per view: closures cost microseconds per result.
  Object.defineProperty(view, resultBytes, { value: Buffer.from(bytes) });
  return Object.defineProperty(view, "raw", lazyRaw) as ResultView;
}

/** Where a view keeps its result's bytes until `raw` is read; not enumerable, so not in JSON, spreads or logs. */
const resultBytes = Symbol("xai-batch result bytes");

const lazyRaw: PropertyDescriptor = {
  enumerable: false,
  configurable: true,
  get(this: { [resultBytes]: Uint8Array }): BatchResult {
    let raw: BatchResult;
    try {
      raw = fromBinary(BatchResultSchema, this[resultBytes]);
    } catch (error) {
      throw decodeFailure(error);
    }
    // From now on a plain value, as viewResult's `raw` is.
    Object.defineProperty(this, "raw", { value: raw, enumerable: false, configurable: false });
    return raw;
  },
};

// The readers below follow protobuf-es's fromBinary (2.x) field for field, so that equal bytes give equal
// fields: a field is dispatched by its number (not its wire type), the last value of a scalar wins, a
// singular message met again is merged into the one before, a oneof keeps its value only while the same
// case repeats, unknown fields are skipped with the recursion budget fromBinary leaves at that depth,
// and strings are strict UTF-8. test/result-reader.test.ts compares both over generated results.

/** protobuf-es's default recursion limit; a message at depth d leaves `limit - d` for skipping groups. */
const recursionLimit = 100;
/** Longest string read by the ASCII path, as BinaryReader does. */
const asciiMaxLength = 32;
const utf8 = getTextEncoding();
// WireType's values, as constants: read through the module's export on each use, they showed in profiles.
const varint = WireType.Varint;
const bit64 = WireType.Bit64;
const lengthDelimited = WireType.LengthDelimited;
const bit32 = WireType.Bit32;

/**
 * BinaryReader's reads (varint32read, tag, skip, string) on one reused cursor, without the arrays and
 * subarrays each of them allocates: at a million results those allocations were most of the GC's work.
 * Skipping a group (deprecated, rare) is BinaryReader's own, over the rest of the bytes.
 */
class Cursor {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  len = 0;

  reset(buf: Uint8Array): this {
    this.buf = buf;
    this.pos = 0;
    this.len = buf.length;
    return this;
  }

  private assertBounds(): void {
    if (this.pos > this.len) throw new RangeError("premature EOF");
  }

  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    let result = b & 0x7f;
    if ((b & 0x80) !== 0) {
      b = buf[this.pos++]!;
      result |= (b & 0x7f) << 7;
      if ((b & 0x80) !== 0) {
        b = buf[this.pos++]!;
        result |= (b & 0x7f) << 14;
        if ((b & 0x80) !== 0) {
          b = buf[this.pos++]!;
          result |= (b & 0x7f) << 21;
          if ((b & 0x80) !== 0) {
            b = buf[this.pos++]!;
            result |= (b & 0x0f) << 28;
            for (let readBytes = 5; (b & 0x80) !== 0 && readBytes < 10; readBytes++) b = buf[this.pos++]!;
            if ((b & 0x80) !== 0) throw new Error("invalid varint");
            this.assertBounds();
            return result >>> 0;
          }
        }
      }
    }
    this.assertBounds();
    return result;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  /** The next tag as `fieldNo << 3 | wireType`. */
  tag(): number {
    const start = this.pos;
    const tag = this.uint32();
    const bytesRead = this.pos - start;
    if (bytesRead > 5 || (bytesRead === 5 && this.buf[this.pos - 1]! > 0x0f)) throw new Error("illegal tag: varint overflows uint32");
    if (tag >>> 3 <= 0 || (tag & 7) > 5) throw new Error(`illegal tag: field no ${tag >>> 3} wire type ${tag & 7}`);
    return tag;
  }

  skip(tag: number, depth: number): void {
    switch (tag & 7) {
      case varint:
        while (this.buf[this.pos++]! & 0x80) {
          // the varint's bytes
        }
        break;
      case bit64:
        this.pos += 8;
        break;
      case bit32:
        this.pos += 4;
        break;
      case lengthDelimited: {
        const len = this.uint32();
        this.pos += len;
        break;
      }
      default: {
        const reader = new BinaryReader(this.buf.subarray(this.pos));
        reader.skip(tag & 7, tag >>> 3, recursionLimit - depth);
        this.pos += reader.pos;
      }
    }
    this.assertBounds();
  }

  /** varint64read and protoInt64.dec of protobuf-es. */
  int64(): bigint {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = buf[this.pos++]!;
      lo |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.int64Of(lo, hi);
    }
    const middle = buf[this.pos++]!;
    lo |= (middle & 0x0f) << 28;
    hi = (middle & 0x70) >> 4;
    if ((middle & 0x80) === 0) return this.int64Of(lo, hi);
    for (let shift = 3; shift <= 31; shift += 7) {
      const b = buf[this.pos++]!;
      hi |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.int64Of(lo, hi);
    }
    throw new Error("invalid varint");
  }

  private readonly int64View = new DataView(new ArrayBuffer(8));

  private int64Of(lo: number, hi: number): bigint {
    this.assertBounds();
    this.int64View.setInt32(0, lo, true);
    this.int64View.setInt32(4, hi, true);
    return this.int64View.getBigInt64(0, true);
  }

  string(): string {
    const len = this.uint32();
    const start = this.pos;
    this.pos += len;
    this.assertBounds();
    const buf = this.buf;
    if (len <= asciiMaxLength) {
      let text = "";
      for (let i = start; i < this.pos; i++) {
        const byte = buf[i]!;
        if (byte > 0x7f) return utf8.decodeUtf8(buf.subarray(start, this.pos), true);
        text += String.fromCharCode(byte);
      }
      return text;
    }
    return utf8.decodeUtf8(buf.subarray(start, this.pos), true);
  }

  /** Steps over a length-delimited value without reading it. */
  skipBytes(): void {
    const len = this.uint32();
    this.pos += len;
    this.assertBounds();
  }
}

const cursor = new Cursor();

function readResult(r: Cursor): ResultFields {
  let batchRequestId = "";
  let result: ResultFields["result"] = { case: undefined };
  const end = r.len;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) batchRequestId = r.string();
    else if (no === 3) result = { case: "error", value: readStatus(r, result.case === "error" ? result.value : undefined) };
    else if (no === 4)
      result = { case: "response", value: { response: readResultData(r, result.case === "response" ? result.value.response : undefined) } };
    else r.skip(tag, 1);
  }
  return { batchRequestId, result };
}

function readStatus(r: Cursor, prev: { code: number; message: string } | undefined): { code: number; message: string } {
  let code = prev?.code ?? 0;
  let message = prev?.message ?? "";
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) code = r.int32();
    else if (no === 2) message = r.string();
    else r.skip(tag, 2);
  }
  return { code, message };
}

type ResponseFields = ResultFields["result"] extends infer R
  ? R extends { case: "response"; value: { response: infer F } }
    ? F
    : never
  : never;

function readResultData(r: Cursor, prev: ResponseFields | undefined): ResponseFields {
  let response: ResponseFields = prev ?? { case: undefined };
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 2)
      response = {
        case: "completionResponse",
        value: readCompletion(r, response.case === "completionResponse" ? response.value : undefined),
      };
    else if (no === 3)
      response = { case: "imageResponse", value: readImage(r, response.case === "imageResponse" ? response.value : undefined) };
    else if (no === 4)
      response = { case: "videoResponse", value: readVideo(r, response.case === "videoResponse" ? response.value : undefined) };
    else r.skip(tag, 2);
  }
  return response;
}

function readCompletion(r: Cursor, prev: CompletionFields | undefined): CompletionFields {
  let model = prev?.model ?? "";
  // Only the first output is shown; the others are still read past (and checked with `raw`).
  const outputs = prev?.outputs.slice() ?? [];
  let usage = prev?.usage;
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 2 && outputs.length === 0) outputs.push(readOutput(r));
    else if (no === 6) model = r.string();
    else if (no === 9) usage = readUsage(r, usage);
    else r.skip(tag, 3);
  }
  return { model, outputs, usage };
}

function readOutput(r: Cursor): OutputFields {
  let finishReason = 0;
  let message: OutputFields["message"];
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) finishReason = r.int32();
    else if (no === 3) message = readOutputMessage(r, message);
    else r.skip(tag, 4);
  }
  return { finishReason, message };
}

function readOutputMessage(r: Cursor, prev: OutputFields["message"]): NonNullable<OutputFields["message"]> {
  let content = prev?.content ?? "";
  let reasoningContent = prev?.reasoningContent ?? "";
  const toolCalls = prev?.toolCalls.slice() ?? [];
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) content = r.string();
    else if (no === 4) reasoningContent = r.string();
    else if (no === 3) toolCalls.push(readToolCall(r));
    else r.skip(tag, 5);
  }
  return { content, reasoningContent, toolCalls };
}

function readToolCall(r: Cursor): ToolCallFields {
  let id = "";
  let tool: ToolCallFields["tool"] = { case: undefined };
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) id = r.string();
    else if (no === 10) tool = { case: "function", value: readFunctionCall(r, tool.value) };
    else r.skip(tag, 6);
  }
  return { id, tool };
}

function readFunctionCall(r: Cursor, prev: { name: string; arguments: string } | undefined): { name: string; arguments: string } {
  let name = prev?.name ?? "";
  let args = prev?.arguments ?? "";
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) name = r.string();
    else if (no === 2) args = r.string();
    else r.skip(tag, 7);
  }
  return { name, arguments: args };
}

function readImage(r: Cursor, prev: ImageFields | undefined): ImageFields {
  let model = prev?.model ?? "";
  const images = prev?.images.slice() ?? [];
  let usage = prev?.usage;
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) images.push(readGeneratedImage(r));
    else if (no === 2) model = r.string();
    else if (no === 3) usage = readUsage(r, usage);
    else r.skip(tag, 3);
  }
  return { model, images, usage };
}

function readGeneratedImage(r: Cursor): ImageFields["images"][number] {
  let image: ImageFields["images"][number]["image"] = { case: undefined };
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    // A base64 image can be megabytes the view does not show: only its case is kept (its text is in `raw`).
    if (no === 1) {
      r.skipBytes();
      image = { case: "base64" };
    } else if (no === 3) image = { case: "url", value: r.string() };
    else r.skip(tag, 4);
  }
  return { image };
}

function readVideo(r: Cursor, prev: VideoFields | undefined): VideoFields {
  let model = prev?.model ?? "";
  let video = prev?.video;
  let usage = prev?.usage;
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) video = readGeneratedVideo(r, video);
    else if (no === 2) model = r.string();
    else if (no === 3) usage = readUsage(r, usage);
    else r.skip(tag, 3);
  }
  return { model, video, usage };
}

function readGeneratedVideo(r: Cursor, prev: { url: string } | undefined): { url: string } {
  let url = prev?.url ?? "";
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) url = r.string();
    else r.skip(tag, 4);
  }
  return { url };
}

function readUsage(r: Cursor, prev: UsageFields | undefined): UsageFields {
  let completionTokens = prev?.completionTokens ?? 0;
  let reasoningTokens = prev?.reasoningTokens ?? 0;
  let promptTokens = prev?.promptTokens ?? 0;
  let totalTokens = prev?.totalTokens ?? 0;
  let cachedPromptTextTokens = prev?.cachedPromptTextTokens ?? 0;
  let promptImageTokens = prev?.promptImageTokens ?? 0;
  let costInUsdTicks = prev?.costInUsdTicks;
  const end = r.uint32() + r.pos;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === 1) completionTokens = r.int32();
    else if (no === 6) reasoningTokens = r.int32();
    else if (no === 2) promptTokens = r.int32();
    else if (no === 3) totalTokens = r.int32();
    else if (no === 7) cachedPromptTextTokens = r.int32();
    else if (no === 5) promptImageTokens = r.int32();
    else if (no === 11) costInUsdTicks = r.int64();
    else r.skip(tag, 4);
  }
  return { completionTokens, reasoningTokens, promptTokens, totalTokens, cachedPromptTextTokens, promptImageTokens, costInUsdTicks };
}
