import { isMessage } from "@bufbuild/protobuf";
import { chatCompletionsUrl } from "../../requests/internal/openai-line.js";
import {
  chatFieldNamed,
  inRange,
  openAiAliases,
  openAiRoleAliases,
  paramRanges,
  roleWords,
  type ParamRange,
} from "../../requests/internal/openai-mapping.js";
import {
  BatchRequestSchema,
  ContentSchema,
  GetCompletionsRequestSchema,
  MessageRole,
  MessageSchema,
  type BatchRequest,
  type GetCompletionsRequest,
  type Message,
} from "../../core/internal/wire.js";
import { ByteArena } from "./byte-arena.js";
import { varintSize } from "../add/chunking.js";

/**
 * The common request, a text-only chat completion, encoded straight to the bytes protobuf-es's `toBinary`
 * gives for what the normaliser (requests/add-input.ts) makes of it, without `fromJson`, message objects or
 * protobuf-es's growing writer: on short prompts those cost more than twice the encoding itself.
 *
 * It covers, in each input shape `add` takes (the compact chat form, an OpenAI batch line, protobuf JSON
 * of a BatchRequest, a BatchRequest message, a ChatRequest), the id, the model, messages of roles user,
 * system and assistant (and developer, in an OpenAI line) with text content, and the parameters
 * `max_tokens`, `n`, `seed`, `temperature`, `top_p`, `frequency_penalty`, `presence_penalty`, `stop` and
 * `user`. It takes only a request the normaliser would accept as it stands: anything else (another key,
 * shape or type, a value the normaliser converts or refuses, a model outside `models`) is declined, and
 * the caller hands that input to the normaliser, so what is refused is refused with the same error.
 */
export class ChatEncoder {
  /** The batch_request_id of the request `encode` last accepted, if it has one. */
  id: string | undefined;
  private readonly fields = sharedFields;
  private readonly arena = new ByteArena();
  private readonly writer = sharedWriter;

  /**
   * `models` undefined accepts every model, as the normaliser's does. `built` gives the BatchRequest of a
   * request made with the library's builders (a ChatRequest), which this layer cannot know by its class;
   * without it such a request is left to the normaliser.
   */
  constructor(
    private readonly models: ReadonlySet<string> | undefined,
    private readonly built?: (input: unknown) => BatchRequest | undefined,
  ) {}

  /**
   * The encoded BatchRequest of `input`, or undefined when the input is not one this encoder covers. The
   * bytes are a view of a buffer shared with the requests encoded next to it, never written again.
   */
  encode(input: unknown): Uint8Array | undefined {
    const f = this.fields;
    f.reset();
    if (!read(this.built?.(input) ?? input, f)) return undefined;
    if (isBlank(f.model) || (this.models !== undefined && !this.models.has(f.model))) return undefined;
    if (f.id !== undefined && isBlank(f.id)) return undefined;
    if (f.messages === 0) return undefined;
    this.id = f.id;
    return this.write(f);
  }

  private write(f: ChatFields): Uint8Array {
    const completion = f.size();
    const idBytes = f.id === undefined ? 0 : utf8Length(f.id);
    const total = (f.id === undefined ? 0 : 1 + varintSize(idBytes) + idBytes) + 1 + varintSize(completion) + completion;
    const arena = this.arena;
    arena.reserve(total);
    const w = this.writer;
    w.start(arena.chunk, arena.text, arena.used);
    if (f.id !== undefined) w.string(0x0a, f.id, idBytes);
    w.byte(0x12);
    w.varint(completion);
    f.writeCompletion(w);
    return arena.commit(w.end());
  }
}

/** The parameters by slot: the numeric ones by their slot in ChatFields.numbers, ints before floats, then `user` and `stop`. */
const numericFields = [
  "maxTokens",
  "n",
  "seed",
  "temperature",
  "topP",
  "frequencyPenalty",
  "presencePenalty",
] as const satisfies readonly (keyof typeof paramRanges)[];
const slotFields = [...numericFields, "user", "stop"] as const;
const maxTokens = 0;
const n = 1;
const seed = 2;
const temperature = 3;
const topP = 4;
const frequencyPenalty = 5;
const presencePenalty = 6;
const user = 7;
const stop = 8;

