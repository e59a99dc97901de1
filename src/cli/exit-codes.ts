/** Exit codes of the `xai-batch` command; documented in README.md. */
export const exitCodes = Object.freeze({
  /** Everything asked for was done. */
  ok: 0,
  /** The API, the network or the machine failed. */
  failure: 1,
  /** The command line or the input was wrong (or `check` found bad lines); nothing was sent. */
  usage: 2,
  /** Done, but not everything succeeded: requests failed, were cancelled or are still pending, or input lines were bad. */
  partial: 3,
  /** Interrupted by Ctrl-C or SIGTERM; the work can be resumed. */
  interrupted: 130,
});
