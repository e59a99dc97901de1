import { closeSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { BatchRequestSchema, BatchResultSchema } from "../wire.js";
import type { StoreEvent } from "./store.js";

/** The journal's first line: its format, and the page-token secret so tokens outlive a restart. */
interface Header {
  type: "journal";
  version: 1;
  secret: string;
}

/** A journal opened for appending, with what it held. */
export interface OpenedJournal {
  journal: Journal;
  secret: Uint8Array;
  events: StoreEvent[];
}

/**
 * An append-only file of store events, one JSON line each, synced to disk before the call that caused
 * them is answered. Appending keeps the cost of a write proportional to the change, not to the state.
 */
export class Journal {
  private constructor(private readonly fd: number) {}

  /** Opens (or creates) a journal and reads its events. A torn last line from a crash is dropped. */
  static open(path: string): OpenedJournal {
    const fd = openSync(path, "a+");
    const text = readFileSync(fd, "utf8");
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete.length < text.length) ftruncateSync(fd, Buffer.byteLength(complete));
    const lines = complete.split("\n").filter((line) => line !== "");
    const journal = new Journal(fd);
    if (lines.length === 0) {
      const secret = randomBytes(32);
      journal.write([{ type: "journal", version: 1, secret: secret.toString("base64") } satisfies Header]);
      return { journal, secret, events: [] };
    }
    const header = JSON.parse(lines[0]!) as Partial<Header>;
    if (header.type !== "journal" || header.version !== 1 || typeof header.secret !== "string") {
      closeSync(fd);
      throw new Error(`${path} is not an xai-batch emulator journal`);
    }
    return { journal, secret: Buffer.from(header.secret, "base64"), events: lines.slice(1).map(decodeEvent) };
  }

  /** Writes one event and syncs it. */
  append(event: StoreEvent): void {
    this.write([encodeEvent(event)]);
  }

  /** Closes the file; later appends throw. */
  close(): void {
    closeSync(this.fd);
  }

  private write(lines: readonly object[]): void {
    writeSync(this.fd, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    fdatasyncSync(this.fd);
  }
}

// Messages are stored as base64 protobuf binary: exact, compact, and independent of JSON naming rules.
type EncodedEvent =
  | Exclude<StoreEvent, { type: "requestsAdded" | "requestsFinished" }>
  | (Omit<Extract<StoreEvent, { type: "requestsAdded" }>, "requests"> & { requests: string[] })
  | { type: "requestsFinished"; timeMs: number; results: { batchId: string; seq: number; result: string }[] };

function encodeEvent(event: StoreEvent): EncodedEvent {
  switch (event.type) {
    case "requestsAdded":
      return { ...event, requests: event.requests.map((r) => base64(toBinary(BatchRequestSchema, r))) };
    case "requestsFinished":
      return { ...event, results: event.results.map((r) => ({ ...r, result: base64(toBinary(BatchResultSchema, r.result)) })) };
    default:
      return event;
  }
}

function decodeEvent(line: string): StoreEvent {
  const event = JSON.parse(line) as EncodedEvent;
  switch (event.type) {
    case "requestsAdded":
      return { ...event, requests: event.requests.map((r) => fromBinary(BatchRequestSchema, Buffer.from(r, "base64"))) };
    case "requestsFinished":
      return { ...event, results: event.results.map((r) => ({ ...r, result: fromBinary(BatchResultSchema, Buffer.from(r.result, "base64")) })) };
    default:
      return event;
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}
