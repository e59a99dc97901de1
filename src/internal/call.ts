import type { CallOptions as ConnectCallOptions } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";
import { InputError, toApiError } from "../errors.js";
import { resolveTimeoutMs, type RpcName } from "./deadline.js";
import { checkInteger, checkKnownKeys } from "./validate.js";

/** Options every API method accepts, alone or inside its own options object. */
export interface CallOptions {
  /** Deadline of this call in ms, sent as `grpc-timeout`; `0` means none. @default the RPC's default */
  timeoutMs?: number;
  /** Aborts the call; the promise rejects with an ApiError of code CANCELED. */
  signal?: AbortSignal;
  /** Extra metadata (gRPC headers) for this call, added to the client's. */
  metadata?: Record<string, string>;
}

export const callOptionKeys = ["timeoutMs", "signal", "metadata"] as const;

/** What the call path needs from the client; built once per Client. */
export interface CallContext {
  /** Metadata sent on every call: authorization, user-agent and the client's custom metadata. */
  readonly headers: Headers;
  /** Strings that must never appear in an error (the API key). */
  readonly secrets: readonly string[];
  /** The client-wide deadline, overriding the per-RPC defaults. */
  readonly timeoutMs: number | undefined;
  /** Throws when the client has been closed. */
  assertOpen(): void;
}

/** Header names the library owns; a caller setting them would break auth, framing or deadlines. */
const reservedHeaders = new Set(["authorization", "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "x-request-id"]);

/** The request id header: one value per logical call, so the server can tie attempts together. */
export const requestIdHeader = "x-request-id";

/**
 * The one path every unary call takes: it checks the options, sets metadata and the deadline, and turns
 * failures into ApiError. `send` performs one attempt with the Connect options it is given; retries and
 * quota pacing wrap around it here, so no RPC can bypass them.
 */
export async function callUnary<T>(
  ctx: CallContext,
  rpc: RpcName,
  options: CallOptions | undefined,
  send: (options: ConnectCallOptions) => Promise<T>,
): Promise<T> {
  ctx.assertOpen();
  checkCallOptions(options);
  const headers = new Headers(ctx.headers);
  for (const [key, value] of Object.entries(options?.metadata ?? {})) headers.set(key, value);
  headers.set(requestIdHeader, randomUUID());
  try {
    return await send({
      headers,
      timeoutMs: resolveTimeoutMs(rpc, options?.timeoutMs, ctx.timeoutMs),
      signal: options?.signal,
    });
  } catch (reason) {
    throw toApiError(reason, rpc, ctx.secrets);
  }
}

/** Validates call options, including those mixed into a method's own options object. */
export function checkCallOptions(options: CallOptions | undefined): void {
  if (options === undefined) return;
  checkInteger("timeoutMs", options.timeoutMs, 0, 2_147_483_647);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InputError("Expected `signal` to be an AbortSignal.");
  }
  checkMetadata("metadata", options.metadata);
}

/** Refuses metadata that is not string-to-string or that would overwrite a header the library owns. */
export function checkMetadata(name: string, metadata: Record<string, string> | undefined): void {
  if (metadata === undefined) return;
  checkKnownKeys(name, metadata, Object.keys(metadata));
  for (const [key, value] of Object.entries(metadata)) {
    const lower = key.toLowerCase();
    if (reservedHeaders.has(lower) || lower.startsWith("grpc-") || lower.startsWith(":")) {
      throw new InputError(`\`${name}\` may not set "${key}": the client sets it itself.`);
    }
    if (!/^[a-z0-9_.-]+$/.test(lower)) {
      throw new InputError(`\`${name}\` key "${key}" is not a valid gRPC metadata name (letters, digits, "-", "_", ".").`);
    }
    if (typeof value !== "string") {
      throw new InputError(`\`${name}\` value for "${key}" must be a string, got ${typeof value}.`);
    }
    if (lower.endsWith("-bin")) {
      throw new InputError(`\`${name}\` key "${key}": binary (-bin) metadata is not supported; send text metadata.`);
    }
  }
}
