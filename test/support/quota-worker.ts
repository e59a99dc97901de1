// One worker process of a team: its own Client, pacing through Redis (or its own in-memory limiter), adding
// its share of requests into a batch of its own. Started by runTeam (quota-team.ts); talks to it over IPC.
import { Client, user, type Permit, type QuotaKind, type QuotaLimiter, type QuotaScope } from "../../src/index.js";
import { defaultLimits } from "../../src/core/limits.js";
import { MemoryQuotaLimiter } from "../../src/core/memory-quota-limiter.js";
import { redisQuotaLimiter } from "../../src/redis/redis-quota-limiter.js";
import { workerRequestId, type WorkerConfig, type WorkerMessage, type WorkerReport } from "./quota-team.js";

const tell = (message: WorkerMessage) => process.send!(message);

/** Records when add calls were admitted and completed, and tells the parent of each completion; scoped like the limiter it wraps. */
function recording(inner: QuotaLimiter, times: { sent: number[]; done: number[]; waitsMs: number[] }): QuotaLimiter {
  return {
    acquire: async (kind: QuotaKind, signal?: AbortSignal): Promise<Permit> => {
      const asked = Date.now();
      const permit = await inner.acquire(kind, signal);
      if (kind !== "add") return permit;
      times.sent.push(Date.now());
      times.waitsMs.push(Date.now() - asked);
      return {
        release: () => {
          times.done.push(Date.now());
          permit.release();
          tell({ addCallDone: true });
        },
      };
    },
    pause: (kind, untilMs) => inner.pause(kind, untilMs),
    forScope: (scope: QuotaScope) => recording(inner.forScope?.(scope) ?? inner, times),
  };
}

async function main(): Promise<void> {
  const config = await new Promise<WorkerConfig>((resolve) => process.once("message", (m) => resolve(m as WorkerConfig)));
  const times = { sent: [] as number[], done: [] as number[], waitsMs: [] as number[] };
  const redis = config.redisUrl === undefined ? undefined : redisQuotaLimiter({ url: config.redisUrl });
  let retries = 0;
  const client = new Client({
    apiKey: "team-key",
    baseUrl: config.baseUrl,
    limits: config.limits,
    // Without Redis, what a client has by default: an in-memory limiter built from its limits.
    quotaLimiter: recording(redis ?? MemoryQuotaLimiter.fromLimits({ ...defaultLimits, ...config.limits }), times),
    // Room to retry every rejection, so a run without a shared quota finishes and its rejections can be counted.
    retry: { maxAttempts: 50, budget: { maxTokens: 10_000, tokenRatio: 1 }, onRetry: () => retries++ },
  });
  const batch = await client.batch.create(`worker-${config.index}`);
  const requests = Array.from({ length: config.requests }, (_, i) =>
    client.chat.create("grok-4", { batchRequestId: workerRequestId(config.index, i) }).append(user(`hello ${i}`)),
  );
  tell({ ready: true });
  await new Promise((resolve) => process.once("message", resolve));
  const result = await client.batch.add(batch.batchId, requests, { maxRequestsPerCall: config.maxRequestsPerCall });
  client.close();
  await redis?.close();
  const report: WorkerReport = { index: config.index, batchId: batch.batchId, ...times, retries, calls: result.calls };
  tell({ report });
  process.disconnect();
}

await main();
