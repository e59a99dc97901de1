import { defineBatchCommand } from "../batch-command.js";

/** `xai-batch create NAME`: prints the new batch's id alone on stdout, for `ID=$(xai-batch create x)`. */
export const command = defineBatchCommand({
  name: "create",
  summary: "create a batch (empty, or from an uploaded file) and print its id",
  argument: "NAME",
  options: {
    names: ["input-file"],
    help: "  --input-file FILE_ID   make the batch of an uploaded JSONL file's lines (see `xai-batch upload`)",
  },
  description: "Creates a batch named NAME and prints its id. Add requests with `xai-batch add`, or give --input-file.",
  call: (client, name, signal, options) =>
    client.batch.create(name, { signal, ...(options["input-file"] === undefined ? {} : { inputFileId: options["input-file"] }) }),
  show: (batch) => batch.batchId,
});
