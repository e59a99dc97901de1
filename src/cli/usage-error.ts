/**
 * The command line or the input is wrong: the command stops with exit code 2 and this message, which
 * says what is wrong and how to fix it. Nothing has been sent when it is thrown before the first call.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
