// A Connect interceptor on every call the client makes: here, one log line per attempt with its method,
// outcome and time, the hook where tracing, metrics or custom headers go.
//   XAI_API_KEY=... npx tsx examples/interceptors.ts [--base-url URL]
import type { Interceptor } from "@connectrpc/connect";
import { parseArgs } from "node:util";
import { Client, user } from "../src/index.js";

const logCalls: Interceptor = (next) => async (request) => {
  const started = performance.now();
  const ms = () => `${Math.round(performance.now() - started)} ms`;
  try {
    const response = await next(request);
    console.log(`${request.method.name} ok in ${ms()}`);
    return response;
  } catch (error) {
    console.log(`${request.method.name} failed in ${ms()}: ${(error as Error).message}`);
    throw error;
  }
};

const { values } = parseArgs({ options: { "base-url": { type: "string" } } });
const baseUrl = values["base-url"] ?? process.env.XAI_BASE_URL;
const client = new Client({ ...(baseUrl === undefined ? {} : { baseUrl }), interceptors: [logCalls] });
try {
  const batch = await client.batch.create("intercepted");
  await client.batch.add(batch.batchId, [client.chat.create("grok-4", { batchRequestId: "a" }).append(user("Hello"))]);
  await client.batch.get(batch.batchId);
} finally {
  client.close();
}
