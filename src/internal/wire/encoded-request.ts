import { create, toBinary } from "@bufbuild/protobuf";
import { hash } from "node:crypto";
import { InputError } from "../../core/errors.js";
import { AddBatchRequestsRequestSchema, BatchRequestSchema, type BatchRequest } from "../../core/internal/wire.js";
import type { ChatEncoder } from "./chat-encoder.js";
import { ByteArena } from "./byte-arena.js";
import { fastPath } from "./fast-path.js";
import { cutRequests, withId } from "./request-bytes.js";

/** A request ready for the wire: its id and its encoded bytes. */
export interface EncodedRequest {
  /** Position in the caller's input, for error messages. */
  readonly index: number;
  /** The batch_request_id it is sent with; undefined only when automatic ids are off and the caller gave none. */
  readonly id: string | undefined;
  /** The encoded xai_api.BatchRequest. */
  readonly bytes: Uint8Array;
}

/** Prefix of ids the library assigns, so they are told apart from the caller's own. */
export const autoIdPrefix = "auto-";

/**
 * Validates, identifies and encodes the requests of one add, each exactly once. Requests without an id
 * get one derived from their content (and how often that content occurred before in this add), so
 * re-running the same input yields the same ids and the server can tell what it already holds.
 * Remembers every id of the add to refuse a repeated one before it reaches the server.
 */
export class RequestEncoder {
  private readonly seen = new Set<string>();
  /** Whether the fast path (fast-path.ts) encodes this add's requests: chosen once, for all of them. */
  private readonly fast = fastPath.on;
  /** On the fast path, requests given an automatic id are written again, with it; their own chunks, so the first writing dies whole. */
  private readonly withIds = this.fast ? new ByteArena() : undefined;

  /**
   * `toRequest` is the normaliser (validation included); `onInvalid`, when given, is told of each request
   * it or the id check refuses, which is then left out instead of ending the add. `chat`, when given,
   * encodes the inputs it covers in its stead, to the same bytes, while the fast path is on.
   */
  constructor(
    private readonly toRequest: (input: unknown, index: number) => BatchRequest,
    private readonly autoIds: boolean,
    private readonly onInvalid?: (error: InputError, input: unknown) => void,
    private readonly chat?: ChatEncoder,
  ) {}

  /**
   * Encodes a group of requests, the first being input number `firstIndex`. What `chat` does not cover is
   * normalised, and protobuf-es starts a small buffer per toBinary and grows it by copies, so on the fast
   * path one toBinary of all those (as the repeated field of an AddBatchRequestsRequest) and cutting it at
   * the length prefixes costs far less than one per request; the cuts are exactly the bytes of each
   * request encoded alone, which is what the general path does. Ids are checked and derived in input
   * order, whichever way a request was encoded.
   */
  encodeMany(inputs: readonly unknown[], firstIndex: number): EncodedRequest[] {
    const ids: (string | undefined)[] = new Array(inputs.length);
    const bytes: (Uint8Array | undefined)[] = new Array(inputs.length);
    const messages: (BatchRequest | undefined)[] = new Array(inputs.length);
    const requests: BatchRequest[] = [];
    const normalised: number[] = [];
    const chat = this.fast ? this.chat : undefined;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      const encoded = chat?.encode(input);
      if (encoded !== undefined) {
        ids[i] = chat!.id;
        bytes[i] = encoded;
        continue;
      }
      try {
        requests.push(this.toRequest(input, firstIndex + i));
        normalised.push(i);
      } catch (error) {
        this.refuse(error, input);
      }
    }
    if (requests.length > 0) {
      const encoded = this.fast
        ? cutRequests(toBinary(AddBatchRequestsRequestSchema, create(AddBatchRequestsRequestSchema, { batchRequests: requests })))
        : requests.map((request) => toBinary(BatchRequestSchema, request));
      normalised.forEach((i, k) => {
        ids[i] = requests[k]!.batchRequestId;
        bytes[i] = encoded[k];
        messages[i] = requests[k];
      });
    }
    const out: EncodedRequest[] = [];
    for (let i = 0; i < inputs.length; i++) {
      if (bytes[i] === undefined) continue;
      try {
        out.push(this.identify(ids[i], bytes[i]!, firstIndex + i, messages[i]));
      } catch (error) {
        this.refuse(error, inputs[i]);
      }
    }
    return out;
  }

  /** Tells `onInvalid` of a refused input, which is then left out; without it, or for any other error, throws. */
  private refuse(error: unknown, input: unknown): void {
    if (this.onInvalid === undefined || !(error instanceof InputError)) throw error;
    this.onInvalid(error, input);
  }

  /** `request`: the message `bytes` encode, unless `chat` wrote them (only on the fast path). */
  private identify(id: string | undefined, bytes: Uint8Array, index: number, request: BatchRequest | undefined): EncodedRequest {
    if (id !== undefined) {
      // One lookup instead of has() then add(): the set grows unless the id was there.
      const known = this.seen.size;
      if (this.seen.add(id).size === known) {
        throw new InputError({
          index,
          batchRequestId: id,
          reason: "repeats an id used earlier in this add",
          fix: "Ids must be unique within a batch",
        });
      }
      return { index, id, bytes };
    }
    if (!this.autoIds) return { index, id: undefined, bytes };
    const auto = this.contentId(bytes);
    // The general path encodes the request again, with the id: on a shallow copy, as the caller may hold the message.
    const identified = this.fast ? withId(auto, bytes, this.withIds!) : toBinary(BatchRequestSchema, { ...request!, batchRequestId: auto });
    return { index, id: auto, bytes: identified };
  }

  private contentId(payload: Uint8Array): string {
    // The one-shot hash: a Hash object per request cost as much as encoding a short one.
    const base = autoIdPrefix + hash("sha256", payload, "hex").slice(0, 24);
    let id = base;
    for (let n = 2; this.seen.has(id); n++) id = `${base}-${n}`;
    this.seen.add(id);
    return id;
  }
}