/** Ranges of the numeric parameters by slot, as `client.chat.create` checks them. */
const ranges: readonly ParamRange[] = numericFields.map((field) => paramRanges[field]);
const firstFloat = temperature;

/** The fields of one request, filled by a reader and encoded from; reused from request to request. */
class ChatFields {
  id: string | undefined;
  model = "";
  /**
   * Per message: its role, and the end of its texts in `texts`; `messages` of them are this request's.
   * The arrays are kept from request to request and counted, not cut: setting an array's length is a
   * call into the runtime, which costs more than the rest of reading a short request.
   */
  readonly roles: number[] = [];
  readonly textEnds: number[] = [];
  messages = 0;
  readonly texts: string[] = [];
  textCount = 0;
  /** The numeric parameters by slot; `present` has bit `slot` set for each one given. */
  readonly numbers = new Float64Array(7);
  present = 0;
  user = "";
  readonly stop: string[] = [];
  stopCount = 0;
  /** Sizes computed by `size`, used by `writeCompletion`: per text its UTF-8 bytes, per message its body. */
  private readonly textBytes: number[] = [];
  private readonly messageBytes: number[] = [];
  private modelBytes = 0;
  private userBytes = 0;
  private readonly stopBytes: number[] = [];

  reset(): void {
    // The texts go too: these fields outlive every encoder (see sharedFields), and must not keep a request's strings.
    for (let i = 0; i < this.textCount; i++) this.texts[i] = "";
    for (let i = 0; i < this.stopCount; i++) this.stop[i] = "";
    this.id = undefined;
    this.model = "";
    this.messages = 0;
    this.textCount = 0;
    this.present = 0;
    this.user = "";
    this.stopCount = 0;
  }

  addText(text: string): void {
    this.texts[this.textCount++] = text;
  }

  /** Ends a message of `role` after the texts added since the last. */
  endMessage(role: number): void {
    this.roles[this.messages] = role;
    this.textEnds[this.messages++] = this.textCount;
  }

  addStop(text: string): void {
    this.stop[this.stopCount++] = text;
  }

  has(slot: number): boolean {
    return (this.present & (1 << slot)) !== 0;
  }

  /** Marks a parameter given; false if it already was, under its other spelling: protobuf JSON's reader judges that row. */
  mark(slot: number): boolean {
    if (this.has(slot)) return false;
    this.present |= 1 << slot;
    return true;
  }

  /** Bytes of the GetCompletionsRequest. */
  size(): number {
    let total = 0;
    let text = 0;
    for (let m = 0; m < this.messages; m++) {
      let body = 2; // the role: tag and a one-byte value
      for (const end = this.textEnds[m]!; text < end; text++) {
        const bytes = utf8Length(this.texts[text]!);
        this.textBytes[text] = bytes;
        const content = 1 + varintSize(bytes) + bytes;
        body += 1 + varintSize(content) + content;
      }
      this.messageBytes[m] = body;
      total += 1 + varintSize(body) + body;
    }
    this.modelBytes = utf8Length(this.model);
    total += 1 + varintSize(this.modelBytes) + this.modelBytes;
    if (this.present !== 0) {
      for (let slot = 0; slot < firstFloat; slot++) if (this.has(slot)) total += 1 + int32Size(this.numbers[slot]!);
      for (let slot = firstFloat; slot < ranges.length; slot++) if (this.has(slot)) total += 5;
    }
    for (let i = 0; i < this.stopCount; i++) {
      const bytes = utf8Length(this.stop[i]!);
      this.stopBytes[i] = bytes;
      total += 1 + varintSize(bytes) + bytes;
    }
    this.userBytes = utf8Length(this.user);
    if (this.userBytes > 0) total += 2 + varintSize(this.userBytes) + this.userBytes;
    return total;
  }

