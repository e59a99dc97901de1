import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/**
 * Runs a full garbage collection, so the next measurement does not pay for the garbage of the one before.
 * Works without `--expose-gc` on the command line (npm run bench cannot pass it): the flag is set at run
 * time and `gc` taken from a fresh context, where V8 installs it.
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
