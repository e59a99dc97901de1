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
    onProgress: (b) => {
      const s = b.state;
      console.log(`${Math.round((Date.now() - started) / 1000)}s: ${s?.numSuccess} succeeded, ${s?.numError} failed, ${s?.numPending} pending of ${s?.numRequests}`);
    },
  });
  const ticks = batch.costBreakdown?.totalCostUsdTicks ?? 0n;
  console.log(`finished: ${batch.state?.numSuccess} succeeded, ${batch.state?.numError} failed, ${batch.state?.numCancelled} cancelled; cost $${(Number(ticks) / 1e10).toFixed(6)}`);
} finally {
  client.close();
}