  /** Writes the GetCompletionsRequest `size` measured, fields in number order as protobuf-es does. */
  writeCompletion(w: Writer): void {
    let text = 0;
    for (let m = 0; m < this.messages; m++) {
      w.byte(0x0a); // messages = 1
      w.varint(this.messageBytes[m]!);
      for (const end = this.textEnds[m]!; text < end; text++) {
        const bytes = this.textBytes[text]!;
        w.byte(0x0a); // Message.content = 1
        w.varint(1 + varintSize(bytes) + bytes);
        w.string(0x0a, this.texts[text]!, bytes); // Content.text = 1
      }
      w.byte(0x10); // Message.role = 2
      w.byte(this.roles[m]!);
    }
    w.string(0x12, this.model, this.modelBytes); // model = 2
    this.float(w, frequencyPenalty, 0x1d); // 3
    this.int(w, maxTokens, 0x38); // 7
    this.int(w, n, 0x40); // 8
    this.float(w, presencePenalty, 0x4d); // 9
    this.int(w, seed, 0x58); // 11
    for (let i = 0; i < this.stopCount; i++) w.string(0x62, this.stop[i]!, this.stopBytes[i]!); // 12
    this.float(w, temperature, 0x75); // 14
    this.float(w, topP, 0x7d); // 15
    if (this.userBytes > 0) {
      w.byte(0x82); // user = 16: the tag's first byte; `string` writes its second
      w.string(0x01, this.user, this.userBytes);
    }
  }

  private int(w: Writer, slot: number, tag: number): void {
    if (!this.has(slot)) return;
    w.byte(tag);
    w.int32(this.numbers[slot]!);
  }

  private float(w: Writer, slot: number, tag: number): void {
    if (!this.has(slot)) return;
    w.byte(tag);
    w.float(this.numbers[slot]!);
  }
}

/** UTF-8 bytes of a string; an ASCII one's length is counted here, cheaper than a native call for short ones. */
function utf8Length(value: string): number {
  if (value.length < 16) {
    let i = 0;
    while (i < value.length && value.charCodeAt(i) < 0x80) i++;
    if (i === value.length) return i;
  }
  return Buffer.byteLength(value);
}

/** Whether `trim()` leaves nothing, without trimming a string that plainly starts with a visible character. */
function isBlank(value: string): boolean {
  const first = value.charCodeAt(0);
  return !(first > 0x20 && first < 0x7f) && value.trim() === "";
}

/** Bytes of an int32 on the wire: a negative one is sign-extended to ten. */
function int32Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

const floatScratch = new DataView(new ArrayBuffer(4));
const noBytes = new Uint8Array(0);
const noText = Buffer.alloc(0);

/** Writes protobuf's wire format at `at` into a buffer sized for it beforehand. */
class Writer {
  private bytes: Uint8Array = noBytes;
  private text: Buffer = noText;
  at = 0;

  /** Writes from now on into `bytes` (whose Buffer view is `text`) at `at`. */
  start(bytes: Uint8Array, text: Buffer, at: number): void {
    this.bytes = bytes;
    this.text = text;
    this.at = at;
  }

  /** Where the writing ended; lets go of the buffer, which the shared writer would otherwise keep past its add. */
  end(): number {
    this.bytes = noBytes;
    this.text = noText;
    return this.at;
  }

  byte(value: number): void {
    this.bytes[this.at++] = value;
  }

