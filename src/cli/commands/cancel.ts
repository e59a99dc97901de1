import { batchDetails } from "../batch-format.js";
import { defineBatchCommand } from "../batch-command.js";

/** `xai-batch cancel BATCH_ID`. */
export const command = defineBatchCommand({
  name: "cancel",
  summary: "cancel a batch (finished results are kept)",
  argument: "BATCH_ID",
  description:
    "Cancels a batch: pending requests are not processed and no more can be added. Results already finished are kept;\n" +
    "download them with `xai-batch results`, and re-run the rest with `xai-batch retry-failed`.",
  call: (client, batchId, signal) => client.batch.cancel(batchId, { signal }),
  show: batchDetails,
});
