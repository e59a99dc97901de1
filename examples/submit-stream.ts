// Submits a million requests without holding them in memory: an async generator produces them as the
// add asks for more, and the add packs them into calls of at most 25 MB, paced to the team's quota.
// Re-running it after an interruption, with the same --batch, adds only what is missing.
//   XAI_API_KEY=... npx tsx examples/submit-stream.ts [--count N] [--batch BATCH_ID] [--base-url URL]
// Mind the bill: the default count is 1,000,000 real requests.
import { user, type AddInput } from "../src/index.js";
import { exampleClient } from "./example-client.js";

const { client, values } = exampleClient("count", "batch");
const count = Number(values.count ?? 1_000_000);

async function* requests(): AsyncGenerator<AddInput> {
  for (let i = 0; i < count; i++) {
    // In real use this would read a database cursor or a file; the ids make the add resumable.
    yield client.chat.create("grok-3-mini", { batchRequestId: `q-${i}`, maxTokens: 50 }).append(user(`What is ${i} squared?`));
  }
}

try {
  const batchId = values.batch ?? (await client.batch.create(`stream of ${count}`)).batchId;
  console.log(`batch ${batchId}`);
  let shown = 0;
  const result = await client.batch.add(batchId, requests(), {
    // Called after every call; print about twenty lines in all.
    onProgress: (p) => {
      const done = p.requestsAdded + p.alreadyPresent;
      if (done === shown || (done - shown < count / 20 && done < count)) return;
      shown = done;
      console.log(`added ${done} of ${count} (${p.calls} calls, ${Math.round(p.quotaWaitMs / 1000)} s waiting for quota)`);
    },
  });
  console.log(`done: ${result.requestsAdded} added, ${result.alreadyPresent} were already there`);
} finally {
  client.close();
}
