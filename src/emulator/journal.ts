import { createHash, randomBytes } from "node:crypto";
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync } from "node:fs";
import { replaceDurably, writeFully } from "./durable-file.js";
import { decodeStoredRequest, readRequest, readStoredResult } from "./encoded.js";
import type { AcceptedRequest, StoreEvent } from "./store.js";

/**
 * The first bytes of a journal file. Then come records, each a 16-byte frame header and a JSON payload:
 * the payload length, its bitwise complement (so a damaged length is told from a torn tail), the record
 * number (0 for the header record, then 1, 2, ...), and the first 4 bytes of the SHA-256 of number and payload.
 */
const magic = Buffer.from("xai-batch journal v2\n");
const frameHeaderBytes = 16;

/** The payload of record 0: the page-token secret, so tokens outlive a restart. */
interface Header {
  type: "journal";
  secret: string;
}

/** A journal that cannot be trusted: opening it fails with this, naming the record and where it is. */
export class JournalError extends Error {
  override readonly name = "JournalError";
}

/** How a journal is opened. */
export interface JournalOpenOptions {
  /** Whether each append is synced to disk (fdatasync) before it returns. */
  sync: boolean;
  /** Receives each event of the journal in order, once (repeated records are skipped). */
  onEvent: (event: StoreEvent) => void;
  /** Receives what was repaired: a torn last record dropped, repeated records skipped. */
  onRepair: (message: string) => void;
}

/** A journal opened for appending, and what reading it found. */
export interface OpenedJournal {
  journal: Journal;
  secret: Uint8Array;
  /** Event records read (repeats not counted). */
  records: number;
}

/**
 * An append-only file of store events, read back as a stream of checksummed records. It is either
 * right or refuses to open: a torn last record (a crash mid-write, never acknowledged) is cut off and
 * reported; a damaged record anywhere else fails with its number and byte offset; a repeated record is
 * skipped, so replay never applies a change twice; a missing one fails. Appending costs the size of the
 * change, not of the state.
 */
export class Journal {
  private constructor(
    private readonly path: string,
    private fd: number,
    private size: number,
    private lastRecord: number,
    private readonly sync: boolean,
  ) {}

