import { defineCommand } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { fileLine } from "../file-format.js";
import { integerFlag } from "../global-options.js";

/** `xai-batch upload FILE`: stores a file with xAI's Files service and prints its id. */
export const command = defineCommand(
  {
    name: "upload",
    summary: "store a file with xAI (e.g. a batch's JSONL input) and print its id",
    positionals: ["FILE"],
    options: { name: { type: "string" }, "expires-after": { type: "string" } },
    optionsHelp: [
      "  --name NAME              the name to store it under (default: the file's name)",
      "  --expires-after SECONDS  delete it after this long, 3600 to 2592000 (default: xAI's)",
    ].join("\n"),
    description:
      "Uploads FILE to xAI's Files service in pieces, showing progress, and prints the stored file (its id first).\n" +
      "`xai-batch create NAME --input-file ID` then makes a batch of its lines.",
  },
  async (ctx, values, [path]) => {
    const expiresAfterS =
      values["expires-after"] === undefined ? undefined : integerFlag("expires-after", values["expires-after"], 3600, 2_592_000);
    let sent = { bytesSent: 0, totalBytes: undefined as number | undefined };
    const progress = ctx.out.progress(() => ({
      text: `uploading ${path}: ${sent.bytesSent.toLocaleString("en-US")} of ${sent.totalBytes?.toLocaleString("en-US") ?? "?"} bytes`,
      fields: { phase: "upload", bytesSent: sent.bytesSent, totalBytes: sent.totalBytes },
    }));
    try {
      const file = await ctx.client().files.upload(path!, {
        ...(values.name === undefined ? {} : { filename: values.name }),
        ...(expiresAfterS === undefined ? {} : { expiresAfterS }),
        signal: ctx.signal,
        onProgress: (p) => {
          sent = p;
          progress.update();
        },
      });
      progress.stop(null);
      ctx.out.result(file, fileLine(file));
    } finally {
      progress.stop(null);
    }
    return exitCodes.ok;
  },
);
