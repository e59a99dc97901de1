import type { JsonObject } from "@bufbuild/protobuf";

/**
 * A compact JSONL line the CLI's reader encoded straight from its bytes (compact-line.ts), handed to an add
 * in place of the row JSON.parse would make of it: the add's chat encoder sends its bytes as they are,
 * and whatever declines them (a model the add does not allow) or needs a row (an upload) reads `row()`.
 */
export class EncodedLine {
  constructor(
    /** The encoded BatchRequest, as ChatEncoder.encode gives it for `row()`. */
    readonly bytes: Uint8Array,
    readonly id: string | undefined,
    readonly model: string,
    /** The line's UTF-8 bytes, checked to be UTF-8. */
    private readonly line: Buffer,
  ) {}

  /** The row the line holds. */
  row(): JsonObject {
    return JSON.parse(this.line.toString("utf8")) as JsonObject;
  }
}
