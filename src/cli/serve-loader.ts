import { exitCodes } from "./exit-codes.js";
import type { Streams } from "./output.js";

/** The grpc-js stack the emulator serves on: an optional peer dependency of the package, so say how to get it. */
const serverPackage = "@grpc/grpc-js";

/**
 * Runs `xai-batch serve`, loading the emulator only now: a client installation need not carry a gRPC
 * server, so when `@grpc/grpc-js` is missing the command says how to add it instead of crashing.
 */
export async function runServe(argv: string[], streams?: Streams): Promise<number> {
  let serve: typeof import("../emulator/index.js");
  try {
    serve = await import("../emulator/index.js");
  } catch (error) {
    if (!isMissingPackage(error, serverPackage)) throw error;
    (streams?.stderr ?? process.stderr).write(
      `xai-batch serve: the emulator needs ${serverPackage}, which is not installed.\n` +
        `Install it beside xai-batch: npm install --save-dev ${serverPackage}\n`,
    );
    // Re-running cannot fix a missing package; installing it can.
    return exitCodes.usage;
  }
  return serve.serveCommand(argv);
}

function isMissingPackage(error: unknown, name: string): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return e?.code === "ERR_MODULE_NOT_FOUND" && typeof e.message === "string" && e.message.includes(`'${name}'`);
}
