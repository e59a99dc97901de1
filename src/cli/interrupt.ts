import { exitCodes } from "./exit-codes.js";

/** Why a command stopped early: the person pressed Ctrl-C, or the process was asked to stop. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";

  constructor(readonly signalName: NodeJS.Signals) {
    super(`interrupted by ${signalName}`);
  }
}

/** A signal that aborts on the first SIGINT or SIGTERM, and how to stop listening. */
export interface InterruptListener {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Turns the first SIGINT or SIGTERM into an abort, so the command can stop cleanly (calls in flight end,
 * checkpoints stay consistent) and say how to resume. A second signal means "now": the process exits at
 * once with 130, as a shell expects of Ctrl-C.
 */
export function listenForInterrupt(onForced: () => void = () => {}): InterruptListener {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort(new Interrupted(name));
      return;
    }
    onForced();
    process.exit(exitCodes.interrupted);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
