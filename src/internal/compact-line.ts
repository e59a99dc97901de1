import { ChatEncoder, compactRoles, eitherParams, isText, readNumber, stop, user, type ChatFields } from "./chat-encoder.js";
import { EncodedLine } from "./encoded-line.js";

/**
 * A compact chat line (compact-form.ts) encoded from its UTF-8 bytes as ChatEncoder.encode encodes the row
 * JSON.parse makes of it, without JSON.parse: no row, no strings for the texts (a text without escapes is
 * copied from the line as it is), so nothing per line for the garbage collector but the ids and models.
 *
 * It recognises only the common line: one object of the compact form's keys, each once (an id, `model`,
 * `messages` of objects with just `role` and `content`, content a string or parts that are strings or
 * `{"type": "text", "text"}`, and the numeric, `stop` and `user` parameters), JSON whitespace, strings
 * of valid UTF-8 (with escapes, those are read by JSON.parse), and numbers in JSON's grammar. Anything
 * else (another key, a key twice, an escape in a key, a BOM, a value the chat encoder declines, a line
 * that is not JSON) is undefined: the caller reads that line as before (decoded, JSON.parse, the
 * normaliser), so what is refused is refused with the same error.
 */
export function encodeCompactLine(encoder: ChatEncoder, line: Buffer): EncodedLine | undefined {
  const bytes = encoder.encodeFilled(scan, line);
  return bytes === undefined ? undefined : new EncodedLine(bytes, encoder.id, encoder.model, line);
}

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

/** `more`'s answers: another item follows, the object or array closed, or neither (not a line we read). */
const another = 1;
const closed = 0;
const broken = -1;

/** Keys by code: an id's three spellings share one; a parameter's code is its slot. */
const idKey = 100;
const modelKey = 101;
const messagesKey = 102;
const roleKey = 103;
const contentKey = 104;
const typeKey = 105;
const textKey = 106;
const keyCodes: [string, number][] = [
  ["id", idKey],
  ["batch_request_id", idKey],
  ["batchRequestId", idKey],
  ["model", modelKey],
  ["messages", messagesKey],
  ["role", roleKey],
  ["content", contentKey],
  ["type", typeKey],
  ["text", textKey],
  ...eitherParams,
];
/** The keys by their length in bytes, for matching a key's bytes without making it a string. */
const keysByLength: { readonly bytes: Buffer; readonly code: number }[][] = [];
for (const [key, code] of keyCodes) (keysByLength[key.length] ??= []).push({ bytes: Buffer.from(key), code });

const roleWords = [...compactRoles].map(([word, role]) => ({ bytes: Buffer.from(word as string), code: role }));
const typeWord = Buffer.from("text");

/** 1 for the bytes a string may hold as they are and that end no run of them: printable ASCII but `"` and `\\`. */
const plain = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) plain[c] = c === quote || c === backslash ? 0 : 1;

/** Reads one line into the fields; its state is the line and the position in it. */
class Scanner {
  private s: Buffer = Buffer.alloc(0);
  private at = 0;
  /** The model of the line before, and its bytes: most lines name the same one, which then needs no new string. */
  private lastModel = "";
  private lastModelBytes: Buffer = Buffer.alloc(0);
  /** The last string `string` read: its content `s[start, end)`, and what it holds. */
  private start = 0;
  private end = 0;
  private escaped = false;
  private ascii = true;
  /** The line's buffer as 32-bit words, for `plainRun`. */
  private words: Int32Array = new Int32Array(0);

