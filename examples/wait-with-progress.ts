// Waits for a batch, printing its counts as they change. Pending is shown apart from done: a batch whose
// requests are all added can still be far from processed.
//   XAI_API_KEY=... npx tsx examples/wait-with-progress.ts BATCH_ID [--base-url URL]
import { exampleClient } from "./example-client.js";

const { client, positionals } = exampleClient();
const [batchId] = positionals;
if (batchId === undefined) throw new Error("usage: wait-with-progress.ts BATCH_ID");
try {
  const started = Date.now();
  const batch = await client.batch.wait(batchId, {
    onProgress: ({ status, counts: c }) => {
      console.log(
        `${Math.round((Date.now() - started) / 1000)}s: ${status}, ${c.succeeded} succeeded, ${c.failed} failed, ${c.pending} pending of ${c.total}`,
      );
    },
  });
  const c = batch.counts;
  console.log(`${batch.status}: ${c.succeeded} succeeded, ${c.failed} failed, ${c.cancelled} cancelled; cost $${batch.costUsd.toFixed(6)}`);
  // Views are plain data: this is what a service would log or store.
  console.log(JSON.stringify(batch));
} finally {
  client.close();
}