  varint(value: number): void {
    while (value >= 0x80) {
      this.bytes[this.at++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.at++] = value;
  }

  int32(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    // Two's complement in 64 bits: the low 32 bits, then 32 one-bits.
    let low = value >>> 0;
    for (let i = 0; i < 4; i++) {
      this.bytes[this.at++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    this.bytes[this.at++] = low | 0xf0;
    for (let i = 0; i < 4; i++) this.bytes[this.at++] = 0xff;
    this.bytes[this.at++] = 0x01;
  }

  float(value: number): void {
    floatScratch.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.bytes[this.at++] = floatScratch.getUint8(i);
  }

  /** A length-delimited string field whose UTF-8 length is `byteLength`. */
  string(tag: number, value: string, byteLength: number): void {
    this.bytes[this.at++] = tag;
    this.varint(byteLength);
    if (byteLength < 16) {
      // A native write costs more than the loop for the short ASCII strings ids and models are.
      if (byteLength === value.length) {
        for (let i = 0; i < byteLength; i++) this.bytes[this.at++] = value.charCodeAt(i);
        return;
      }
    }
    this.at += this.text.write(value, this.at, byteLength, "utf8");
  }
}

/**
 * The fields and the writer of every encoder, one of each for the process. Encoding is synchronous, so no
 * two requests are ever filled or written at once. Shared, their objects outlive each add, and so do the
 * maps (hidden classes) V8 gave them: per-add instances all die with their add, a full GC then collects
 * their maps, and V8 discards the optimized code of everything here that checked them (bench scenario 3,
 * encoding-cost, right after a full GC), which the next add pays for again.
 */
const sharedFields = new ChatFields();
const sharedWriter = new Writer();

type Row = Record<string, unknown>;

const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/** A string protobuf's JSON reader takes: it refuses one with a lone surrogate, which is not UTF-8. */
function isText(value: unknown): value is string {
  return typeof value === "string" && isWellFormed.call(value);
}

/** Fills `f` from any input shape this encoder covers; false for anything else. */
function read(input: unknown, f: ChatFields): boolean {
  if (input === null || typeof input !== "object") return false;
  if (isMessage(input, BatchRequestSchema)) {
    if (input.$unknown !== undefined || input.request?.case !== "completionRequest") return false;
    if (input.batchRequestId !== undefined && typeof input.batchRequestId !== "string") return false;
    f.id = input.batchRequestId;
    return readCompletion(input.request.value, f);
  }
  if (!isPlainObject(input)) return false;
  const row = input;
  if ("messages" in row) return readCompact(row, f);
  if ("custom_id" in row) return readOpenAiLine(row, f);
  return readProtobufJson(row, f);
}

/** Keys of the compact form and an OpenAI line's body, to their parameter slot. */
const snakeParams = new Map<string, number>(slotFields.map((field, slot) => [chatFieldNamed(field)!.openAi, slot]));
/** protobuf JSON (and the compact form, which hands other keys to it) takes a field by its JSON name or its proto name. */
const eitherParams = new Map<string, number>([...snakeParams, ...slotFields.map((field, slot) => [field, slot] as const)]);
/** An OpenAI body's keys, its aliases (max_completion_tokens) too. */
const openAiParams = new Map<string, number>([
  ...snakeParams,
  ...[...openAiAliases].map(([alias, key]) => [alias, snakeParams.get(key)!] as const),
]);

/** How one JSON form writes a chat request's model, messages and parameters. */
interface JsonForm {
  readonly params: ReadonlyMap<string, number>;
  /** Whether `stop` may be one string (the compact form's converter makes it a list). */
  readonly stopMayBeString: boolean;
  readonly messages: (value: unknown, f: ChatFields) => boolean;
}

/** The roles this encoder covers, those the compact form has words for; an OpenAI line has aliases for some. */
const compactRoles = new Map<unknown, number>(roleWords.pairs);
const openAiRoles = new Map<unknown, number>([
  ...compactRoles,
  ...[...openAiRoleAliases].map(([alias, word]) => [alias, roleWords.value(word)!] as const),
]);
/** The same roles in protobuf JSON, by their enum names ("ROLE_USER"), and as message fields. */
const protobufRoles = new Map<unknown, number>(roleWords.pairs.map(([, role]) => [MessageRole[role], role]));
const messageRoles = new Set<number>(compactRoles.values());

const compactForm: JsonForm = {
  params: eitherParams,
  stopMayBeString: true,
  messages: (value, f) => readJsonMessages(value, f, compactRoles),
};
const openAiForm: JsonForm = {
  params: openAiParams,
  stopMayBeString: true,
  messages: (value, f) => readJsonMessages(value, f, openAiRoles),
};
const protobufForm: JsonForm = { params: eitherParams, stopMayBeString: false, messages: readProtobufJsonMessages };

/** One key of a chat request in `form`: its model, its messages, or a parameter; false for any other. */
function readChatKey(key: string, value: unknown, f: ChatFields, form: JsonForm): boolean {
  if (key === "model") {
    if (!isText(value)) return false;
    f.model = value;
    return true;
  }
  if (key === "messages") return form.messages(value, f);
  const slot = form.params.get(key);
  return slot !== undefined && readParam(slot, value, f, form.stopMayBeString);
}

/** `{"id", "model", "messages", ...}`, as compact-form.ts reads it. */
function readCompact(row: Row, f: ChatFields): boolean {
  for (const key in row) {
    const value = row[key];
    if (key === "id" || key === "batch_request_id" || key === "batchRequestId") {
      if (f.id !== undefined || !isText(value)) return false;
      f.id = value;
    } else if (!readChatKey(key, value, f, compactForm)) {
      return false;
    }
  }
  return true;
}

/** `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}`, as openai-line.ts reads it. */
function readOpenAiLine(row: Row, f: ChatFields): boolean {
  let body: unknown;
  for (const key in row) {
    const value = row[key];
    if (key === "custom_id") {
      if (!isText(value)) return false;
      f.id = value;
    } else if (key === "method") {
      if (value !== "POST") return false;
    } else if (key === "url") {
      if (value !== chatCompletionsUrl) return false;
    } else if (key === "body") {
      body = value;
    } else {
      return false;
    }
  }
  if (f.id === undefined || !isPlainObject(body)) return false;
  for (const key in body) if (!readChatKey(key, body[key], f, openAiForm)) return false;
  return true;
}

/** `{"batchRequestId", "completionRequest": {"model", "messages": [{"role": "ROLE_USER", "content": [{"text"}]}]}}`. */
function readProtobufJson(row: Row, f: ChatFields): boolean {
  let completion: unknown;
  for (const key in row) {
    const value = row[key];
    if (key === "batchRequestId" || key === "batch_request_id") {
      if (f.id !== undefined || !isText(value)) return false;
      f.id = value;
    } else if (key === "completionRequest" || key === "completion_request") {
      if (completion !== undefined) return false;
      completion = value;
    } else {
      return false;
    }
  }
  if (!isPlainObject(completion)) return false;
  for (const key in completion) if (!readChatKey(key, completion[key], f, protobufForm)) return false;
  return true;
}

function readProtobufJsonMessages(messages: unknown, f: ChatFields): boolean {
  if (!Array.isArray(messages)) return false;
  for (const m of messages) if (!readProtobufJsonMessage(m, f)) return false;
  return true;
}

function readProtobufJsonMessage(m: unknown, f: ChatFields): boolean {
  if (!isPlainObject(m)) return false;
  let role: number | undefined;
  let content: unknown;
  for (const key in m) {
    if (key === "role") role = protobufRoles.get(m[key]);
    else if (key === "content") content = m[key];
    else return false;
  }
  if (role === undefined || !Array.isArray(content)) return false;
  for (const part of content) {
    if (!isPlainObject(part)) return false;
    let text: unknown;
    for (const key in part) {
      if (key !== "text") return false;
      text = part[key];
    }
    if (!isText(text)) return false;
    f.addText(text);
  }
  f.endMessage(role);
  return true;
}

/** Messages of the compact form or an OpenAI body, whose role words are `roles`. */
function readJsonMessages(messages: unknown, f: ChatFields, roles: ReadonlyMap<unknown, number>): boolean {
  if (!Array.isArray(messages)) return false;
  for (const m of messages) {
    if (!isPlainObject(m)) return false;
    let role: number | undefined;
    let content: unknown;
    for (const key in m) {
      const value = m[key];
      if (key === "role") role = roles.get(value);
      else if (key === "content") content = value;
      else return false;
    }
    if (role === undefined) return false;
    if (isText(content)) {
      f.addText(content);
    } else {
      if (!Array.isArray(content) || content.length === 0) return false;
      for (const part of content) {
        const text = isText(part) ? part : textPart(part);
        if (text === undefined) return false;
        f.addText(text);
      }
    }
    f.endMessage(role);
  }
  return true;
}

/** The text of `{"type": "text", "text": ...}`. */
function textPart(part: unknown): string | undefined {
  if (!isPlainObject(part)) return undefined;
  let text: unknown;
  for (const key in part) {
    if (key === "text") text = part[key];
    else if (key !== "type" || part[key] !== "text") return undefined;
  }
  return isText(text) && part.type === "text" ? text : undefined;
}

/**
 * One parameter from JSON: numbers only as JSON numbers within the range `client.chat.create` allows,
 * `stop` as an array of strings (or, in the compact form, one string), `user` as a string.
 */
function readParam(slot: number, value: unknown, f: ChatFields, stopMayBeString: boolean): boolean {
  if (!f.mark(slot)) return false;
  if (slot === user) {
    if (!isText(value)) return false;
    f.user = value;
    return true;
  }
  if (slot === stop) {
    if (isText(value) && stopMayBeString) {
      f.addStop(value);
      return true;
    }
    if (!Array.isArray(value)) return false;
    for (const s of value) {
      if (!isText(s)) return false;
      f.addStop(s);
    }
    return true;
  }
  if (typeof value !== "number" || !inRange(value, ranges[slot]!)) return false;
  f.numbers[slot] = value;
  return true;
}

/**
 * A BatchRequest's GetCompletionsRequest message: covered when every field but those
 * this encoder writes holds its default, and those hold values of their declared types.
 */
function readCompletion(chat: GetCompletionsRequest, f: ChatFields): boolean {
  if (
    !isOf(chat, completionType) ||
    chat.$unknown !== undefined ||
    chat.logprobs !== false ||
    chat.topLogprobs !== undefined ||
    !isEmptyList(chat.tools) ||
    chat.toolChoice !== undefined ||
    chat.responseFormat !== undefined ||
    chat.reasoningEffort !== undefined ||
    chat.searchParameters !== undefined ||
    chat.parallelToolCalls !== undefined ||
    chat.previousResponseId !== undefined ||
    chat.storeMessages !== false ||
    chat.useEncryptedContent !== false ||
    chat.maxTurns !== undefined ||
    !isEmptyList(chat.include) ||
    chat.agentCount !== undefined ||
    typeof chat.model !== "string" ||
    typeof chat.user !== "string" ||
    !Array.isArray(chat.messages) ||
    !Array.isArray(chat.stop)
  ) {
    return false;
  }
  f.model = chat.model;
  f.user = chat.user;
  for (const s of chat.stop) {
    if (typeof s !== "string") return false;
    f.addStop(s);
  }
  if (!messageInt(chat.maxTokens, maxTokens, f) || !messageInt(chat.n, n, f) || !messageInt(chat.seed, seed, f)) return false;
  if (!messageFloat(chat.temperature, temperature, f) || !messageFloat(chat.topP, topP, f)) return false;
  if (!messageFloat(chat.frequencyPenalty, frequencyPenalty, f) || !messageFloat(chat.presencePenalty, presencePenalty, f)) return false;
  for (const m of chat.messages) if (!readInputMessage(m, f)) return false;
  return true;
}

const completionType = GetCompletionsRequestSchema.typeName;
const messageType = MessageSchema.typeName;
const contentType = ContentSchema.typeName;

/** isMessage for a nested message, whose own checks cost more than reading the message's fields. */
function isOf(value: unknown, typeName: string): boolean {
  return typeof value === "object" && value !== null && (value as { $typeName?: unknown }).$typeName === typeName;
}

function readInputMessage(m: Message, f: ChatFields): boolean {
  if (
    !isOf(m, messageType) ||
    m.$unknown !== undefined ||
    m.reasoningContent !== undefined ||
    m.name !== "" ||
    !isEmptyList(m.toolCalls) ||
    m.encryptedContent !== "" ||
    m.toolCallId !== undefined ||
    !messageRoles.has(m.role) ||
    !Array.isArray(m.content)
  ) {
    return false;
  }
  for (const part of m.content) {
    if (!isOf(part, contentType) || part.$unknown !== undefined || part.content?.case !== "text" || typeof part.content.value !== "string")
      return false;
    f.addText(part.content.value);
  }
  f.endMessage(m.role);
  return true;
}

/** An optional int32 of a message: what toBinary would write, if it is an int32 at all. */
function messageInt(value: number | undefined, slot: number, f: ChatFields): boolean {
  if (value === undefined) return true;
  if (typeof value !== "number" || (value | 0) !== value) return false;
  f.mark(slot);
  f.numbers[slot] = value;
  return true;
}

/** An optional float of a message; toBinary refuses a finite one that rounds to an infinite float32. */
function messageFloat(value: number | undefined, slot: number, f: ChatFields): boolean {
  if (value === undefined) return true;
  if (typeof value !== "number" || (Number.isFinite(value) && !Number.isFinite(Math.fround(value)))) return false;
  f.mark(slot);
  f.numbers[slot] = value;
  return true;
}

/** An empty array: a message's unset repeated field (anything else is not a message toBinary would take as it is). */
function isEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}

/** An object as JSON.parse makes them (or one without a prototype): no class, no message, no array. */
function isPlainObject(value: unknown): value is Row {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