  scan(line: Buffer, f: ChatFields): boolean {
    this.s = line;
    this.at = 0;
    if (this.words.buffer !== line.buffer) this.words = new Int32Array(line.buffer, 0, line.buffer.byteLength >> 2);
    let model = false;
    let messages = false;
    if (!this.opens(openBrace)) return false;
    let next: number;
    do {
      const key = this.key();
      if (key === idKey) {
        if (f.id !== undefined) return false;
        f.id = this.text();
        if (f.id === undefined) return false;
      } else if (key === modelKey) {
        const value = this.model();
        if (model || value === undefined) return false;
        model = true;
        f.model = value;
      } else if (key === messagesKey) {
        if (messages || !this.messages(f)) return false;
        messages = true;
      } else if (key >= 0 && key < idKey) {
        if (!f.mark(key) || !this.param(key, f)) return false;
      } else {
        return false;
      }
      next = this.more(closeBrace);
    } while (next === another);
    if (next === broken || !model || !messages) return false;
    this.skipSpace();
    return this.at === this.s.length;
  }

  /** `{"role": ..., "content": ...}`, in either order. */
  private message(f: ChatFields): boolean {
    if (!this.opens(openBrace)) return false;
    let role = 0;
    let content = false;
    let next: number;
    do {
      const key = this.key();
      if (key === roleKey && role === 0) {
        role = this.role();
        if (role === 0) return false;
      } else if (key === contentKey && !content) {
        if (!this.content(f)) return false;
        content = true;
      } else {
        return false;
      }
      next = this.more(closeBrace);
    } while (next === another);
    if (next === broken || role === 0 || !content) return false;
    f.endMessage(role);
    return true;
  }

  private messages(f: ChatFields): boolean {
    if (!this.opens(openBracket)) return false;
    let next: number;
    do {
      if (!this.message(f)) return false;
      next = this.more(closeBracket);
    } while (next === another);
    return next === closed;
  }

  /** A string, or a non-empty array of strings and `{"type": "text", "text": ...}` parts. */
  private content(f: ChatFields): boolean {
    this.skipSpace();
    if (this.s[this.at] === quote) return this.textInto(f);
    if (!this.opens(openBracket)) return false;
    let next: number;
    do {
      this.skipSpace();
      if (!(this.s[this.at] === quote ? this.textInto(f) : this.part(f))) return false;
      next = this.more(closeBracket);
    } while (next === another);
    return next === closed;
  }

  private part(f: ChatFields): boolean {
    if (!this.opens(openBrace)) return false;
    let type = false;
    let text = false;
    let next: number;
    do {
      const key = this.key();
      if (key === typeKey && !type) {
        if (!this.unescapedString() || !this.isWord(typeWord)) return false;
        type = true;
      } else if (key === textKey && !text) {
        this.skipSpace();
        if (this.s[this.at] !== quote || !this.textInto(f)) return false;
        text = true;
      } else {
        return false;
      }
      next = this.more(closeBrace);
    } while (next === another);
    return next === closed && type && text;
  }

  private param(slot: number, f: ChatFields): boolean {
    if (slot === user) {
      const value = this.text();
      if (value === undefined) return false;
      f.user = value;
      return true;
    }
    if (slot === stop) {
      this.skipSpace();
      if (this.s[this.at] === quote) {
        const value = this.text();
        if (value === undefined) return false;
        f.addStop(value);
        return true;
      }
      if (!this.opens(openBracket)) return false;
      this.skipSpace();
      if (this.s[this.at] === closeBracket) {
        this.at++;
        return true;
      }
      let next: number;
      do {
        const value = this.text();
        if (value === undefined) return false;
        f.addStop(value);
        next = this.more(closeBracket);
      } while (next === another);
      return next === closed;
    }
    const value = this.number();
    return value !== undefined && readNumber(slot, value, f);
  }

  /** A number in JSON's grammar, read as JSON.parse reads it. */
  private number(): number | undefined {
    this.skipSpace();
    const s = this.s;
    const start = this.at;
    let at = start;
    const negative = s[at] === 0x2d;
    if (negative) at++;
    const first = at;
    if (s[at] === 0x30) at++;
    else while (isDigit(s[at])) at++;
    if (at === first) return undefined;
    const integerEnd = at;
    if (s[at] === 0x2e) {
      at++;
      if (!isDigit(s[at])) return undefined;
      while (isDigit(s[at])) at++;
    }
    if (s[at] === 0x65 || s[at] === 0x45) {
      at++;
      if (s[at] === 0x2b || s[at] === 0x2d) at++;
      if (!isDigit(s[at])) return undefined;
      while (isDigit(s[at])) at++;
    }
    this.at = at;
    // Integers of up to 15 digits are exact in a double; anything else is left to the runtime's own conversion.
    if (at === integerEnd && at - first <= 15) {
      let value = 0;
      for (let i = first; i < at; i++) value = value * 10 + (s[i]! - 0x30);
      return negative ? -value : value;
    }
    return Number(s.toString("latin1", start, at));
  }

