import { open } from "node:fs/promises";
import { UsageError } from "./usage-error.js";

/**
 * One line of a JSONL file, numbered from 1: its text without the line ending, or why there is none.
 * `size` is its length in the file in bytes, line ending included.
 */
export type Line =
  | { readonly kind: "text"; readonly number: number; readonly size: number; readonly text: string }
  /**
   * A line longer than the limit, reported as soon as it is that long: `size` is its length so far. The
   * rest of it is skipped as it streams past, never held, however long (even endless) it turns out.
   */
  | { readonly kind: "too-long"; readonly number: number; readonly size: number }
  /** A line whose bytes are not UTF-8. */
  | { readonly kind: "not-utf8"; readonly number: number; readonly size: number };

/**
 * Largest line read into memory. A request must encode to at most 25,000,000 bytes to be sent at all;
 * its JSON is about as long, or longer with escapes, so anything this long is refused by name instead
 * of being held whole.
 */
export const defaultMaxLineBytes = 32 * 1024 * 1024;

const newline = 0x0a;
const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Splits a byte stream into lines, in memory bounded by `maxLineBytes`. Lines are decoded only when
 * whole, so a CRLF or a multi-byte character split across two chunks reads the same as in one. A UTF-8
 * BOM at the start is dropped; `\r\n` and `\n` both end a line.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Inside a line already reported as too long: its bytes are dropped up to its line break. */
  private skipping = false;
  private number = 0;
  private atStart = true;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  constructor(private readonly maxLineBytes = defaultMaxLineBytes) {}

  /** The lines `chunk` completes. */
  push(chunk: Buffer): Line[] {
    if (this.atStart) {
      chunk = this.dropBom(chunk);
      if (chunk.length === 0) return [];
    }
    const lines: Line[] = [];
    let from = 0;
    for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, from)) {
      if (this.partBytes === 0 && !this.skipping && at - from <= this.maxLineBytes) {
        // A whole line inside the chunk (the common case) is decoded where it is: no copy to hold it.
        lines.push(this.decodeLine(chunk.subarray(from, at), 1));
      } else {
        const tooLong = this.collect(chunk.subarray(from, at));
        if (tooLong !== undefined) lines.push(tooLong);
        if (this.skipping) this.skipping = false;
        else lines.push(this.finishLine(1));
      }
      from = at + 1;
    }
    if (from < chunk.length) {
      const tooLong = this.collect(chunk.subarray(from));
      if (tooLong !== undefined) lines.push(tooLong);
    }
    return lines;
  }

  /** The last line, if the input did not end with a line break. */
  end(): Line[] {
    if (this.atStart) {
      // A file shorter than a BOM: what was held back is content after all.
      const held = Buffer.concat(this.parts);
      this.parts = [];
      this.atStart = false;
      this.collect(held);
    }
    const last = this.partBytes > 0 && !this.skipping ? [this.finishLine(0)] : [];
    this.skipping = false;
    return last;
  }

  private dropBom(chunk: Buffer): Buffer {
    // The BOM itself may arrive split; hold back up to its three bytes until they can be compared.
    const head = Buffer.concat([...this.parts, chunk]);
    if (head.length < utf8Bom.length && utf8Bom.subarray(0, head.length).equals(head)) {
      this.parts = [head];
      return Buffer.alloc(0);
    }
    this.parts = [];
    this.atStart = false;
    return head.subarray(0, 3).equals(utf8Bom) ? head.subarray(3) : head;
  }

  /** Adds bytes to the current line; returns the line as too long the moment it passes the limit. */
  private collect(bytes: Buffer): Line | undefined {
    if (bytes.length === 0 || this.skipping) return undefined;
    this.partBytes += bytes.length;
    if (this.partBytes > this.maxLineBytes) {
      const line: Line = { kind: "too-long", number: ++this.number, size: this.partBytes };
      this.parts = [];
      this.partBytes = 0;
      this.skipping = true;
      return line;
    }
    // A copy: the caller's chunk buffer may be reused once push returns.
    this.parts.push(Buffer.from(bytes));
    return undefined;
  }

  private finishLine(breakBytes: number): Line {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.partBytes = 0;
    return this.decodeLine(bytes, breakBytes);
  }

  private decodeLine(bytes: Buffer, breakBytes: number): Line {
    const number = ++this.number;
    const size = bytes.length + breakBytes;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    try {
      return { kind: "text", number, size, text: this.decoder.decode(bytes.subarray(0, end)) };
    } catch {
      return { kind: "not-utf8", number, size };
    }
  }
}

/** Reading progress through a file, for a progress line. */
export interface ReadPosition {
  /** Bytes of the lines handed out so far. */
  bytesRead: number;
  /** Size of the file when it was opened. */
  totalBytes: number;
}

/**
 * The lines of a file, streamed: the file is read in chunks as the consumer asks for lines, never whole.
 * A file that cannot be opened is a UsageError naming it. `position` is updated as lines are handed out.
 * `signal` is checked at every chunk, so an abort ends the read promptly even inside an endless line
 * (`/dev/zero`), where no line would ever be handed out to check it between.
 */
export async function* readLines(
  path: string,
  position?: ReadPosition,
  maxLineBytes = defaultMaxLineBytes,
  signal?: AbortSignal,
): AsyncGenerator<Line> {
  for await (const lines of readLineGroups(path, position, maxLineBytes, signal)) {
    for (const line of lines) {
      // Counted by line, not by chunk: a chunk holds many lines, and the consumer takes them slowly.
      if (position !== undefined) position.bytesRead += line.size;
      yield line;
    }
  }
}

/**
 * `readLines`, a chunk's lines at a time: one await per chunk instead of one per line, which costs more
 * than splitting and decoding a short line. The consumer adds each line's `size` to
 * `position.bytesRead` as it takes the line; `position.totalBytes` is set here.
 */
export async function* readLineGroups(
  path: string,
  position?: ReadPosition,
  maxLineBytes = defaultMaxLineBytes,
  signal?: AbortSignal,
): AsyncGenerator<Line[]> {
  const file = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${path}: ${fileProblem(error)}`);
  });
  try {
    const stat = await file.stat();
    if (stat.isDirectory()) throw new UsageError(`cannot read ${path}: it is a directory`);
    if (position !== undefined) {
      position.bytesRead = 0;
      position.totalBytes = stat.size;
    }
    const splitter = new LineSplitter(maxLineBytes);
    for await (const chunk of file.createReadStream({ highWaterMark: 1024 * 1024, autoClose: false }) as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw signal.reason;
      yield splitter.push(chunk);
    }
    yield splitter.end();
  } finally {
    await file.close();
  }
}

function fileProblem(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    default:
      return error.message;
  }
}
