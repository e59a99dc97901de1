import { create, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { anyPack, DurationSchema } from "@bufbuild/protobuf/wkt";
import { Metadata, type status as GrpcStatus, type StatusObject } from "@grpc/grpc-js";
import { BadRequest_FieldViolationSchema, BadRequestSchema, RetryInfoSchema, StatusSchema } from "../core/internal/wire.js";

/**
 * Most offending items one status names; the rest are only counted. Errors then stay small whatever the
 * input (10,000 duplicate ids once made ~1 MB of trailers, which stalls HTTP/2 clients).
 */
export const maxNamedViolations = 10;

/** Longest piece of a caller's input (an id, a model name) quoted in a status message. */
const maxQuotedChars = 64;

/** Longest status message sent; a longer one is cut, as a last guard for HTTP/2 header limits. */
const maxMessageChars = 1024;

/** A caller-supplied string as a status message quotes it: in double quotes, cut to 64 characters. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > maxQuotedChars ? `${value.slice(0, maxQuotedChars)}…` : value);
}

/** A detail message to attach to a status, with the schema that encodes it. */
export interface StatusDetail<D extends DescMessage = DescMessage> {
  schema: D;
  value: MessageShape<D>;
}

/**
 * A failure a server handler throws on purpose: a gRPC code, a message, and `google.rpc` details sent in
 * `grpc-status-details-bin` the way Google's APIs send them.
 */
export class StatusError extends Error {
  constructor(
    readonly code: GrpcStatus,
    message: string,
    readonly details: readonly StatusDetail[] = [],
    readonly trailers: Record<string, string> = {},
  ) {
    super(message.length > maxMessageChars ? `${message.slice(0, maxMessageChars)}…` : message);
    this.name = "StatusError";
  }

  /** The grpc-js callback form of this error. */
  toServiceError(): Partial<StatusObject> {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(this.trailers)) metadata.set(key, value);
    if (this.details.length > 0) {
      const status = create(StatusSchema, {
        code: this.code,
        message: this.message,
        details: this.details.map((d) => anyPack(d.schema, d.value)),
      });
      metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
    }
    return { code: this.code, details: this.message, metadata };
  }
}

/** A detail for StatusError: `google.rpc.RetryInfo` telling the client to wait `delayMs`. */
export function retryInfo(delayMs: number): StatusDetail {
  const ms = Math.max(0, Math.ceil(delayMs));
  return {
    schema: RetryInfoSchema,
    value: create(RetryInfoSchema, {
      retryDelay: create(DurationSchema, { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 }),
    }),
  };
}

/** A request field and what is wrong with it. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** A detail for StatusError: `google.rpc.BadRequest` listing the offending fields. */
export function badRequest(violations: readonly FieldViolation[]): StatusDetail {
  return {
    schema: BadRequestSchema,
    value: create(BadRequestSchema, { fieldViolations: violations.map((v) => create(BadRequest_FieldViolationSchema, v)) }),
  };
}