  /** A role word: its wire value, or 0. */
  private role(): number {
    return this.unescapedString() ? Math.max(0, this.code(roleWords)) : 0;
  }

  /** Reads the string ahead (after any space): false if there is none, or it has escapes. */
  private unescapedString(): boolean {
    this.skipSpace();
    return this.s[this.at] === quote && this.string() && !this.escaped;
  }

  /** Whether the string `string` read last is `word`. */
  private isWord(word: Buffer): boolean {
    const length = word.length;
    if (this.end - this.start !== length) return false;
    for (let i = 0; i < length; i++) if (this.s[this.start + i] !== word[i]) return false;
    return true;
  }

  /** The code of the word among `words` that the string `string` read last is; -1 for none. */
  private code(words: readonly { readonly bytes: Buffer; readonly code: number }[] | undefined): number {
    if (words !== undefined) for (const word of words) if (this.isWord(word.bytes)) return word.code;
    return -1;
  }

  /** The model: the line before's string when the bytes are the same. */
  private model(): string | undefined {
    this.skipSpace();
    if (this.s[this.at] !== quote || !this.string()) return undefined;
    if (!this.escaped && this.isWord(this.lastModelBytes)) return this.lastModel;
    const model = this.decoded();
    if (model !== undefined && !this.escaped) {
      this.lastModel = model;
      this.lastModelBytes = Buffer.from(this.s.subarray(this.start, this.end));
    }
    return model;
  }

  /** A message text: its bytes as they are, or (with escapes) the string JSON.parse reads. */
  private textInto(f: ChatFields): boolean {
    if (!this.string()) return false;
    if (!this.escaped) {
      f.addTextBytes(this.s, this.start, this.end);
      return true;
    }
    const value = this.unescaped();
    if (value === undefined) return false;
    f.addText(value);
    return true;
  }

  /** A string value, as JSON.parse reads it; undefined for anything else, or one protobuf would refuse. */
  private text(): string | undefined {
    this.skipSpace();
    if (this.s[this.at] !== quote || !this.string()) return undefined;
    return this.decoded();
  }

  /** The string `string` read last. */
  private decoded(): string | undefined {
    if (this.escaped) return this.unescaped();
    const s = this.s as unknown as Slices;
    return this.ascii ? s.latin1Slice(this.start, this.end) : s.utf8Slice(this.start, this.end);
  }

  private unescaped(): string | undefined {
    let value: unknown;
    try {
      value = JSON.parse(this.s.toString("utf8", this.start - 1, this.end + 1));
    } catch {
      return undefined;
    }
    return isText(value) ? value : undefined;
  }

  /** A key without escapes and the colon after it: its code, or -1 for any other. */
  private key(): number {
    if (!this.unescapedString()) return -1;
    const key = this.code(keysByLength[this.end - this.start]);
    this.skipSpace();
    if (this.s[this.at] !== colon) return -1;
    this.at++;
    return key;
  }

