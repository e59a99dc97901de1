// xAI's Batch API guide, step by step: create a batch, add chat requests, wait, read the results.
//   XAI_API_KEY=... npx tsx examples/walkthrough.ts [--base-url URL]
import { system, user } from "../src/index.js";
import { exampleClient } from "./example-client.js";

const { client } = exampleClient();
try {
  // 1. A batch is a container for requests.
  const batch = await client.batch.create("walkthrough");
  console.log(`created ${batch.batchId}`);

  // 2. Requests carry your own id, which ties each result back to its request.
  const capital = client.chat.create("grok-4", { batchRequestId: "capital_uk", maxTokens: 100 });
  capital.append(system("You are a geography expert."), user("What is the capital of the UK?"));
  const haiku = client.chat.create("grok-3-mini", { batchRequestId: "haiku" }).append(user("A haiku about queues, please."));
  const added = await client.batch.add(batch.batchId, [capital, haiku]);
  console.log(`added ${added.requestsAdded} requests`);

  // 3. Processing is asynchronous; wait polls until nothing is pending.
  const done = await client.batch.wait(batch.batchId, { pollIntervalMs: 500 });
  console.log(`${done.status}: ${done.counts.succeeded} succeeded, ${done.counts.failed} failed, cost $${done.costUsd}`);

  // 4. Results come back in no particular order: match them by id.
  for await (const result of client.batch.listBatchResults(batch.batchId)) {
    if (result.ok && result.kind === "completion") console.log(`${result.batchRequestId}: ${result.text}`);
    else if (!result.ok) console.log(`${result.batchRequestId} failed: ${result.error.message}`);
  }

  // 5. One request and its result, and the batch in the team's list.
  const one = await client.batch.getBatchRequestResult(batch.batchId, "capital_uk");
  // Views are plain data; the wire message is one step away as `raw`.
  console.log(`capital_uk asked ${one.raw.request?.request.value?.model}, ok: ${one.result?.ok}`);
  const page = await client.batch.list({ limit: 10 });
  console.log(`listed: ${page.batches.some((b) => b.batchId === batch.batchId)}`);
} finally {
  client.close();
}
