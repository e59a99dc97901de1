/** Exit codes of the `xai-batch` command; documented in README.md. */
export const exitCodes = Object.freeze({
  /** Everything asked for was done. */
  ok: 0,
  /** The API, the network or the machine failed. */
  failure: 1,
  /** The command line or the input was wrong; nothing was sent. */
  usage: 2,
  /** Done, but some requests failed or could not be added. */
  partial: 3,
  /** Interrupted by Ctrl-C or SIGTERM; the work can be resumed. */
  interrupted: 130,
});