  /**
   * The string at `at` (its opening quote): sets `start`, `end`, `escaped` and `ascii`. False for a string
   * JSON.parse or the UTF-8 decoder would refuse: unterminated, a raw control character, bytes that are not UTF-8.
   */
  private string(): boolean {
    const s = this.s;
    const length = s.length;
    let at = this.at + 1;
    this.start = at;
    at = this.plainRun(at);
    let escaped = false;
    let ascii = true;
    for (;;) {
      if (at >= length) return false;
      const c = s[at]!;
      if (c === quote) break;
      if (c === backslash) {
        // The escape itself is checked by JSON.parse, in `unescaped`.
        if (at + 1 >= length || s[at + 1]! >= 0x80) return false;
        escaped = true;
        at += 2;
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        at++;
      } else {
        const n = utf8Sequence(s, at);
        if (n === 0) return false;
        ascii = false;
        at += n;
      }
    }
    this.end = at;
    this.at = at + 1;
    this.escaped = escaped;
    this.ascii = ascii;
    return true;
  }

  /**
   * The end of the run of `plain` bytes from `at`: the common text, printable ASCII without escapes, read
   * four bytes at a time (a word with any other byte ends the run there, and the rest is read byte by byte).
   */
  private plainRun(at: number): number {
    const s = this.s;
    const base = s.byteOffset;
    let word = (base + at + 3) >> 2;
    while (base + at < word << 2 && plain[s[at]!] === 1) at++;
    if (base + at === word << 2) {
      const words = this.words;
      const last = (base + s.length) >> 2;
      while (word < last && isPlainWord(words[word]!)) word++;
      at = (word << 2) - base;
    }
    while (plain[s[at]!] === 1) at++;
    return at;
  }

  /** Consumes `open` (after any space), and any space after it. */
  private opens(open: number): boolean {
    this.skipSpace();
    if (this.s[this.at] !== open) return false;
    this.at++;
    return true;
  }

  /** After an item: a comma (another follows), `close`, or anything else. */
  private more(close: number): number {
    this.skipSpace();
    const c = this.s[this.at];
    this.at++;
    return c === comma ? another : c === close ? closed : broken;
  }

  private skipSpace(): void {
    while (isSpace(this.s[this.at])) this.at++;
  }
}

/**
 * Whether none of a word's four bytes is 0x80 or more, below 0x20, a quote or a backslash: the "has a
 * zero byte" and "has a byte below n" bit tricks, exact as to whether there is one, in 32-bit arithmetic.
 */
function isPlainWord(w: number): boolean {
  const quotes = w ^ 0x22222222;
  const backslashes = w ^ 0x5c5c5c5c;
  const controls = ((w - 0x20202020) | 0) & ~w;
  return ((w | controls | (((quotes - 0x01010101) | 0) & ~quotes) | (((backslashes - 0x01010101) | 0) & ~backslashes)) & 0x80808080) === 0;
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Length of the UTF-8 sequence that starts at `at` with a byte of 0x80 or more, or 0 if it is not one the decoder takes. */
function utf8Sequence(s: Buffer, at: number): number {
  const c = s[at]!;
  const length = s.length;
  if (c >= 0xc2 && c <= 0xdf) return at + 1 < length && isContinuation(s[at + 1]!) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (at + 2 >= length) return 0;
    // No overlong forms (E0 80..9F) and no surrogates (ED A0..BF).
    const second = s[at + 1]!;
    const ok = c === 0xe0 ? second >= 0xa0 && second <= 0xbf : c === 0xed ? second >= 0x80 && second <= 0x9f : isContinuation(second);
    return ok && isContinuation(s[at + 2]!) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (at + 3 >= length) return 0;
    // No overlong forms (F0 80..8F) and nothing past U+10FFFF (F4 90..BF).
    const second = s[at + 1]!;
    const ok = c === 0xf0 ? second >= 0x90 && second <= 0xbf : c === 0xf4 ? second >= 0x80 && second <= 0x8f : isContinuation(second);
    return ok && isContinuation(s[at + 2]!) && isContinuation(s[at + 3]!) ? 4 : 0;
  }
  return 0;
}

function isContinuation(c: number): boolean {
  return (c & 0xc0) === 0x80;
}

/** Buffer's own methods under toString, without its argument handling, which costs more than a short id. */
interface Slices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const scanner = new Scanner();

function scan(line: Buffer, f: ChatFields): boolean {
  return scanner.scan(line, f);
}