  /** Opens (or creates) a journal and replays its events through `options.onEvent`. */
  static open(path: string, options: JournalOpenOptions): OpenedJournal {
    let fd: number;
    try {
      fd = openSync(path, "r+");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      const secret = randomBytes(32);
      writeAtomically(path, secret, []);
      return { journal: Journal.reopen(path, 0, options.sync), secret, records: 0 };
    }
    try {
      const read = readJournal(path, fd, options);
      return { journal: new Journal(path, fd, read.size, read.lastRecord, options.sync), secret: read.secret, records: read.lastRecord };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Appends one event (synced when the journal syncs); on failure the file is as it was before. */
  append(event: StoreEvent): void {
    const frame = encodeRecord(this.lastRecord + 1, encodeEvent(event));
    try {
      writeFully(this.fd, frame, this.size);
      if (this.sync) fdatasyncSync(this.fd);
    } catch (error) {
      // A partial write would otherwise sit in the middle of the journal once the next append succeeds.
      ftruncateSync(this.fd, this.size);
      throw error;
    }
    this.size += frame.length;
    this.lastRecord++;
  }

  /**
   * Replaces the journal with one holding `events` (a snapshot of the same state) and the same secret,
   * written beside it and renamed over it, so a crash leaves either the old journal or the new one.
   */
  compact(secret: Uint8Array, events: readonly StoreEvent[]): void {
    writeAtomically(this.path, secret, events);
    closeSync(this.fd);
    const reopened = Journal.reopen(this.path, events.length, this.sync);
    this.fd = reopened.fd;
    this.size = reopened.size;
    this.lastRecord = events.length;
  }

  /** Closes the file; later appends throw. */
  close(): void {
    closeSync(this.fd);
  }

  private static reopen(path: string, lastRecord: number, sync: boolean): Journal {
    const fd = openSync(path, "r+");
    return new Journal(path, fd, fstatSync(fd).size, lastRecord, sync);
  }
}

function readJournal(path: string, fd: number, options: JournalOpenOptions): { secret: Uint8Array; size: number; lastRecord: number } {
  const fileSize = fstatSync(fd).size;
  const start = Buffer.alloc(magic.length);
  if (fileSize < magic.length || readFully(fd, start, 0) < magic.length || !start.equals(magic)) {
    const what =
      fileSize === 0
        ? "is empty"
        : start.subarray(0, 1).toString() === "{"
          ? "is a version 1 journal (JSON lines)"
          : "does not start like one";
    throw new JournalError(
      `${path} is not an xai-batch emulator journal (v2): it ${what}. Delete it, or give --persist a new file, to start with no state.`,
    );
  }
  const head = Buffer.alloc(frameHeaderBytes);
  let offset = magic.length;
  let secret: Uint8Array | undefined;
  let expected = 0;
  let repeats = 0;
  const dropTornTail = (why: string) => {
    ftruncateSync(fd, offset);
    options.onRepair(
      `${path}: dropped a torn last record (${fileSize - offset} bytes at byte ${offset}: ${why}); it was being written when a run stopped, so it was never acknowledged`,
    );
  };
  const damaged = (why: string) =>
    new JournalError(
      `${path}: record ${expected} at byte ${offset} is damaged (${why}). The records before it are intact: truncate the file to ${offset} bytes to keep them, or delete it.`,
    );
  while (offset < fileSize) {
    if (fileSize - offset < frameHeaderBytes) {
      dropTornTail("a partial frame header");
      break;
    }
    readFully(fd, head, offset);
    const length = head.readUInt32BE(0);
    if ((head.readUInt32BE(4) ^ 0xffffffff) >>> 0 !== length) {
      if (!isAllZero(fd, offset, fileSize)) throw damaged("its length field is corrupt");
      dropTornTail("zero bytes");
      break;
    }
    if (offset + frameHeaderBytes + length > fileSize) {
      dropTornTail(`${length} payload bytes announced, ${fileSize - offset - frameHeaderBytes} present`);
      break;
    }
    const payload = Buffer.alloc(length);
    readFully(fd, payload, offset + frameHeaderBytes);
    if (!checksum(head.subarray(8, 12), payload).equals(head.subarray(12, 16))) throw damaged("checksum mismatch");
    const number = head.readUInt32BE(8);
    if (number < expected) {
      // The same record written twice (e.g. a copied line): applying it again would duplicate its change.
      repeats++;
    } else if (number > expected) {
      throw damaged(`it is record ${number}; records ${expected} to ${number - 1} are missing`);
    } else {
      try {
        const value = JSON.parse(payload.toString("utf8")) as unknown;
        if (expected === 0) secret = readHeader(value);
        else options.onEvent(decodeEvent(value as EncodedEvent));
      } catch (error) {
        throw new JournalError(
          `${path}: record ${expected} at byte ${offset} cannot be replayed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      expected++;
    }
    offset += frameHeaderBytes + length;
  }
  if (secret === undefined)
    throw new JournalError(`${path} has no header record. Delete it, or give --persist a new file, to start with no state.`);
  if (repeats > 0)
    options.onRepair(`${path}: skipped ${repeats} repeated record${repeats === 1 ? "" : "s"} (copies of records already applied)`);
  return { secret, size: offset, lastRecord: expected - 1 };
}

function readHeader(value: unknown): Uint8Array {
  const header = value as Partial<Header>;
  if (header.type !== "journal" || typeof header.secret !== "string") throw new Error("record 0 is not a journal header");
  return Buffer.from(header.secret, "base64");
}

function writeAtomically(path: string, secret: Uint8Array, events: readonly StoreEvent[]): void {
  // Synced even without persistSync: a journal replaced by a copy the OS had not written yet would lose
  // all of its state on power loss, not just the last changes.
  replaceDurably(
    path,
    (append) => {
      append(magic);
      append(encodeRecord(0, { type: "journal", secret: Buffer.from(secret).toString("base64") } satisfies Header));
      for (const [index, event] of events.entries()) append(encodeRecord(index + 1, encodeEvent(event)));
    },
    true,
  );
}

function encodeRecord(number: number, value: object): Buffer {
  const payload = Buffer.from(JSON.stringify(value));
  const head = Buffer.alloc(frameHeaderBytes);
  head.writeUInt32BE(payload.length, 0);
  head.writeUInt32BE((payload.length ^ 0xffffffff) >>> 0, 4);
  head.writeUInt32BE(number, 8);
  checksum(head.subarray(8, 12), payload).copy(head, 12);
  return Buffer.concat([head, payload]);
}

/** The first 4 bytes of SHA-256 over the record number and the payload. */
function checksum(number: Uint8Array, payload: Uint8Array): Buffer {
  return createHash("sha256").update(number).update(payload).digest().subarray(0, 4);
}

/** Whether the file holds only zero bytes from `offset` on: what a crash can leave after a file grew. */
function isAllZero(fd: number, offset: number, fileSize: number): boolean {
  const chunk = Buffer.alloc(Math.min(1 << 20, fileSize - offset));
  for (let at = offset; at < fileSize; ) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, fileSize - at), at);
    if (read === 0) break;
    for (let i = 0; i < read; i++) if (chunk[i] !== 0) return false;
    at += read;
  }
  return true;
}

function readFully(fd: number, into: Buffer, position: number): number {
  let done = 0;
  while (done < into.length) {
    const read = readSync(fd, into, done, into.length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

// Messages are stored as base64 protobuf binary: exact, compact, and independent of JSON naming rules. The
// store already holds each request and result encoded, so appending copies bytes; only replay decodes.
type EncodedEvent =
  | Exclude<StoreEvent, { type: "requestsAdded" | "requestsFinished" }>
  | (Omit<Extract<StoreEvent, { type: "requestsAdded" }>, "requests"> & { requests: string[] })
  | { type: "requestsFinished"; timeMs: number; results: { batchId: string; seq: number; result: string }[] };

function encodeEvent(event: StoreEvent): EncodedEvent {
  switch (event.type) {
    case "requestsAdded":
      return { ...event, requests: event.requests.map((r) => base64(r.bytes)) };
    case "requestsFinished":
      return { ...event, results: event.results.map((r) => ({ ...r, result: base64(r.result.bytes) })) };
    default:
      return event;
  }
}

function decodeEvent(event: EncodedEvent): StoreEvent {
  switch (event.type) {
    case "requestsAdded":
      return { ...event, requests: event.requests.map(replayedRequest) };
    case "requestsFinished":
      return { ...event, results: event.results.map((r) => ({ ...r, result: readStoredResult(Buffer.from(r.result, "base64")) })) };
    default:
      return event;
  }
}

/** A request as it was accepted: it was validated then, so it has its id and a target. */
function replayedRequest(encoded: string): AcceptedRequest {
  const bytes = Buffer.from(encoded, "base64");
  const { id, target } = readRequest(decodeStoredRequest(bytes), bytes);
  if (id === undefined || target === undefined) throw new Error("a request without batch_request_id or payload");
  return { id, endpoint: target.endpoint, model: target.model, bytes };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}
