import { Code, ConnectError } from "@connectrpc/connect";
import { ApiError, InputError, type ErrorDetails } from "../errors.js";
import { readRetryHint } from "./retry-hints.js";
import { scrub, scrubDeep, scrubHeaders } from "./scrub.js";
import { withoutUndefined } from "./without-undefined.js";
import { BadRequestSchema, ErrorInfoSchema, QuotaFailureSchema, RetryInfoSchema } from "./wire.js";

/**
 * Turns whatever a Connect call threw into an ApiError, scrubbing the given secrets from every string the
 * error carries so an API key echoed by a proxy never reaches a log line. `cancelledHere` says whether
 * the caller aborted the call (or closed the client): only then is a CANCELED what it says; otherwise
 * the stream was cancelled under the call, by a connection that died.
 */
export function toApiError(reason: unknown, method: string, secrets: readonly string[], cancelledHere = true): ApiError | InputError {
  if (reason instanceof ApiError || reason instanceof InputError) return reason;
  const err = ConnectError.from(reason);
  const code = lostConnection(err) || (err.code === Code.Canceled && !cancelledHere) ? Code.Unavailable : err.code;
  const metadata = scrubHeaders(err.metadata, secrets);
  const retryInfo = err.findDetails(RetryInfoSchema)[0];
  // A server or proxy may echo the key in any text of any detail (an ErrorInfo's metadata, a field
  // violation's description): each is scrubbed whole, however deep.
  const details: ErrorDetails = scrubDeep(
    {
      retryInfo,
      errorInfo: err.findDetails(ErrorInfoSchema)[0],
      quotaFailure: err.findDetails(QuotaFailureSchema)[0],
      badRequest: err.findDetails(BadRequestSchema)[0],
    },
    secrets,
  );
  return new ApiError({
    code,
    rawMessage: scrub(err.rawMessage, secrets),
    method,
    details: withoutUndefined(details),
    metadata,
    retryHint: readRetryHint(retryInfo?.retryDelay, metadata),
  });
}

/** Node's codes for a connection that died under a call: the server restarted, reset or went away. */
const connectionLossCodes = new Set([
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_INVALID_SESSION",
  "ERR_HTTP2_STREAM_CANCEL",
  // A stream reset under a call, e.g. REFUSED_STREAM from a server that is going away.
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_HTTP2_PING_CANCEL",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ECONNRESET",
  "EPIPE",
]);

/**
 * Connect reports a connection that died mid-call as INTERNAL or ABORTED (and a stream cancelled by
 * its dying session as CANCELED, handled by the caller's flag). For a caller it is what gRPC calls
 * UNAVAILABLE: transient, and the call may or may not have reached the server. Mapping it here, once,
 * lets retries and exactly-once reconciliation treat it like any other lost call.
 */
function lostConnection(err: ConnectError): boolean {
  if (err.code !== Code.Internal && err.code !== Code.Aborted && err.code !== Code.Unknown) return false;
  const seen = new Set<unknown>();
  for (let reason: unknown = err; reason instanceof Error && !seen.has(reason); reason = reason.cause) {
    seen.add(reason);
    const code = (reason as { code?: unknown }).code;
    if (typeof code === "string" && connectionLossCodes.has(code)) return true;
  }
  return false;
}
