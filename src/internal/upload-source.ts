import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { InputError } from "../core/errors.js";
import { describeValue } from "../core/internal/validate.js";

/** What the upload reads: a path, bytes, or chunks (a Node `Readable` is an async iterable of them). */
type Source = string | Uint8Array | AsyncIterable<Uint8Array | string>;

/** A source made ready to send: its size when known before sending, and its content in pieces. */
export interface OpenedSource {
  /** Bytes in all; undefined for a stream, whose size is known only at its end. */
  readonly sizeBytes: number | undefined;
  /** The name the source suggests (a path's base name), if any. */
  readonly suggestedName: string | undefined;
  /** Whether `pieces` can be read again for a retry: a path or bytes can, a stream cannot. */
  readonly replayable: boolean;
  /** The content in pieces of at most `pieceBytes`; each call starts from the first byte. */
  pieces(): AsyncIterable<Uint8Array>;
}

/**
 * Opens an upload source without reading it: a path is stat'ed (and refused when over `maxBytes`
 * before a byte is sent), bytes are measured, a stream is taken as it comes and counted as it is read.
 * Pieces are cut to `pieceBytes`, so memory holds one piece at a time whatever the file's size.
 */
export async function openSource(source: Source, pieceBytes: number, maxBytes: number): Promise<OpenedSource> {
  if (typeof source === "string") {
    const info = await stat(source).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`Cannot read the file to upload, ${JSON.stringify(source)}: ${error.code ?? error.message}. Check the path.`);
    });
    if (!info.isFile()) throw new InputError(`${JSON.stringify(source)} is not a regular file; pass the path of the file to upload.`);
    checkSize(info.size, maxBytes);
    return {
      sizeBytes: info.size,
      suggestedName: basename(source),
      replayable: true,
      pieces: () => limited(rechunk(createReadStream(source, { highWaterMark: pieceBytes }), pieceBytes), maxBytes),
    };
  }
  if (source instanceof Uint8Array) {
    checkSize(source.length, maxBytes);
    return { sizeBytes: source.length, suggestedName: undefined, replayable: true, pieces: () => slices(source, pieceBytes) };
  }
  if (source instanceof Readable || (source !== null && typeof source === "object" && Symbol.asyncIterator in source)) {
    let opened = false;
    return {
      sizeBytes: undefined,
      suggestedName: undefined,
      replayable: false,
      pieces: () => {
        if (opened) throw new InputError("A stream can be uploaded once; pass a path or bytes to let the client retry.");
        opened = true;
        return limited(rechunk(source, pieceBytes), maxBytes);
      },
    };
  }
  throw new InputError(
    `Expected the upload source to be a file path, a Uint8Array, a Readable or an async iterable of Uint8Array chunks, got ${describeValue(source)}.`,
  );
}

function checkSize(size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new InputError(
      `The file is ${size} bytes; xAI accepts files of at most ${maxBytes} bytes. Split it, or add the requests with client.batch.add.`,
    );
  }
}

async function* slices(bytes: Uint8Array, pieceBytes: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += pieceBytes) yield bytes.subarray(at, at + pieceBytes);
}

/** Re-cuts a stream's chunks, whatever their sizes, into pieces of exactly `pieceBytes` (the last may be shorter). */
export async function* rechunk(chunks: AsyncIterable<Uint8Array | string>, pieceBytes: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const raw of chunks) {
    let chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
    // Whole pieces straight from the chunk, uncopied: a file read with highWaterMark = pieceBytes is all this.
    while (pendingBytes === 0 && chunk.length >= pieceBytes) {
      yield chunk.subarray(0, pieceBytes);
      chunk = chunk.subarray(pieceBytes);
    }
    while (pendingBytes + chunk.length >= pieceBytes) {
      const take = pieceBytes - pendingBytes;
      pending.push(chunk.subarray(0, take));
      yield Buffer.concat(pending, pieceBytes);
      chunk = chunk.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** Stops a stream that turns out larger than `maxBytes` before the piece that crosses it is sent. */
async function* limited(pieces: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const piece of pieces) {
    total += piece.length;
    if (total > maxBytes)
      throw new InputError(`The stream is over ${maxBytes} bytes, the most xAI accepts in one file; nothing more was sent. Split it.`);
    yield piece;
  }
}
