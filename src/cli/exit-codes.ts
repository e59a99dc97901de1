import { ApiError, Code, InputError } from "../index.js";
import { UsageError } from "./usage-error.js";

/** Exit codes of the `xai-batch` command, each telling the person what to do next; documented in docs/cli.md. */
export const exitCodes = Object.freeze({
  /** Everything asked for was done. */
  ok: 0,
  /** A transient failure (network, timeout, quota, a server error, the machine): run the same command again. */
  failure: 1,
  /** The command line or the input was wrong (or `check` found bad lines); nothing was sent. */
  usage: 2,
  /** Done, but not everything succeeded: requests failed, were cancelled or are still pending, or input lines were bad. */
  partial: 3,
  /**
   * The service refused the request for a reason re-running cannot change (bad argument, unknown batch,
   * key or permission): fix the input, the id or the key first.
   */
  refused: 4,
  /** Interrupted by Ctrl-C or SIGTERM; the work can be resumed. */
  interrupted: 130,
});

/** Status codes by which the service refuses a request as it stands: sending it again gets the same answer. */
const refusals = new Set([
  Code.InvalidArgument,
  Code.NotFound,
  Code.AlreadyExists,
  Code.PermissionDenied,
  Code.Unauthenticated,
  Code.FailedPrecondition,
  Code.OutOfRange,
  Code.Unimplemented,
]);

/**
 * The exit code of a command that failed with `error`: 2 for a bad command line or input caught before
 * sending, 4 for the service's refusal (a RESOURCE_EXHAUSTED without a quota signal is a size refusal), 1 for
 * anything a re-run can cure.
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof InputError) return exitCodes.usage;
  if (!(error instanceof ApiError)) return exitCodes.failure;
  if (error.retryable) return exitCodes.failure;
  return refusals.has(error.code) || error.code === Code.ResourceExhausted ? exitCodes.refused : exitCodes.failure;
}
