import type { BatchView, Client } from "../index.js";
import { defineCommand, type Command } from "./command.js";
import { exitCodes } from "./exit-codes.js";

/** A command that makes one call about one batch and prints the batch it gets back. */
export interface BatchCommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  /** The one positional argument, e.g. BATCH_ID or NAME. */
  readonly argument: string;
  readonly call: (client: Client, argument: string, signal: AbortSignal) => Promise<BatchView>;
  /** The batch for people; with `--json` it is printed as the library's BatchView. */
  readonly show: (batch: BatchView) => string;
}

/** `create`, `status` and `cancel`: the same shape, one call each. */
export function defineBatchCommand(spec: BatchCommandSpec): Command {
  return defineCommand(
    { name: spec.name, summary: spec.summary, positionals: [spec.argument], options: {}, description: spec.description },
    async (ctx, _values, [argument]) => {
      const batch = await spec.call(ctx.client(), argument!, ctx.signal);
      ctx.out.result(batch, spec.show(batch));
      return exitCodes.ok;
    },
  );
}
